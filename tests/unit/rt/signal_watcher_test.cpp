#include "rt/signal_watcher.hpp"

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <csignal>
#include <exception>
#include <vector>

using vigil::rt::SignalEvent;

TEST_CASE("signals arrive as typed events") {
  asio::io_context context(1);
  vigil::rt::SignalWatcher watcher(context.get_executor());
  std::vector<SignalEvent> events;
  std::vector<int> numbers;
  std::exception_ptr failure;
  asio::co_spawn(
      context,
      [&]() -> vigil::rt::Task<void> {
        for (int signal : {SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGTERM}) {
          ::raise(signal);
          auto received = co_await watcher.next();
          REQUIRE(received.has_value());
          events.push_back(received->event);
          numbers.push_back(received->signal);
        }
      },
      [&](std::exception_ptr e) { failure = e; });
  context.run();
  CHECK_FALSE(failure);
  CHECK(events == std::vector<SignalEvent>{SignalEvent::ReloadRequested, SignalEvent::StateDumpRequested,
                                           SignalEvent::StatsDumpRequested, SignalEvent::StopRequested,
                                           SignalEvent::StopRequested});
  CHECK(numbers == std::vector<int>{SIGHUP, SIGUSR1, SIGUSR2, SIGINT, SIGTERM});
}

TEST_CASE("signals raised before next() is awaited are queued, not lost") {
  asio::io_context context(1);
  vigil::rt::SignalWatcher watcher(context.get_executor());
  ::raise(SIGHUP);
  int received = 0;
  asio::co_spawn(
      context,
      [&]() -> vigil::rt::Task<void> {
        auto event = co_await watcher.next();
        if (event && event->event == SignalEvent::ReloadRequested) ++received;
      },
      [](std::exception_ptr) {});
  context.run();
  CHECK(received == 1);
}

TEST_CASE("cancel() ends a pending next() with an error") {
  asio::io_context context(1);
  vigil::rt::SignalWatcher watcher(context.get_executor());
  bool got_error = false;
  asio::co_spawn(
      context,
      [&]() -> vigil::rt::Task<void> {
        auto event = co_await watcher.next();
        got_error = !event.has_value();
      },
      [](std::exception_ptr) {});
  asio::post(context, [&] { watcher.cancel(); });
  context.run();
  CHECK(got_error);
}

TEST_CASE("to_string names every signal event") {
  for (auto event : {SignalEvent::ReloadRequested, SignalEvent::StopRequested, SignalEvent::StateDumpRequested,
                     SignalEvent::StatsDumpRequested}) {
    CHECK(vigil::rt::to_string(event) != "unknown signal event");
  }
}
