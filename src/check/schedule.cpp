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
    return Step{now + timing_.delay_before_retry, std::nullopt};
  } else {
    failures_ = 0;
    up_ = false;
    weight_.reset();
  }
  const Verdict after{up_, weight_};
  return Step{now + timing_.delay_loop, after == before ? std::nullopt : std::optional<Verdict>(after)};
}

}  // namespace vigil::check
