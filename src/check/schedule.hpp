#pragma once
// When a checker probes and what it concludes: keepalived's delay_loop / retry /
// delay_before_retry / warmup / alpha semantics as a pure state machine. The driver asks when to
// probe, runs the probe (bounded by connect_timeout), and feeds the outcome back with the time.
#include <cstdint>
#include <optional>

#include "base/duration.hpp"

namespace vigil::check {

struct CheckTiming {
  Duration delay_loop = std::chrono::seconds(60);
  Duration delay_before_retry = std::chrono::seconds(1);
  std::uint32_t retry = 1;  // failed probes tolerated (each followed by delay_before_retry) before DOWN
  Duration warmup{0};       // the first probe starts at a random point in [0, warmup)
  Duration connect_timeout = std::chrono::seconds(5);
  bool alpha = false;  // start DOWN until a probe passes (default: UP until proven otherwise)
  // Every failed probe is worth a log line, not only the first of a streak and the one that
  // decides DOWN.
  bool log_all_failures = false;
  friend bool operator==(const CheckTiming&, const CheckTiming&) = default;
};

// One finished probe. `weight` is set by probes that choose the server's weight (misc_dynamic,
// file_check with a weight); nullopt means "the configured weight".
struct ProbeResult {
  bool ok = false;
  std::optional<int> weight;
  friend bool operator==(const ProbeResult&, const ProbeResult&) = default;
};

// A change of what the checker says about its server.
struct Verdict {
  bool up = false;
  std::optional<int> weight;
  friend bool operator==(const Verdict&, const Verdict&) = default;
};

struct Step {
  TimePoint next_probe;            // start the next probe then
  std::optional<Verdict> verdict;  // report this (only when it differs from the previous report)
  // The probe failed and that is worth a log line: it began a streak of failures on an UP
  // server, decided a verdict, or log_all_failures asks for every one.
  bool log_failure = false;
};

class CheckerSchedule {
 public:
  explicit CheckerSchedule(CheckTiming timing) : timing_(timing), up_(!timing.alpha) {}

  // The initial verdict (UP unless alpha) and the first probe time, `now + warmup * random_fraction`.
  // `random_fraction` in [0, 1) is the caller's random draw, so tests choose it.
  [[nodiscard]] Step start(TimePoint now, double random_fraction);

  // A probe finished at `now`.
  [[nodiscard]] Step on_probe_finished(const ProbeResult& result, TimePoint now);

  [[nodiscard]] bool up() const { return up_; }
  [[nodiscard]] const std::optional<int>& weight() const { return weight_; }
  [[nodiscard]] std::uint32_t failed_in_a_row() const { return failures_; }
  [[nodiscard]] const CheckTiming& timing() const { return timing_; }

 private:
  CheckTiming timing_;
  bool up_;
  std::optional<int> weight_;
  std::uint32_t failures_ = 0;  // consecutive failed probes since the last success or DOWN
};

}  // namespace vigil::check
