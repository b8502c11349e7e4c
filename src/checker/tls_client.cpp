#include "checker/tls_client.hpp"

#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <asio/connect.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/ssl.hpp>
#include <asio/this_coro.hpp>

#include "checker/http_exchange.hpp"
#include "checker/socket_setup.hpp"

namespace vigil::checker {

struct TlsContexts::Impl {
  asio::ssl::context verifying{asio::ssl::context::tls_client};
  asio::ssl::context trusting{asio::ssl::context::tls_client};
  std::optional<Error> error;
};

namespace {

void configure(asio::ssl::context& context, const std::optional<config::SslConfig>& ssl, bool verify,
               std::optional<Error>& error) {
  asio::error_code ec;
  context.set_options(
      asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 | asio::ssl::context::no_sslv3, ec);
  context.set_verify_mode(verify ? asio::ssl::verify_peer : asio::ssl::verify_none, ec);
  if (verify) {
    if (ssl && ssl->ca) {
      context.load_verify_file(*ssl->ca, ec);
      if (ec && !error) error = make_error(ec, "cannot load the CA file " + *ssl->ca);
    } else {
      context.set_default_verify_paths(ec);
    }
  }
  if (!ssl) return;
  if (ssl->password) {
    const std::string password = *ssl->password;
    context.set_password_callback([password](std::size_t, asio::ssl::context::password_purpose) { return password; },
                                  ec);
  }
  if (ssl->certificate) {
    context.use_certificate_chain_file(*ssl->certificate, ec);
    if (ec && !error) error = make_error(ec, "cannot load the certificate " + *ssl->certificate);
  }
  if (ssl->key) {
    context.use_private_key_file(*ssl->key, asio::ssl::context::pem, ec);
    if (ec && !error) error = make_error(ec, "cannot load the key " + *ssl->key);
  }
}

}  // namespace

TlsContexts::TlsContexts(const std::optional<config::SslConfig>& ssl) : impl_(std::make_unique<Impl>()) {
  configure(impl_->verifying, ssl, true, impl_->error);
  configure(impl_->trusting, ssl, false, impl_->error);
}

TlsContexts::~TlsContexts() = default;

const std::optional<Error>& TlsContexts::setup_error() const { return impl_->error; }

rt::Task<Result<TlsSummary>> https_exchange(TlsContexts& contexts, TlsRequest request) {
  auto executor = co_await asio::this_coro::executor;
  asio::error_code parse_error;
  const auto address = asio::ip::make_address(request.host, parse_error);
  if (parse_error) co_return fail(make_error(parse_error, "not an address: " + request.host));
  auto& context = request.verify_certificate ? contexts.impl().verifying : contexts.impl().trusting;
  asio::ssl::stream<asio::ip::tcp::socket> stream(executor, context);
  const auto protocol = address.is_v6() ? asio::ip::tcp::v6() : asio::ip::tcp::v4();
  const SocketOptions no_options;
  if (auto opened = open_probe_socket(stream.lowest_layer(), protocol, request.socket ? *request.socket : no_options);
      !opened)
    co_return fail(opened.error());
  const asio::ip::tcp::endpoint endpoint(address, request.port);
  auto [connect_error] = co_await stream.lowest_layer().async_connect(endpoint, rt::use_nothrow);
  if (connect_error) co_return fail(make_error(connect_error, "cannot connect"));
  SSL* ssl = stream.native_handle();
  if (request.sni) {
    // SSL_set_tlsext_host_name() is a macro with a C cast; this is what it expands to.
    SSL_ctrl(ssl, SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name, const_cast<char*>(request.sni->c_str()));
  }
  if (request.verify_certificate) {
    const std::string expected = request.sni.value_or(request.host);
    stream.set_verify_callback(asio::ssl::host_name_verification(expected));
  }
  auto [handshake_error] = co_await stream.async_handshake(asio::ssl::stream_base::client, rt::use_nothrow);
  if (handshake_error) co_return fail(make_error(handshake_error, "TLS handshake failed"));
  TlsSummary summary;
  if (const char* cipher = SSL_get_cipher_name(ssl)) summary.cipher = cipher;
  if (X509* peer = SSL_get1_peer_certificate(ssl)) {
    char subject[512] = {};
    X509_NAME_oneline(X509_get_subject_name(peer), subject, sizeof subject);
    summary.peer_subject = subject;
    X509_free(peer);
  }
  auto exchange = exchange_http(stream, std::move(request.request));
  auto response = co_await std::move(exchange);
  if (!response) co_return fail(response.error());
  summary.response = std::move(*response);
  if (request.send_close_notify) {
    auto [shutdown_error] = co_await stream.async_shutdown(rt::use_nothrow);
    (void)shutdown_error;  // the verdict is already decided
  }
  co_return summary;
}

}  // namespace vigil::checker
