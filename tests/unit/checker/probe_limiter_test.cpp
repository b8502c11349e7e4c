// The probe limiter hands slots out in arrival order and never exceeds its limit.
#include "checker/probe_limiter.hpp"

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <vector>

using namespace vigil;

namespace {

struct Tally {
  std::size_t holders = 0;
  std::size_t peak = 0;
  std::vector<int> order;
};

// A coroutine function, not a lambda: its parameters live in its frame.
rt::Task<void> hold_a_slot(asio::io_context& io, checker::ProbeLimiter& limiter, Tally& tally, int id) {
  REQUIRE(co_await limiter.acquire());
  checker::ProbeSlot slot(limiter);
  ++tally.holders;
  tally.peak = std::max(tally.peak, tally.holders);
  tally.order.push_back(id);
  // Hold the slot across a few turns of the loop.
  for (int turn = 0; turn < 3; ++turn) co_await asio::post(io, asio::use_awaitable);
  --tally.holders;
}

}  // namespace

TEST_CASE("probe limiter: at most `limit` holders - FIFO hand-over") {
  asio::io_context io;
  checker::ProbeLimiter limiter(io.get_executor(), 2);
  Tally tally;
  for (int i = 0; i < 6; ++i) asio::co_spawn(io, hold_a_slot(io, limiter, tally, i), asio::detached);
  io.run();
  CHECK(tally.peak == 2);
  CHECK(tally.order == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(limiter.in_use() == 0);
  CHECK(limiter.waiting() == 0);
}

TEST_CASE("probe limiter: try_acquire takes a free slot only - never one a waiter is owed") {
  asio::io_context io;
  checker::ProbeLimiter limiter(io.get_executor(), 1);
  CHECK(limiter.try_acquire());
  CHECK_FALSE(limiter.try_acquire());
  Tally tally;
  asio::co_spawn(io, hold_a_slot(io, limiter, tally, 7), asio::detached);
  io.poll();  // the coroutine now waits for the slot
  CHECK(limiter.waiting() == 1);
  limiter.release();  // handed to the waiter, not freed
  CHECK_FALSE(limiter.try_acquire());
  io.run();
  CHECK(tally.order == std::vector<int>{7});
  CHECK(limiter.in_use() == 0);
  CHECK(limiter.try_acquire());
  limiter.release();
}
