#include "engine/advert_lateness.hpp"

#include <doctest/doctest.h>

#include <chrono>

#include "engine/tracking.hpp"

using namespace std::chrono_literals;
using vigil::engine::AdvertLateness;
using vigil::engine::ScriptLateness;

TEST_CASE("advert lateness: each send lands in the first bucket whose bound it does not exceed") {
  AdvertLateness lateness;
  lateness.record(0ns);
  lateness.record(-3ms);   // sent before its slot: counts as on time
  lateness.record(500us);  // on the bound: that bucket (le is inclusive)
  lateness.record(501us);
  lateness.record(4ms);
  lateness.record(60ms);
  lateness.record(2s);  // beyond the last bound: +Inf
  const auto snapshot = lateness.snapshot();
  CHECK(snapshot.count == 7);
  CHECK(snapshot.counts[0] == 3);  // <= 0.5 ms
  CHECK(snapshot.counts[1] == 1);  // <= 1 ms
  CHECK(snapshot.counts[2] == 0);  // <= 2 ms
  CHECK(snapshot.counts[3] == 1);  // <= 5 ms
  CHECK(snapshot.counts[4] == 0);  // <= 10 ms
  CHECK(snapshot.counts[5] == 0);  // <= 50 ms
  CHECK(snapshot.counts[6] == 1);  // <= 100 ms
  CHECK(snapshot.counts[7] == 1);  // +Inf
  CHECK(snapshot.sum_seconds == doctest::Approx(0.0005 + 0.000501 + 0.004 + 0.060 + 2.0));
}

TEST_CASE("script start lateness: its own bounds, from 1 ms to 1 s, in the snapshot") {
  ScriptLateness lateness;
  lateness.record(200us);
  lateness.record(3ms);
  lateness.record(700ms);
  lateness.record(5s);
  const auto snapshot = lateness.snapshot();
  CHECK(snapshot.bounds_seconds == ScriptLateness::kBoundsSeconds);
  CHECK(snapshot.bounds_seconds.front() == 0.001);
  CHECK(snapshot.bounds_seconds.back() == 1.0);
  CHECK(snapshot.count == 4);
  CHECK(snapshot.counts[0] == 1);  // <= 1 ms
  CHECK(snapshot.counts[2] == 1);  // <= 5 ms
  CHECK(snapshot.counts[8] == 1);  // <= 1 s
  CHECK(snapshot.counts[9] == 1);  // +Inf
}
