#pragma once
// Instance status as JSON: written on SIGUSR1 (and read by tests and, later, vigilctl).
#include <chrono>
#include <nlohmann/json.hpp>
#include <vector>

#include "engine/lateness_histogram.hpp"
#include "engine/tracking.hpp"
#include "engine/vrrp_unit.hpp"

namespace vigil::engine {

[[nodiscard]] nlohmann::json to_json(const std::vector<MemberStatus>& members);
// {"bounds": [0.0005, ...], "counts": [per bucket, the last one +Inf], "count": n, "sum": seconds}
template <std::size_t Bounds>
[[nodiscard]] nlohmann::json to_json(const HistogramSnapshot<Bounds>& histogram) {
  return {{"bounds", histogram.bounds_seconds},
          {"counts", histogram.counts},
          {"count", histogram.count},
          {"sum", histogram.sum_seconds}};
}

// Steady-clock instants mean nothing outside the process: status output gives unix seconds.
struct WallClock {
  TimePoint steady_now;
  std::chrono::system_clock::time_point wall_now;
  [[nodiscard]] static WallClock now();
  // Unix seconds of `when`, or null for an unset time.
  [[nodiscard]] nlohmann::json unix_seconds(const std::optional<TimePoint>& when) const;
};

// The member's armed timers: {"advert": unix | null, "master_down": ..., "garp_refresh": ...}.
[[nodiscard]] nlohmann::json timers_json(const vrrp::Deadlines& deadlines, const WallClock& clock);

// {"name", "status": "GOOD" | "BAD", "running", "disabled", "runs", "failures", "timeouts",
//  "last_duration_seconds", "last_run", "next_run"} per script.
[[nodiscard]] nlohmann::json to_json(const std::vector<ScriptStatus>& scripts, const WallClock& clock);

}  // namespace vigil::engine
