#pragma once
// The daemon's two listeners, both on the main io_context:
//  * ControlServer: a unix stream socket (mode 0600, so root only) speaking JSON lines: each
//    request line is one JSON object, each reply one line (see commands.hpp).
//  * MetricsServer: a minimal HTTP/1.1 responder for Prometheus: GET /metrics, one response per
//    connection (Connection: close); anything else is 404/405.
#include <asio/io_context.hpp>
#include <filesystem>
#include <functional>
#include <list>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "rt/tokens.hpp"

namespace vigil::control {

using RequestHandler = std::function<rt::Task<nlohmann::json>(nlohmann::json request)>;

class ControlServer : public std::enable_shared_from_this<ControlServer> {
 public:
  // Removes a stale file at `path` (the caller holds the runtime directory), binds and listens.
  static Result<std::shared_ptr<ControlServer>> open(asio::io_context& context, std::filesystem::path path,
                                                     RequestHandler handler);
  ~ControlServer();
  void start();
  // Closes the listener and every connection, and removes the socket file.
  void stop();
  [[nodiscard]] const std::filesystem::path& path() const { return path_; }

  struct Impl;

 private:
  explicit ControlServer(std::unique_ptr<Impl> impl, std::filesystem::path path);
  rt::Task<void> accept_loop();
  std::unique_ptr<Impl> impl_;
  std::filesystem::path path_;
};

class MetricsServer : public std::enable_shared_from_this<MetricsServer> {
 public:
  using Body = std::function<rt::Task<std::string>()>;
  static Result<std::shared_ptr<MetricsServer>> open(asio::io_context& context, const IpAddress& address,
                                                     std::uint16_t port, Body body);
  ~MetricsServer();
  void start();
  void stop();
  // The bound port (useful with port 0 in tests).
  [[nodiscard]] std::uint16_t port() const;

  struct Impl;

 private:
  explicit MetricsServer(std::unique_ptr<Impl> impl);
  rt::Task<void> accept_loop();
  std::unique_ptr<Impl> impl_;
};

// The HTTP part of MetricsServer, pure: the response to a request head (request line + headers).
struct HttpResponse {
  int status = 200;
  std::string content_type;
  std::string body;
  [[nodiscard]] std::string serialize() const;
};
// Which response a request head asks for: nullopt means "serve the metrics body".
[[nodiscard]] std::optional<HttpResponse> route_request(std::string_view head);

}  // namespace vigil::control
