// The checker schedule on a virtual clock: when probes start and when the verdict changes follow
// delay_loop, retry, delay_before_retry, warmup and alpha.
#include "check/schedule.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigil;
using namespace vigil::check;
using namespace std::chrono_literals;

namespace {

// Runs a schedule from t=0 through `results` ('+' pass, '-' fail, each probe finishing
// `probe_time` after it starts) and renders "t=<ms>:<result>[U|D]" per probe, the verdict letter
// appearing only when it changed.
std::string run(const CheckTiming& timing, const std::string& results, Duration probe_time = 0ms,
                double fraction = 0.0) {
  CheckerSchedule schedule(timing);
  const TimePoint epoch{};
  auto step = schedule.start(epoch, fraction);
  std::string out = std::string(step.verdict->up ? "U" : "D");
  for (const char r : results) {
    const auto start_ms = std::chrono::duration_cast<std::chrono::milliseconds>(step.next_probe - epoch).count();
    step = schedule.on_probe_finished(ProbeResult{r == '+', std::nullopt}, step.next_probe + probe_time);
    out += " " + std::to_string(start_ms) + r;
    if (step.verdict) out += step.verdict->up ? "U" : "D";
  }
  return out;
}

}  // namespace

TEST_CASE("schedule: retries - delays and verdicts (table)") {
  struct Row {
    const char* what;
    CheckTiming timing;
    std::string results;
    std::string expected;
  };
  const CheckTiming base{
      .delay_loop = 10s, .delay_before_retry = 2s, .retry = 1, .warmup = 0s, .connect_timeout = 1s, .alpha = false};
  CheckTiming retry3 = base;
  retry3.retry = 3;
  CheckTiming no_retry = base;
  no_retry.retry = 0;
  CheckTiming alpha = base;
  alpha.alpha = true;
  const std::vector<Row> rows = {
      {"alive until proven otherwise; passing probes every delay_loop", base, "+++", "U 0+ 10000+ 20000+"},
      {"one failure is retried after delay_before_retry, the second is DOWN", base, "--+", "U 0- 2000-D 12000+U"},
      {"a pass between failures resets the retry budget", base, "-+-+", "U 0- 2000+ 12000- 14000+"},
      {"retry 3: four failures in a row", retry3, "----+", "U 0- 2000- 4000- 6000-D 16000+U"},
      {"retry 0: the first failure is DOWN", no_retry, "-+", "U 0-D 10000+U"},
      {"while DOWN, failures are retried too and do not repeat the verdict", base, "-----",
       "U 0- 2000-D 12000- 14000- 24000-"},
      {"alpha starts DOWN until a probe passes", alpha, "-+", "D 0- 2000+U"},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    CHECK(run(row.timing, row.results) == row.expected);
  }
}

TEST_CASE("schedule: the next probe counts from the end of the previous one") {
  const CheckTiming timing{.delay_loop = 10s, .delay_before_retry = 2s, .retry = 1};
  CHECK(run(timing, "+--", 500ms) == "U 0+ 10500- 13000-D");
}

TEST_CASE("schedule: warmup spreads the first probe by the caller's random fraction") {
  CheckTiming timing{.delay_loop = 10s, .delay_before_retry = 2s, .retry = 1, .warmup = 8s};
  CHECK(run(timing, "+", 0ms, 0.0) == "U 0+");
  CHECK(run(timing, "+", 0ms, 0.5) == "U 4000+");
  CHECK(run(timing, "+", 0ms, 0.25) == "U 2000+");
}

TEST_CASE("schedule: a weight change while UP is a verdict") {
  CheckerSchedule schedule(CheckTiming{.delay_loop = 5s, .retry = 0});
  const TimePoint t0{};
  (void)schedule.start(t0, 0);
  auto step = schedule.on_probe_finished({true, 7}, t0);
  REQUIRE(step.verdict);
  CHECK(step.verdict->up);
  CHECK(step.verdict->weight == 7);
  step = schedule.on_probe_finished({true, 7}, t0 + 5s);
  CHECK_FALSE(step.verdict);
  step = schedule.on_probe_finished({true, std::nullopt}, t0 + 10s);
  REQUIRE(step.verdict);
  CHECK_FALSE(step.verdict->weight);
  step = schedule.on_probe_finished({false, std::nullopt}, t0 + 15s);
  REQUIRE(step.verdict);
  CHECK_FALSE(step.verdict->up);
}

TEST_CASE("schedule: a DOWN server is probed every delay_loop, and one passing probe brings it back") {
  CheckTiming timing{
      .delay_loop = 10s, .delay_before_retry = 2s, .retry = 1, .warmup = 0s, .connect_timeout = 1s, .alpha = false};
  CHECK(run(timing, "----+-") == "U 0- 2000-D 12000- 14000- 24000+U 34000-");
}

TEST_CASE("schedule: which failed probes are worth a log line (log_all_failures)") {
  const auto logged = [](const CheckTiming& timing, const std::string& results) {
    CheckerSchedule schedule(timing);
    auto step = schedule.start(TimePoint{}, 0.0);
    std::string out;
    for (const char r : results) {
      step = schedule.on_probe_finished(ProbeResult{r == '+', std::nullopt}, step.next_probe);
      out += step.log_failure ? 'L' : '.';
    }
    return out;
  };
  CheckTiming timing{
      .delay_loop = 10s, .delay_before_retry = 2s, .retry = 2, .warmup = 0s, .connect_timeout = 1s, .alpha = false};
  // The first failure of a streak on an UP server, and the one that decides DOWN; not the retry
  // in between, nor the failures of a server that stays DOWN; never a pass.
  CHECK(logged(timing,
               "+---"
               "---"
               "+-") ==
        ".L.L"
        "..."
        ".L");
  timing.log_all_failures = true;
  CHECK(logged(timing,
               "+---"
               "---"
               "+-") ==
        ".LLL"
        "LLL"
        ".L");
}
