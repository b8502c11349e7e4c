#pragma once
// When a vrrp_script runs. Pure: the caller passes every instant.
//
// Each script keeps a fixed grid (first run, + interval, + 2 x interval ...), so a late wake-up
// does not push every later run back, and scripts that start together are spread over their
// first interval (at most kScriptSpreadWindow): 1000 scripts at 1 s then start one every
// millisecond, instead of 1000 at the same instant every second, queueing behind each other's
// spawns in an order that changes from one second to the next (issue 8: start lateness p99 of
// 140 ms, all of it queueing).
#include <chrono>
#include <cstddef>

#include "base/duration.hpp"

namespace vigil::track {

inline constexpr Duration kScriptSpreadWindow = std::chrono::seconds(1);

// The first run of the script at `position` (0-based) of `count` scripts started at `start`:
// start + position x min(interval, kScriptSpreadWindow) / count.
[[nodiscard]] TimePoint first_script_run(TimePoint start, Duration interval, std::size_t position, std::size_t count);

// The run after one that was due at `due` and finished at `now`: due + interval, or `now` when
// the run overran that (the script took longer than its interval, or the machine stalled): it
// starts again at once, like a fresh start, and the grid continues from there.
[[nodiscard]] TimePoint next_script_run(TimePoint due, Duration interval, TimePoint now);

}  // namespace vigil::track
