#pragma once
// Client TLS for ssl_get and genhash: two OpenSSL contexts (with and without certificate
// verification) sharing the [ssl] client certificate, and one TLS request/response.
#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "check/http.hpp"
#include "checker/checker_spec.hpp"
#include "config/model.hpp"
#include "rt/tokens.hpp"

namespace vigil::checker {

class TlsContexts {
 public:
  // Problems with the [ssl] files are errors; the contexts are still usable without them.
  explicit TlsContexts(const std::optional<config::SslConfig>& ssl);
  ~TlsContexts();
  TlsContexts(const TlsContexts&) = delete;
  TlsContexts& operator=(const TlsContexts&) = delete;
  [[nodiscard]] const std::optional<Error>& setup_error() const;

  struct Impl;
  [[nodiscard]] Impl& impl() { return *impl_; }

 private:
  std::unique_ptr<Impl> impl_;
};

struct TlsRequest {
  std::string host;  // address literal to connect to
  std::uint16_t port = 443;
  std::optional<std::string> sni;
  bool verify_certificate = false;  // and the name: sni if set, else host
  bool send_close_notify = false;
  std::string request;  // the HTTP request bytes
  const SocketOptions* socket = nullptr;
};

struct TlsSummary {
  check::HttpResponseReader response;
  std::string cipher;
  std::string peer_subject;
};

// Connects, handshakes, exchanges one HTTP request. No timeout of its own: wrap it.
[[nodiscard]] rt::Task<Result<TlsSummary>> https_exchange(TlsContexts& contexts, TlsRequest request);

}  // namespace vigil::checker
