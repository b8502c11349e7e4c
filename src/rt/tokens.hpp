#pragma once
// Completion tokens and coroutine vocabulary shared by every Asio user.
#include <asio/awaitable.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/use_awaitable.hpp>

namespace vigil::rt {

template <class T = void>
using Task = asio::awaitable<T>;

// `auto [ec, n] = co_await sock.async_receive(buf, rt::use_nothrow);` — expected failures (timeouts,
// ENOBUFS, cancellation) come back as error codes, never as exceptions (architecture rule 5).
inline constexpr auto use_nothrow = asio::experimental::as_tuple(asio::use_awaitable);

// Throwing flavour, for the rare place where a failure is a bug.
inline constexpr auto use_throwing = asio::use_awaitable;

}  // namespace vigil::rt
