#include "rt/with_timeout.hpp"

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <exception>
#include <stdexcept>

using namespace std::chrono_literals;
using vigil::Result;
using vigil::rt::Task;

namespace {

Task<int> sleep_then(std::chrono::milliseconds delay, int value) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);  // throws operation_aborted when cancelled
  co_return value;
}

Task<Result<int>> sleep_then_result(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  auto [ec] = co_await timer.async_wait(vigil::rt::use_nothrow);
  if (ec) co_return vigil::fail(vigil::make_error(ec, "sleep"));
  co_return 7;
}

Task<void> sleep_void(std::chrono::milliseconds delay) {
  asio::steady_timer timer(co_await asio::this_coro::executor, delay);
  co_await timer.async_wait(asio::use_awaitable);
}

Task<int> throw_now() {
  co_await asio::this_coro::executor;
  throw std::runtime_error("bind failed");
}

template <class F>
void run_coroutine(F body) {
  asio::io_context context(1);
  std::exception_ptr failure;
  asio::co_spawn(context, body, [&](std::exception_ptr e) { failure = e; });
  context.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

TEST_CASE("with_timeout returns the value when the operation finishes first") {
  run_coroutine([]() -> Task<void> {
    auto result = co_await vigil::rt::with_timeout(sleep_then(1ms, 42), 10s);
    REQUIRE(result.has_value());
    CHECK(*result == 42);
  });
}

TEST_CASE("with_timeout reports timed_out and cancels the operation") {
  run_coroutine([]() -> Task<void> {
    const auto started = std::chrono::steady_clock::now();
    auto result = co_await vigil::rt::with_timeout(sleep_then(10s, 42), 5ms);
    REQUIRE_FALSE(result.has_value());
    CHECK(result.error().code == std::make_error_code(std::errc::timed_out));
    CHECK(result.error().message.find("5ms") != std::string::npos);
    CHECK(std::chrono::steady_clock::now() - started < 5s);  // the 10 s sleep was cancelled, not awaited
  });
}

TEST_CASE("with_timeout does not swallow an exception as a timeout (unlike ||)") {
  bool caught = false;
  try {
    run_coroutine([]() -> Task<void> { (void)co_await vigil::rt::with_timeout(throw_now(), 10s); });
  } catch (const std::runtime_error& e) {
    caught = std::string(e.what()) == "bind failed";
  }
  CHECK(caught);
}

TEST_CASE("with_timeout flattens Result and supports void") {
  run_coroutine([]() -> Task<void> {
    Result<int> ok = co_await vigil::rt::with_timeout(sleep_then_result(1ms), 10s);
    CHECK(ok.value_or(0) == 7);
    Result<int> late = co_await vigil::rt::with_timeout(sleep_then_result(10s), 1ms);
    REQUIRE_FALSE(late.has_value());
    CHECK(late.error().code == std::make_error_code(std::errc::timed_out));
    Result<void> done = co_await vigil::rt::with_timeout(sleep_void(1ms), 10s);
    CHECK(done.has_value());
    Result<void> not_done = co_await vigil::rt::with_timeout(sleep_void(10s), 1ms);
    CHECK_FALSE(not_done.has_value());
  });
}
