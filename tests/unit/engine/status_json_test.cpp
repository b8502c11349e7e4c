// The status document's timers and vrrp_scripts: steady-clock instants as unix seconds.
#include "engine/status_json.hpp"

#include <doctest/doctest.h>

using namespace vigil;
using namespace vigil::engine;
using namespace std::chrono_literals;

namespace {

// A fixed pairing of the two clocks: steady 1000 s is unix 1 700 000 000 s.
WallClock fixed_clock() {
  return WallClock{TimePoint{} + 1000s, std::chrono::system_clock::time_point{} + 1'700'000'000s};
}

}  // namespace

TEST_CASE("status json: armed timers are unix seconds, unarmed ones null") {
  vrrp::Deadlines deadlines;
  deadlines.advert = TimePoint{} + 1000s + 250ms;
  const auto timers = timers_json(deadlines, fixed_clock());
  CHECK(timers["advert"].get<double>() == doctest::Approx(1'700'000'000.25));
  CHECK(timers["master_down"].is_null());
  CHECK(timers["garp_refresh"].is_null());
  CHECK(timers.size() == 7);
}

TEST_CASE("status json: a vrrp_script with its verdict, counters and next run") {
  ScriptStatus good;
  good.name = "chk_ok";
  good.runs = 5;
  good.last_duration = 4ms;
  good.last_run = TimePoint{} + 999s;
  good.next_run = TimePoint{} + 1001s;
  ScriptStatus bad;
  bad.name = "chk_fail";
  bad.up = false;
  bad.running = true;
  bad.runs = 3;
  bad.failures = 3;
  bad.timeouts = 1;
  const auto scripts = to_json(std::vector{good, bad}, fixed_clock());
  REQUIRE(scripts.size() == 2);
  CHECK(scripts[0]["name"] == "chk_ok");
  CHECK(scripts[0]["status"] == "GOOD");
  CHECK(scripts[0]["runs"] == 5);
  CHECK(scripts[0]["last_duration_seconds"].get<double>() == doctest::Approx(0.004));
  CHECK(scripts[0]["last_run"].get<double>() == doctest::Approx(1'699'999'999.0));
  CHECK(scripts[0]["next_run"].get<double>() == doctest::Approx(1'700'000'001.0));
  CHECK(scripts[1]["status"] == "BAD");
  CHECK(scripts[1]["running"] == true);
  CHECK(scripts[1]["failures"] == 3);
  CHECK(scripts[1]["timeouts"] == 1);
  CHECK(scripts[1]["last_run"].is_null());
  CHECK(scripts[1]["next_run"].is_null());
}
