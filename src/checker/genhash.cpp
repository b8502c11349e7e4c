#include "checker/genhash.hpp"

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/this_coro.hpp>
#include <asio/use_future.hpp>
#include <charconv>

#include "checker/http_exchange.hpp"
#include "checker/tls_client.hpp"
#include "rt/with_timeout.hpp"

namespace vigil::checker {

Result<ParsedUrl> parse_url(std::string_view url) {
  ParsedUrl parsed;
  if (url.starts_with("http://")) {
    url.remove_prefix(7);
  } else if (url.starts_with("https://")) {
    url.remove_prefix(8);
    parsed.tls = true;
    parsed.port = 443;
  } else {
    return fail(make_error(std::errc::invalid_argument, "the URL must start with http:// or https://"));
  }
  const std::size_t slash = url.find('/');
  std::string_view authority = url.substr(0, slash);
  parsed.path = slash == std::string_view::npos ? "/" : std::string(url.substr(slash));
  std::string_view port_text;
  if (authority.starts_with("[")) {
    const std::size_t close = authority.find(']');
    if (close == std::string_view::npos) return fail(make_error(std::errc::invalid_argument, "unclosed [ in the URL"));
    parsed.host = std::string(authority.substr(1, close - 1));
    const auto rest = authority.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return fail(make_error(std::errc::invalid_argument, "junk after ] in the URL"));
      port_text = rest.substr(1);
    }
  } else {
    const std::size_t colon = authority.rfind(':');
    parsed.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) port_text = authority.substr(colon + 1);
  }
  if (parsed.host.empty()) return fail(make_error(std::errc::invalid_argument, "the URL has no host"));
  if (!port_text.empty()) {
    unsigned port = 0;
    const auto [ptr, ec] = std::from_chars(port_text.data(), port_text.data() + port_text.size(), port);
    if (ec != std::errc{} || ptr != port_text.data() + port_text.size() || port == 0 || port > 65535)
      return fail(make_error(std::errc::invalid_argument, "bad port in the URL: " + std::string(port_text)));
    parsed.port = static_cast<std::uint16_t>(port);
  }
  return parsed;
}

namespace {

struct Fetched {
  check::HttpResponseReader response;
  std::string address;
  std::string cipher;
  std::string peer_subject;
};

rt::Task<Result<Fetched>> fetch(const GenhashOptions& options, const ParsedUrl& url, std::string request) {
  auto executor = co_await asio::this_coro::executor;
  asio::ip::tcp::resolver resolver(executor);
  const std::string port = std::to_string(url.port);
  auto [resolve_error, endpoints] = co_await resolver.async_resolve(url.host, port, rt::use_nothrow);
  if (resolve_error || endpoints.empty()) co_return fail(make_error(resolve_error, "cannot resolve " + url.host));
  const auto address = endpoints.begin()->endpoint().address();
  Fetched fetched;
  fetched.address = address.to_string();
  if (url.tls) {
    TlsContexts contexts(std::nullopt);
    asio::error_code literal_error;
    (void)asio::ip::make_address(url.host, literal_error);
    const bool host_is_name = static_cast<bool>(literal_error);
    TlsRequest tls{fetched.address,
                   url.port,
                   options.sni    ? options.sni
                   : host_is_name ? std::optional<std::string>(url.host)
                                  : std::nullopt,
                   options.verify_certificate,
                   false,
                   std::move(request),
                   nullptr};
    auto exchange = https_exchange(contexts, std::move(tls));
    auto summary = co_await std::move(exchange);
    if (!summary) co_return fail(summary.error());
    fetched.response = std::move(summary->response);
    fetched.cipher = summary->cipher;
    fetched.peer_subject = summary->peer_subject;
    co_return fetched;
  }
  asio::ip::tcp::socket socket(executor);
  auto [connect_error] = co_await socket.async_connect(endpoints.begin()->endpoint(), rt::use_nothrow);
  if (connect_error) co_return fail(make_error(connect_error, "cannot connect to " + fetched.address));
  auto exchange = exchange_http(socket, std::move(request));
  auto response = co_await std::move(exchange);
  if (!response) co_return fail(response.error());
  fetched.response = std::move(*response);
  co_return fetched;
}

}  // namespace

int run_genhash(const GenhashOptions& options, std::ostream& out, std::ostream& err) {
  auto url = parse_url(options.url);
  if (!url) {
    err << "genhash: " << url.error().to_string() << "\n";
    return 1;
  }
  const std::string request = check::build_http_request(
      {url->path, options.virtualhost.value_or(url->host), url->port, url->tls, options.version});
  if (options.verbose) out << "--- request\n" << request;
  asio::io_context io;
  auto task = fetch(options, *url, request);
  auto timed = rt::with_timeout(std::move(task), options.timeout);
  auto future = asio::co_spawn(io, std::move(timed), asio::use_future);
  io.run();
  Result<Fetched> fetched = future.get();
  if (!fetched) {
    err << "genhash: " << options.url << ": " << fetched.error().to_string() << "\n";
    return 1;
  }
  const auto& response = fetched->response;
  if (response.failed() || !response.complete()) {
    err << "genhash: " << options.url << ": " << (response.failed() ? response.error() : "incomplete response") << "\n";
    return 1;
  }
  if (options.verbose) {
    out << "--- connected to " << fetched->address << " port " << url->port << "\n";
    if (!fetched->cipher.empty())
      out << "--- TLS cipher " << fetched->cipher << ", peer " << fetched->peer_subject << "\n";
    out << "--- response head\n" << response.head();
    out << "--- body: " << response.body_bytes() << " bytes, status " << response.status().value_or(0) << "\n";
  }
  out << "MD5SUM = " << response.digest() << "\n";
  // What the checker's status_code must accept (the digest alone does not say the page is healthy).
  out << "HTTP status = " << response.status().value_or(0) << "\n";
  return 0;
}

}  // namespace vigil::checker
