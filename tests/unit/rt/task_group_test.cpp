// TaskGroup: owned background tasks that a stop first waits for, then cancels. Timers stand in for
// scripts; the durations only order events (a 1 h task never ends by itself), nothing is timed.
#include "rt/task_group.hpp"

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <exception>
#include <stdexcept>
#include <string>

using namespace std::chrono_literals;
using vigil::rt::Task;
using vigil::rt::TaskGroup;

namespace {

// Records how it ended: "done", or "cancelled" when its wait was aborted.
Task<void> sleep_and_record(std::chrono::milliseconds delay, std::string& outcome) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  auto [ec] = co_await timer.async_wait(vigil::rt::use_nothrow);
  outcome = ec ? "cancelled" : "done";
}

Task<void> fail_soon() {
  co_await asio::this_coro::executor;
  throw std::runtime_error("broken");
}

void run(asio::io_context& context, Task<void> task) {
  std::exception_ptr failure;
  asio::co_spawn(context, std::move(task), [&](std::exception_ptr e) { failure = e; });
  context.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

TEST_CASE("task group: finish lets quick tasks end and cancels the ones past the grace") {
  asio::io_context context(1);
  TaskGroup group(context.get_executor());
  std::string quick;
  std::string slow;
  group.spawn(sleep_and_record(1ms, quick));
  group.spawn(sleep_and_record(1h, slow));
  CHECK(group.running() == 2);
  std::size_t cancelled = 99;
  run(context, [&]() -> Task<void> { cancelled = co_await group.finish(5s); }());
  CHECK(quick == "done");
  CHECK(slow == "cancelled");
  CHECK(cancelled == 1);
  CHECK(group.running() == 0);
}

TEST_CASE("task group: wait resumes when the last task ends, and an error reaches its handler") {
  asio::io_context context(1);
  TaskGroup group(context.get_executor());
  std::string first;
  std::string error;
  group.spawn(sleep_and_record(2ms, first));
  group.spawn(fail_soon(), [&error](std::exception_ptr e) {
    try {
      std::rethrow_exception(e);
    } catch (const std::exception& x) {
      error = x.what();
    }
  });
  run(context, group.wait());
  CHECK(first == "done");
  CHECK(error == "broken");
  CHECK(group.running() == 0);
}

TEST_CASE("task group: cancel ends every task, and finish with none running returns at once") {
  asio::io_context context(1);
  TaskGroup group(context.get_executor());
  std::string a;
  std::string b;
  group.spawn(sleep_and_record(1h, a));
  group.spawn(sleep_and_record(1h, b));
  std::size_t cancelled = 99;
  run(context, [&]() -> Task<void> {
    group.cancel();
    co_await group.wait();
    cancelled = co_await group.finish(1h);
  }());
  CHECK(a == "cancelled");
  CHECK(b == "cancelled");
  CHECK(cancelled == 0);
}
