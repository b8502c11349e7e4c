// The SMTP driver against a scripted server on loopback: what goes over the wire, a refusing
// server and a silent one (the step timeout ends the wait, whatever the machine's speed).
#include "net/smtp/client.hpp"

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read_until.hpp>
#include <asio/steady_timer.hpp>
#include <asio/streambuf.hpp>
#include <asio/write.hpp>
#include <chrono>
#include <functional>
#include <optional>
#include <string>

using namespace std::chrono_literals;
using asio::ip::tcp;
using vigil::Result;
using vigil::rt::Task;
namespace smtp = vigil::net::smtp;

namespace {

// Answers each line the client sends with answer(line); "" means: stay silent.
struct FakeServer {
  std::string greeting = "220 test ESMTP\r\n";
  std::function<std::string(const std::string&)> answer;
  std::string transcript;  // everything the client sent
};

Task<void> serve(tcp::acceptor& acceptor, FakeServer& server) {
  auto [accept_ec, socket] = co_await acceptor.async_accept(vigil::rt::use_nothrow);
  if (accept_ec) co_return;
  if (!server.greeting.empty()) {
    auto [ec, n] = co_await asio::async_write(socket, asio::buffer(server.greeting), vigil::rt::use_nothrow);
    if (ec) co_return;
  } else {
    asio::steady_timer forever(socket.get_executor(), 1h);
    co_await forever.async_wait(vigil::rt::use_nothrow);
  }
  asio::streambuf input;
  bool in_data = false;
  for (;;) {
    auto [ec, n] = co_await asio::async_read_until(socket, input, "\r\n", vigil::rt::use_nothrow);
    if (ec) co_return;
    std::string line(asio::buffers_begin(input.data()), asio::buffers_begin(input.data()) + static_cast<long>(n));
    input.consume(n);
    server.transcript += line;
    std::string reply;
    if (in_data) {
      if (line != ".\r\n") continue;
      in_data = false;
      reply = server.answer("<end of data>");
    } else {
      reply = server.answer(line);
      if (line == "DATA\r\n" && reply.starts_with("354")) in_data = true;
    }
    if (reply.empty()) continue;
    auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(reply), vigil::rt::use_nothrow);
    if (wec || line == "QUIT\r\n") co_return;
  }
}

Result<smtp::Delivery> exchange(FakeServer& server, std::vector<std::string> to, vigil::Duration timeout = 5s) {
  asio::io_context context(1);
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = acceptor.local_endpoint().port();
  asio::co_spawn(context, serve(acceptor, server), asio::detached);
  std::optional<Result<smtp::Delivery>> outcome;
  smtp::Dialogue dialogue("lb1", "vigil@lb1", std::move(to), "Subject: s\r\n\r\n.dot\r\n");
  asio::co_spawn(context, smtp::send_mail(smtp::Server{"127.0.0.1", port}, std::move(dialogue), timeout),
                 [&](std::exception_ptr failure, Result<smtp::Delivery> result) {
                   REQUIRE_FALSE(failure);
                   outcome = std::move(result);
                   context.stop();
                 });
  context.run();
  REQUIRE(outcome);
  return std::move(*outcome);
}

std::string polite(const std::string& line) {
  if (line.starts_with("EHLO")) return "250-test\r\n250 8BITMIME\r\n";
  if (line.starts_with("DATA")) return "354 go ahead\r\n";
  if (line.starts_with("QUIT")) return "221 bye\r\n";
  return "250 ok\r\n";
}

}  // namespace

TEST_CASE("send_mail speaks the whole dialogue and the server gets the dot-stuffed message") {
  FakeServer server;
  server.answer = polite;
  auto delivered = exchange(server, {"a@example.com", "b@example.com"});
  REQUIRE(delivered);
  CHECK(delivered->refused.empty());
  CHECK(server.transcript ==
        "EHLO lb1\r\nMAIL FROM:<vigil@lb1>\r\nRCPT TO:<a@example.com>\r\nRCPT TO:<b@example.com>\r\nDATA\r\n"
        "Subject: s\r\n\r\n..dot\r\n.\r\nQUIT\r\n");
}

TEST_CASE("send_mail reports a refusing server with its reply") {
  FakeServer server;
  server.greeting = "554 no service here\r\n";
  server.answer = polite;
  auto refused = exchange(server, {"a@example.com"});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().message.find("554 no service here") != std::string::npos);
}

TEST_CASE("send_mail gives up on a silent server after the step timeout") {
  FakeServer server;
  server.greeting.clear();  // accepts, then says nothing
  server.answer = polite;
  auto silent = exchange(server, {"a@example.com"}, 50ms);
  REQUIRE_FALSE(silent);
  CHECK(silent.error().code == std::errc::timed_out);
  CHECK(silent.error().message.find("greeting") != std::string::npos);
}

TEST_CASE("send_mail reports a closed port") {
  asio::io_context context(1);
  tcp::acceptor probe(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  const auto port = probe.local_endpoint().port();
  probe.close();
  std::optional<Result<smtp::Delivery>> outcome;
  smtp::Dialogue dialogue("lb1", "vigil@lb1", {"a@example.com"}, "x\r\n");
  asio::co_spawn(context, smtp::send_mail(smtp::Server{"127.0.0.1", port}, std::move(dialogue), 5s),
                 [&](std::exception_ptr, Result<smtp::Delivery> result) { outcome = std::move(result); });
  context.run();
  REQUIRE(outcome);
  REQUIRE_FALSE(*outcome);
  CHECK(outcome->error().message.find("connect to 127.0.0.1:") != std::string::npos);
}
