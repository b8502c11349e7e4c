#include "check/schedule.hpp"

#include <algorithm>

namespace vigil::check {

Step CheckerSchedule::start(TimePoint now, double random_fraction) {
  const double fraction = std::clamp(random_fraction, 0.0, 1.0);
  const auto delay = std::chrono::duration_cast<Duration>(
      std::chrono::duration<double, Duration::period>(static_cast<double>(timing_.warmup.count()) * fraction));
  return Step{now + delay, Verdict{up_, weight_}};
}

Step CheckerSchedule::on_probe_finished(const ProbeResult& result, TimePoint now) {
  const Verdict before{up_, weight_};
  if (result.ok) {
    failures_ = 0;
    up_ = true;
    weight_ = result.weight;
  } else if (failures_ < timing_.retry) {
    // A failure within the retry budget changes nothing yet: probe again soon.
    ++failures_;
    const bool first_of_streak = up_ && failures_ == 1;
    return Step{now + timing_.delay_before_retry, std::nullopt, timing_.log_all_failures || first_of_streak};
  } else {
    failures_ = 0;
    up_ = false;
    weight_.reset();
  }
  const Verdict after{up_, weight_};
  const bool changed = !(after == before);
  const Duration next = timing_.delay_loop;
  const bool log_failure = !result.ok && (changed || timing_.log_all_failures);
  return Step{now + next, changed ? std::optional<Verdict>(after) : std::nullopt, log_failure};
}

}  // namespace vigil::check
