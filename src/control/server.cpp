#include "control/server.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <chrono>

#include "sys/log.hpp"

namespace vigil::control {

namespace {

// A request line larger than this is a client bug, not a command.
constexpr std::size_t kMaxRequestLine = 64 * 1024;
constexpr std::size_t kMaxHttpHead = 8 * 1024;
// A scraper that connects and says nothing must not hold a connection forever.
constexpr auto kHttpReadTimeout = std::chrono::seconds(5);

// Live connections, so stop() can close them and the io_context can run dry.
template <class Socket>
class Connections {
 public:
  std::shared_ptr<Socket> add(Socket socket) {
    auto shared = std::make_shared<Socket>(std::move(socket));
    live_.push_back(shared);
    return shared;
  }
  void remove(const std::shared_ptr<Socket>& socket) { live_.remove(socket); }
  void close_all() {
    for (auto& socket : live_) {
      std::error_code ignored;
      socket->close(ignored);
    }
    live_.clear();
  }

 private:
  std::list<std::shared_ptr<Socket>> live_;
};

}  // namespace

struct ControlServer::Impl {
  asio::local::stream_protocol::acceptor acceptor;
  RequestHandler handler;
  Connections<asio::local::stream_protocol::socket> connections;
  bool stopped = false;
};

ControlServer::ControlServer(std::unique_ptr<Impl> impl, std::filesystem::path path)
    : impl_(std::move(impl)), path_(std::move(path)) {}

ControlServer::~ControlServer() = default;

Result<std::shared_ptr<ControlServer>> ControlServer::open(asio::io_context& context, std::filesystem::path path,
                                                           RequestHandler handler) {
  std::error_code error;
  std::filesystem::remove(path, error);  // a dead daemon's socket; the runtime directory lock is ours
  asio::local::stream_protocol::acceptor acceptor(context);
  acceptor.open(asio::local::stream_protocol(), error);
  if (!error) {
    // The file is created by bind(): a umask makes it 0600 from the first moment, so there is no
    // window in which another user could connect before the chmod.
    const mode_t old_mask = ::umask(0177);
    acceptor.bind(asio::local::stream_protocol::endpoint(path.string()), error);
    ::umask(old_mask);
  }
  if (!error && ::chmod(path.c_str(), 0600) != 0) error = std::error_code(errno, std::generic_category());
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) return fail(make_error(error, fmt::format("control socket {}", path.string())));
  auto impl = std::unique_ptr<Impl>(new Impl{std::move(acceptor), std::move(handler), {}, false});
  return std::shared_ptr<ControlServer>(new ControlServer(std::move(impl), std::move(path)));
}

void ControlServer::start() { asio::co_spawn(impl_->acceptor.get_executor(), accept_loop(), asio::detached); }

void ControlServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  std::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->connections.close_all();
  std::filesystem::remove(path_, ignored);
}

namespace {

rt::Task<void> serve_control_connection(std::shared_ptr<ControlServer> keep_alive, RequestHandler handler,
                                        std::shared_ptr<asio::local::stream_protocol::socket> socket,
                                        std::function<void()> done) {
  asio::streambuf buffer(kMaxRequestLine);
  for (;;) {
    auto [error, length] = co_await asio::async_read_until(*socket, buffer, '\n', rt::use_nothrow);
    if (error) break;  // peer closed, line too long, or stop()
    std::string line(asio::buffers_begin(buffer.data()),
                     asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(length));
    buffer.consume(length);
    nlohmann::json reply;
    nlohmann::json request = nlohmann::json::parse(line, nullptr, false);
    if (request.is_discarded()) {
      reply = {{"ok", false}, {"error", "the request is not valid JSON"}};
    } else {
      reply = co_await handler(std::move(request));
    }
    std::string out = reply.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
    auto [write_error, written] = co_await asio::async_write(*socket, asio::buffer(out), rt::use_nothrow);
    if (write_error) break;
  }
  done();
  (void)keep_alive;
}

}  // namespace

rt::Task<void> ControlServer::accept_loop() {
  auto self = shared_from_this();
  while (!impl_->stopped) {
    auto [error, socket] = co_await impl_->acceptor.async_accept(rt::use_nothrow);
    if (error) {
      if (impl_->stopped || error == asio::error::operation_aborted) break;
      sys::log_warning("control socket {}: accept failed: {}", path_.string(), error.message());
      continue;
    }
    auto connection = impl_->connections.add(std::move(socket));
    std::function<void()> done = [self, connection] { self->impl_->connections.remove(connection); };
    auto session = serve_control_connection(self, impl_->handler, connection, std::move(done));
    asio::co_spawn(impl_->acceptor.get_executor(), std::move(session), asio::detached);
  }
}

// ---------------------------------------------------------------------------------------------

std::string HttpResponse::serialize() const {
  const char* reason = status == 200   ? "OK"
                       : status == 404 ? "Not Found"
                       : status == 405 ? "Method Not Allowed"
                                       : "Bad Request";
  std::string head = fmt::format("HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nConnection: close\r\n",
                                 status, reason, content_type, body.size());
  if (status == 405) head += "Allow: GET, HEAD\r\n";
  return head + "\r\n" + body;
}

