#pragma once
// Runs one coroutine on a test's io_context with an upper bound, so a lost packet fails the case
// instead of hanging it. The bound only stops a broken test; nothing asserts on timing.
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <optional>

namespace vigil::test {

inline constexpr std::chrono::seconds kGenerousBound{10};

template <class T>
std::optional<T> run_bounded(asio::io_context& io, asio::awaitable<T> task) {
  std::optional<T> outcome;
  std::exception_ptr failure;
  io.restart();
  asio::co_spawn(io, std::move(task), [&](std::exception_ptr error, T value) {
    failure = error;
    if (!error) outcome.emplace(std::move(value));
  });
  io.run_for(kGenerousBound);
  if (failure) std::rethrow_exception(failure);
  return outcome;
}

}  // namespace vigil::test
