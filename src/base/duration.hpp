#pragma once
// Time vocabulary. Pure cores receive `now` as an argument and never read a clock.
#include <chrono>
#include <optional>
#include <string>
#include <string_view>

namespace vigil {

using Clock = std::chrono::steady_clock;
using TimePoint = Clock::time_point;
using Duration = std::chrono::nanoseconds;

// The one rule for durations in config files: a number is seconds ("1", "0.5"),
// a string may carry a unit: "150ms", "1.5s", "2m", "1h", "250us", "10ns".
[[nodiscard]] std::optional<Duration> parse_duration(std::string_view text);
[[nodiscard]] std::optional<Duration> duration_from_seconds(double seconds);
// Exact spelling in the largest whole unit: "1s", "150ms", "1500ms", "0s".
[[nodiscard]] std::string format_duration(Duration duration);

}  // namespace vigil