std::optional<HttpResponse> route_request(std::string_view head) {
  const auto line_end = head.find("\r\n");
  const std::string_view line = head.substr(0, line_end);
  const auto first_space = line.find(' ');
  const auto second_space = line.find(' ', first_space == std::string_view::npos ? 0 : first_space + 1);
  if (first_space == std::string_view::npos || second_space == std::string_view::npos ||
      line.substr(second_space + 1).rfind("HTTP/1.", 0) != 0) {
    return HttpResponse{400, "text/plain; charset=utf-8", "bad request\n"};
  }
  const std::string_view method = line.substr(0, first_space);
  std::string_view target = line.substr(first_space + 1, second_space - first_space - 1);
  target = target.substr(0, target.find('?'));
  if (method != "GET" && method != "HEAD") return HttpResponse{405, "text/plain; charset=utf-8", "GET only\n"};
  if (target == "/metrics") return std::nullopt;
  if (target == "/") {
    return HttpResponse{200, "text/html; charset=utf-8",
                        "<html><body><a href=\"/metrics\">/metrics</a></body></html>\n"};
  }
  return HttpResponse{404, "text/plain; charset=utf-8", "not found; metrics are at /metrics\n"};
}

struct MetricsServer::Impl {
  asio::ip::tcp::acceptor acceptor;
  Body body;
  Connections<asio::ip::tcp::socket> connections;
  bool stopped = false;
};

MetricsServer::MetricsServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
MetricsServer::~MetricsServer() = default;

Result<std::shared_ptr<MetricsServer>> MetricsServer::open(asio::io_context& context, const IpAddress& address,
                                                           std::uint16_t port, Body body) {
  std::error_code error;
  const auto ip = asio::ip::make_address(address.to_string(), error);
  asio::ip::tcp::acceptor acceptor(context);
  const asio::ip::tcp::endpoint endpoint(ip, port);
  if (!error) acceptor.open(endpoint.protocol(), error);
  if (!error) acceptor.set_option(asio::socket_base::reuse_address(true), error);
  if (!error) acceptor.bind(endpoint, error);
  if (!error) acceptor.listen(asio::socket_base::max_listen_connections, error);
  if (error) {
    return fail(make_error(error, fmt::format("metrics listener {}:{}", address.to_string(), port)));
  }
  auto impl = std::unique_ptr<Impl>(new Impl{std::move(acceptor), std::move(body), {}, false});
  return std::shared_ptr<MetricsServer>(new MetricsServer(std::move(impl)));
}

std::uint16_t MetricsServer::port() const {
  std::error_code ignored;
  return impl_->acceptor.local_endpoint(ignored).port();
}

void MetricsServer::start() { asio::co_spawn(impl_->acceptor.get_executor(), accept_loop(), asio::detached); }

void MetricsServer::stop() {
  if (impl_->stopped) return;
  impl_->stopped = true;
  std::error_code ignored;
  impl_->acceptor.close(ignored);
  impl_->connections.close_all();
}

namespace {

rt::Task<void> serve_http_connection(std::shared_ptr<MetricsServer> keep_alive, MetricsServer::Body body,
                                     std::shared_ptr<asio::ip::tcp::socket> socket, std::function<void()> done) {
  asio::steady_timer deadline(socket->get_executor());
  deadline.expires_after(kHttpReadTimeout);
  deadline.async_wait([socket](std::error_code error) {
    if (!error) {
      std::error_code ignored;
      socket->close(ignored);
    }
  });
  asio::streambuf buffer(kMaxHttpHead);
  auto [error, length] = co_await asio::async_read_until(*socket, buffer, "\r\n\r\n", rt::use_nothrow);
  if (!error) {
    const std::string head(asio::buffers_begin(buffer.data()),
                           asio::buffers_begin(buffer.data()) + static_cast<std::ptrdiff_t>(length));
    auto response = route_request(head);
    if (!response) {
      std::string text = co_await body();
      response = HttpResponse{200, "text/plain; version=0.0.4; charset=utf-8", std::move(text)};
    }
    std::string out = response->serialize();
    if (head.rfind("HEAD ", 0) == 0) out.resize(out.find("\r\n\r\n") + 4);
    co_await asio::async_write(*socket, asio::buffer(out), rt::use_nothrow);
  } else if (error == asio::error::not_found) {
    const std::string out = HttpResponse{431, "text/plain; charset=utf-8", "request head too large\n"}.serialize();
    co_await asio::async_write(*socket, asio::buffer(out), rt::use_nothrow);
  }
  deadline.cancel();
  std::error_code ignored;
  socket->shutdown(asio::socket_base::shutdown_both, ignored);
  socket->close(ignored);
  done();
  (void)keep_alive;
}

}  // namespace

rt::Task<void> MetricsServer::accept_loop() {
  auto self = shared_from_this();
  while (!impl_->stopped) {
    auto [error, socket] = co_await impl_->acceptor.async_accept(rt::use_nothrow);
    if (error) {
      if (impl_->stopped || error == asio::error::operation_aborted) break;
      sys::log_warning("metrics listener: accept failed: {}", error.message());
      continue;
    }
    auto connection = impl_->connections.add(std::move(socket));
    std::function<void()> done = [self, connection] { self->impl_->connections.remove(connection); };
    auto session = serve_http_connection(self, impl_->body, connection, std::move(done));
    asio::co_spawn(impl_->acceptor.get_executor(), std::move(session), asio::detached);
  }
}

}  // namespace vigil::control
