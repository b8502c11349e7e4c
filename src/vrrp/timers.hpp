#pragma once
// Timer arithmetic of RFC 3768 §6.1 / RFC 5798 §6.1, with keepalived's rounding.
#include <chrono>
#include <cstdint>

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

}  // namespace vigil::vrrp
