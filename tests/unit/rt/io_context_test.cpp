#include "rt/io_context.hpp"

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <exception>

#include "rt/tokens.hpp"

using namespace std::chrono_literals;

TEST_CASE("backend_name matches the build") {
#if VIGIL_IO_URING
  CHECK(vigil::rt::backend_name() == "io_uring");
#else
  CHECK(vigil::rt::backend_name() == "epoll");
#endif
}

TEST_CASE("make_io_context runs a coroutine timer on the built backend") {
  auto context = vigil::rt::make_io_context();
  REQUIRE_MESSAGE(context.has_value(), (context ? "" : context.error().to_string()));
  int ticks = 0;
  std::exception_ptr failure;
  asio::co_spawn(
      **context,
      [&]() -> vigil::rt::Task<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        for (int i = 0; i < 3; ++i) {
          timer.expires_after(1ms);
          auto [ec] = co_await timer.async_wait(vigil::rt::use_nothrow);
          if (!ec) ++ticks;
        }
      },
      [&](std::exception_ptr e) { failure = e; });
  (*context)->run();
  CHECK_FALSE(failure);
  CHECK(ticks == 3);
  MESSAGE("backend: " << vigil::rt::backend_name());
}
