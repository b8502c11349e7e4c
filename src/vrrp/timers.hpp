#pragma once
// Timer arithmetic of RFC 3768 §6.1 / RFC 5798 §6.1, with keepalived's rounding.
#include <chrono>
#include <cstdint>
#include <optional>

#include "base/duration.hpp"
#include "vrrp/constants.hpp"

namespace vigil::vrrp {

// Skew_Time. v2: (256 - priority) / 256 seconds (RFC 3768 §6.1).
// v3: ((256 - priority) * Master_Adver_Interval) / 256 (RFC 5798 §6.1), truncated to whole
// microseconds as keepalived computes it.
[[nodiscard]] constexpr Duration skew_time(Version version, std::uint8_t priority, Centiseconds master_interval) {
  const std::int64_t weight = 256 - static_cast<std::int64_t>(priority);
  if (version == Version::kV2) return std::chrono::microseconds(weight * 1'000'000 / 256);  // RFC 3768 §6.1
  const auto interval_us = std::chrono::duration_cast<std::chrono::microseconds>(master_interval).count();
  return std::chrono::microseconds(weight * interval_us / 256);  // RFC 5798 §6.1
}

// Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (RFC 5798 §6.1); `adverts` is
// keepalived's down_timer_adverts (default 3).
[[nodiscard]] constexpr Duration master_down_interval(Version version, std::uint8_t priority,
                                                      Centiseconds master_interval, std::uint32_t adverts = 3) {
  return Duration(master_interval) * adverts + skew_time(version, priority, master_interval);  // RFC 5798 §6.1
}

// How far before its processing an advert's arrival may date the master-down timer it restarts.
// Counting from the arrival takes the daemon's own wake-up and read time out of the failover
// delay (tens of microseconds when idle, milliseconds under load). The limit keeps an advert that
// sat in the socket through a stall of the daemon from restarting a timer that is already
// (nearly) over: well under the shortest master-down interval (3 x 10 ms).
inline constexpr Duration kArrivalBackdateLimit = std::chrono::milliseconds(5);

// The moment an advert restarts the master-down timer from: its arrival, when known, but never
// after `now` nor more than kArrivalBackdateLimit before it.
[[nodiscard]] constexpr TimePoint heard_at(std::optional<TimePoint> arrived, TimePoint now) {
  if (!arrived || *arrived >= now) return now;
  return *arrived < now - kArrivalBackdateLimit ? now - kArrivalBackdateLimit : *arrived;
}

}  // namespace vigil::vrrp
