#include "net/smtp/client.hpp"

#include <array>
#include <asio/buffer.hpp>
#include <asio/ip/address.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/this_coro.hpp>
#include <asio/write.hpp>
#include <system_error>

#include "rt/with_timeout.hpp"

namespace vigil::net::smtp {

namespace {

using asio::ip::tcp;

std::string endpoint_text(const tcp::endpoint& endpoint) {
  const auto address = endpoint.address();
  const std::string host = address.is_v6() ? "[" + address.to_string() + "]" : address.to_string();
  return host + ":" + std::to_string(endpoint.port());
}

Error step_error(const std::string& step, const Error& error) {
  return make_error(error.code, step + ": " + error.message);
}

rt::Task<Result<std::vector<tcp::endpoint>>> resolve(std::string host, std::uint16_t port) {
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [ec, results] = co_await resolver.async_resolve(host, std::to_string(port), rt::use_nothrow);
  if (ec) co_return fail(make_error(ec, ec.message()));
  std::vector<tcp::endpoint> endpoints;
  for (const auto& entry : results) endpoints.push_back(entry.endpoint());
  co_return endpoints;
}

rt::Task<Result<void>> connect_to(tcp::socket& socket, tcp::endpoint endpoint) {
  asio::error_code ignored;
  socket.close(ignored);
  auto [ec] = co_await socket.async_connect(endpoint, rt::use_nothrow);
  if (ec) co_return fail(make_error(ec, ec.message()));
  co_return Result<void>{};
}

rt::Task<Result<std::size_t>> read_some(tcp::socket& socket, asio::mutable_buffer buffer) {
  auto [ec, size] = co_await socket.async_read_some(buffer, rt::use_nothrow);
  if (ec) co_return fail(make_error(ec, ec == asio::error::eof ? std::string("connection closed") : ec.message()));
  co_return size;
}

rt::Task<Result<void>> write_all(tcp::socket& socket, const std::string& text) {
  auto [ec, size] = co_await asio::async_write(socket, asio::buffer(text), rt::use_nothrow);
  (void)size;
  if (ec) co_return fail(make_error(ec, ec.message()));
  co_return Result<void>{};
}

}  // namespace

rt::Task<Result<Delivery>> send_mail(Server server, Dialogue dialogue, Duration step_timeout) {
  auto executor = co_await asio::this_coro::executor;
  std::vector<tcp::endpoint> endpoints;
  asio::error_code not_literal;
  const auto literal = asio::ip::make_address(server.host, not_literal);
  if (!not_literal) {
    endpoints.emplace_back(literal, server.port);
  } else {
    auto resolving = resolve(server.host, server.port);
    auto resolved = co_await rt::with_timeout(std::move(resolving), step_timeout);
    if (!resolved) co_return fail(step_error("resolve " + server.host, resolved.error()));
    endpoints = std::move(*resolved);
  }

  tcp::socket socket(executor);
  Error last_failure = make_error(std::errc::host_unreachable, "resolve " + server.host + ": no address");
  bool connected = false;
  for (const auto& endpoint : endpoints) {
    auto connecting = connect_to(socket, endpoint);
    auto done = co_await rt::with_timeout(std::move(connecting), step_timeout);
    if (done) {
      connected = true;
      break;
    }
    last_failure = step_error("connect to " + endpoint_text(endpoint), done.error());
  }
  if (!connected) co_return fail(std::move(last_failure));

  ReplyReader reader;
  std::array<char, 4096> buffer{};
  while (!dialogue.finished()) {
    std::optional<Reply> reply = reader.next();
    while (!reply) {
      auto reading = read_some(socket, asio::buffer(buffer));
      auto got = co_await rt::with_timeout(std::move(reading), step_timeout);
      if (!got) {
        // A server that hangs up after accepting the message instead of answering QUIT has
        // still taken it.
        if (dialogue.phase() == Phase::kQuit) break;
        co_return fail(step_error(std::string("waiting for the reply to ") + to_string(dialogue.phase()), got.error()));
      }
      reader.feed(std::string_view(buffer.data(), *got));
      if (reader.overflowed()) co_return fail(make_error(std::errc::protocol_error, "reply line too long"));
      reply = reader.next();
    }
    if (!reply) break;
    const Phase phase = dialogue.phase();
    const std::string out = dialogue.on_reply(*reply);
    if (out.empty()) continue;
    auto writing = write_all(socket, out);
    auto written = co_await rt::with_timeout(std::move(writing), step_timeout);
    if (!written) {
      if (dialogue.phase() == Phase::kQuit) break;
      co_return fail(
          step_error(std::string("sending ") + to_string(phase == Phase::kData ? Phase::kBody : dialogue.phase()),
                     written.error()));
    }
  }
  asio::error_code ignored;
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
  if (!dialogue.delivered()) {
    co_return fail(make_error(std::errc::protocol_error,
                              dialogue.failure().empty() ? std::string("connection closed") : dialogue.failure()));
  }
  co_return Delivery{dialogue.refused()};
}

}  // namespace vigil::net::smtp
