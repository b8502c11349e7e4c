// vrrp_script scheduling: the first runs spread over the first interval, then a fixed grid.
#include "track/script_schedule.hpp"

#include <doctest/doctest.h>

#include <chrono>

using namespace std::chrono_literals;
using vigil::Duration;
using vigil::TimePoint;
using vigil::track::first_script_run;
using vigil::track::next_script_run;

namespace {
const TimePoint kStart = TimePoint{} + 1000s;
}

TEST_CASE("script schedule: 1000 scripts at 1 s start one millisecond apart") {
  CHECK(first_script_run(kStart, 1s, 0, 1000) == kStart);
  CHECK(first_script_run(kStart, 1s, 1, 1000) == kStart + 1ms);
  CHECK(first_script_run(kStart, 1s, 999, 1000) == kStart + 999ms);
}

TEST_CASE("script schedule: the spread window is the interval, at most one second") {
  CHECK(first_script_run(kStart, 200ms, 1, 2) == kStart + 100ms);
  CHECK(first_script_run(kStart, 60s, 1, 2) == kStart + 500ms);  // a slow script still starts soon
  CHECK(first_script_run(kStart, 1s, 2, 3) == kStart + Duration(666'666'666));
}

TEST_CASE("script schedule: one script, or no interval, starts at once") {
  CHECK(first_script_run(kStart, 1s, 0, 1) == kStart);
  CHECK(first_script_run(kStart, 0s, 5, 10) == kStart);
}

TEST_CASE("script schedule: the next run follows the grid, not the time the last one ended") {
  const TimePoint due = kStart + 7ms;
  // Finished 30 ms after it was due (it started late, or ran that long): still due + 1 s.
  CHECK(next_script_run(due, 1s, due + 30ms) == due + 1s);
  CHECK(next_script_run(due, 1s, due + 1s) == due + 1s);
  // Every run of a grid keeps its phase, whatever each one's lateness was.
  TimePoint next = due;
  for (int i = 0; i < 100; ++i) next = next_script_run(next, 1s, next + Duration(i * 1ms));
  CHECK(next == due + 100s);
}

TEST_CASE("script schedule: a run that overran its interval is followed at once") {
  const TimePoint due = kStart;
  CHECK(next_script_run(due, 1s, due + 1500ms) == due + 1500ms);
  CHECK(next_script_run(due, 0s, due + 3ms) == due + 3ms);
}
