#include "track/script_schedule.hpp"

#include <algorithm>

namespace vigil::track {

TimePoint first_script_run(TimePoint start, Duration interval, std::size_t position, std::size_t count) {
  if (count <= 1 || position == 0 || interval <= Duration::zero()) return start;
  const Duration window = std::min(interval, kScriptSpreadWindow);
  // At most 1e9 ns x position: no overflow below billions of scripts.
  const auto offset = window * static_cast<Duration::rep>(position) / static_cast<Duration::rep>(count);
  return start + offset;
}

TimePoint next_script_run(TimePoint due, Duration interval, TimePoint now) {
  const TimePoint next = due + std::max(interval, Duration::zero());
  return next < now ? now : next;
}

}  // namespace vigil::track
