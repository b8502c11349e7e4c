#pragma once
// Bound an awaitable by a deadline without losing its errors.
//
// Not `op || timer` (asio::experimental::awaitable_operators): `||` waits for the first *success*,
// so an exception thrown by `op` is swallowed and shows up as a timeout. Here the first completion
// of either side wins, the other is cancelled, and an exception from `op` is rethrown.
#include <asio/co_spawn.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <exception>
#include <optional>
#include <type_traits>
#include <utility>

#include "base/duration.hpp"
#include "base/result.hpp"
#include "rt/tokens.hpp"

namespace vigil::rt {

namespace detail {

// with_timeout(awaitable<T>) yields Result<T>; an awaitable that already yields a Result is not nested.
template <class T>
struct TimeoutResult {
  using type = Result<T>;
};
template <class T>
struct TimeoutResult<Result<T>> {
  using type = Result<T>;
};

template <class T>
Task<std::optional<T>> wrap_optional(Task<T> op) {
  co_return std::optional<T>(co_await std::move(op));
}

inline Task<bool> wrap_void(Task<void> op) {
  co_await std::move(op);
  co_return true;
}

[[nodiscard]] inline Error timeout_error(Duration limit) {
  return make_error(std::errc::timed_out, "timed out after " + format_duration(limit));
}

}  // namespace detail

template <class T>
using TimeoutResultT = typename detail::TimeoutResult<T>::type;

// Runs `op`; if it has not finished after `limit`, cancels it and returns an Error with
// std::errc::timed_out. `op` must react to cancellation (every Asio operation does).
template <class T>
Task<TimeoutResultT<T>> with_timeout(Task<T> op, Duration limit) {
  auto executor = co_await asio::this_coro::executor;
  asio::steady_timer timer(executor, limit);
  auto wrapped = [&] {
    if constexpr (std::is_void_v<T>) {
      return detail::wrap_void(std::move(op));
    } else {
      return detail::wrap_optional<T>(std::move(op));
    }
  }();
  auto [order, op_exception, op_value, timer_ec] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(executor, std::move(wrapped), asio::experimental::deferred),
          timer.async_wait(asio::experimental::deferred))
          .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
  (void)timer_ec;
  if (order[0] == 0) {
    if (op_exception) std::rethrow_exception(op_exception);
    if constexpr (std::is_void_v<T>) {
      co_return Result<void>{};
    } else {
      co_return TimeoutResultT<T>(std::move(*op_value));
    }
  }
  // The timer fired first; `op` has been cancelled and has finished (its outcome is dropped).
  co_return fail(detail::timeout_error(limit));
}

}  // namespace vigil::rt
