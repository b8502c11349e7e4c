// The shared connect-deadline timer: due watches expire, finished ones never do, and stop() leaves
// nothing behind for the io_context. Flags only: the deadlines are a few milliseconds of real time
// but nothing asserts how long anything took.
#include "checker/connect_deadlines.hpp"

#include <doctest/doctest.h>

#include <asio/io_context.hpp>
#include <chrono>
#include <memory>

using namespace vigil;
using checker::ConnectDeadlines;
using namespace std::chrono_literals;

TEST_CASE("connect deadlines: due watches expire whatever their order of arrival - finished ones never") {
  asio::io_context io;
  auto deadlines = ConnectDeadlines::create(io.get_executor());
  asio::ip::tcp::socket late(io);
  asio::ip::tcp::socket early(io);
  asio::ip::tcp::socket finished(io);
  const auto now = Clock::now();
  auto late_watch = std::make_unique<ConnectDeadlines::Watch>(*deadlines, late, now + 30ms);
  auto early_watch = std::make_unique<ConnectDeadlines::Watch>(*deadlines, early, now + 10ms);  // re-arms earlier
  auto finished_watch = std::make_unique<ConnectDeadlines::Watch>(*deadlines, finished, now + 20ms);
  CHECK(deadlines->watching() == 3);
  finished_watch.reset();  // its connect completed in time
  CHECK(deadlines->watching() == 2);
  io.run_for(10s);  // returns as soon as no watch is left to wait for
  CHECK(io.stopped());
  CHECK(early_watch->expired());
  CHECK(late_watch->expired());
  CHECK(deadlines->watching() == 0);
}

TEST_CASE("connect deadlines: stop() cancels the timer - later watches are not kept") {
  asio::io_context io;
  auto deadlines = ConnectDeadlines::create(io.get_executor());
  asio::ip::tcp::socket socket(io);
  ConnectDeadlines::Watch watch(*deadlines, socket, Clock::now() + 1h);
  deadlines->stop();
  io.run_for(10s);
  CHECK(io.stopped());  // no timer left pending for an hour
  CHECK_FALSE(watch.expired());
  ConnectDeadlines::Watch after(*deadlines, socket, Clock::now());
  CHECK(deadlines->watching() == 1);  // only the one made before stop()
}

TEST_CASE("connect deadlines: the set can go before a stale timer handler runs") {
  asio::io_context io;
  {
    auto deadlines = ConnectDeadlines::create(io.get_executor());
    asio::ip::tcp::socket socket(io);
    ConnectDeadlines::Watch watch(*deadlines, socket, Clock::now() + 1h);
  }
  io.run_for(10s);  // the cancelled wait's handler runs against a weak_ptr that has expired
  CHECK(io.stopped());
}
