// The mailer against an SMTP server on loopback: alerts go out one at a time in order, a full
// queue drops the newest and says how many, a refusing server is logged and the next alert still
// goes out.
#include "engine/mailer.hpp"

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
#include <string>
#include <vector>

#include "sys/log.hpp"

using namespace std::chrono_literals;
using asio::ip::tcp;
using vigil::rt::Task;
namespace engine = vigil::engine;

namespace {

struct Inbox {
  std::vector<std::string> subjects;
  std::size_t sessions = 0;
  bool refuse_first = false;
};

// Serves sessions one after another (as the mailer sends them) and records each Subject.
Task<void> serve(tcp::acceptor& acceptor, Inbox& inbox) {
  for (;;) {
    auto [accept_ec, socket] = co_await acceptor.async_accept(vigil::rt::use_nothrow);
    if (accept_ec) co_return;
    const bool refuse = inbox.refuse_first && inbox.sessions == 0;
    ++inbox.sessions;
    std::string greeting = refuse ? "554 not now\r\n" : "220 test\r\n";
    co_await asio::async_write(socket, asio::buffer(greeting), vigil::rt::use_nothrow);
    asio::streambuf input;
    bool in_data = false;
    for (;;) {
      auto [ec, n] = co_await asio::async_read_until(socket, input, "\r\n", vigil::rt::use_nothrow);
      if (ec) break;
      std::string line(asio::buffers_begin(input.data()), asio::buffers_begin(input.data()) + static_cast<long>(n));
      input.consume(n);
      std::string reply = "250 ok\r\n";
      if (in_data) {
        if (line.starts_with("Subject: ")) inbox.subjects.push_back(line.substr(9, line.size() - 11));
        if (line != ".\r\n") continue;
        in_data = false;
      } else if (line == "DATA\r\n") {
        in_data = true;
        reply = "354 go\r\n";
      } else if (line == "QUIT\r\n") {
        reply = "221 bye\r\n";
      }
      auto [wec, wn] = co_await asio::async_write(socket, asio::buffer(reply), vigil::rt::use_nothrow);
      if (wec || line == "QUIT\r\n") break;
    }
  }
}

struct Run {
  Inbox inbox;
  std::vector<std::string> log;
};

void run_mailer(Run& run, std::size_t capacity, const std::vector<std::string>& names, std::size_t expect_sessions) {
  asio::io_context context(1);
  tcp::acceptor acceptor(context, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0));
  asio::co_spawn(context, serve(acceptor, run.inbox), asio::detached);
  vigil::sys::set_log_sink([&](const vigil::sys::LogRecord& record) { run.log.emplace_back(record.message); });

  engine::Mailer mailer(context.get_executor(), capacity);
  vigil::config::GlobalConfig global;
  global.router_id = "lb1";
  global.notification_email = {"ops@example.com"};
  global.smtp_server = vigil::config::HostPort{"127.0.0.1", acceptor.local_endpoint().port()};
  global.smtp_connect_timeout = 5s;
  mailer.configure(engine::mailer_settings(global, "unused"));
  for (const auto& name : names) mailer.post_vrrp_alert(engine::VrrpAlert{false, name, "MASTER", 100, 0});

  // Runs until every expected session has ended (or a generous bound), then stops the mailer.
  asio::co_spawn(
      context,
      [&]() -> Task<void> {
        asio::steady_timer poll(context);
        for (int i = 0;
             i < 1000 && (run.inbox.sessions < expect_sessions || mailer.sent() + mailer.failed() < expect_sessions);
             ++i) {
          poll.expires_after(10ms);
          co_await poll.async_wait(vigil::rt::use_nothrow);
        }
        co_await mailer.stop();
        // The server's accept ends with operation_aborted and the loop runs dry. (Stopping the
        // context instead would leave the accept pending at destruction, which asio's io_uring
        // backend completes against an already destroyed socket service.)
        acceptor.close();
      },
      asio::detached);
  context.run();
  vigil::sys::set_log_sink({});
}

bool logged(const Run& run, const std::string& needle) {
  for (const auto& line : run.log) {
    if (line.find(needle) != std::string::npos) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("mailer: alerts go out in order, and a full queue drops the newest and says how many") {
  Run run;
  // Capacity 2: the five posts land before the sender starts, so 3, 4 and 5 find the queue full.
  run_mailer(run, 2, {"VI_1", "VI_2", "VI_3", "VI_4", "VI_5"}, 2);
  CHECK(run.inbox.subjects == std::vector<std::string>{"[lb1] VRRP Instance VI_1 - Entering MASTER state",
                                                       "[lb1] VRRP Instance VI_2 - Entering MASTER state"});
  CHECK(logged(run, "3 alerts dropped"));
}

TEST_CASE("mailer: a refused alert is logged and the next one still goes out") {
  Run run;
  run.inbox.refuse_first = true;
  run_mailer(run, 8, {"VI_1", "VI_2"}, 2);
  CHECK(run.inbox.subjects == std::vector<std::string>{"[lb1] VRRP Instance VI_2 - Entering MASTER state"});
  CHECK(logged(run, "email alert not sent via 127.0.0.1:"));
  CHECK(logged(run, "554 not now"));
}
