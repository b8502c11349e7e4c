#include "base/duration.hpp"

#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <limits>

namespace vigil {

std::optional<Duration> duration_from_seconds(double seconds) {
  if (!std::isfinite(seconds) || seconds < 0) return std::nullopt;
  const double nanoseconds = std::round(seconds * 1e9);
  if (nanoseconds > static_cast<double>(std::numeric_limits<std::int64_t>::max() / 2)) return std::nullopt;
  return Duration(static_cast<std::int64_t>(nanoseconds));
}

std::optional<Duration> parse_duration(std::string_view text) {
  std::size_t unit_start = 0;
  while (unit_start < text.size() &&
         ((text[unit_start] >= '0' && text[unit_start] <= '9') || text[unit_start] == '.')) {
    ++unit_start;
  }
  const std::string number(text.substr(0, unit_start));
  const std::string_view unit = text.substr(unit_start);
  if (number.empty() || number == ".") return std::nullopt;
  char* end = nullptr;
  const double value = std::strtod(number.c_str(), &end);
  if (end != number.c_str() + number.size()) return std::nullopt;
  double scale = 0;
  if (unit.empty() || unit == "s") {
    scale = 1;
  } else if (unit == "ms") {
    scale = 1e-3;
  } else if (unit == "us") {
    scale = 1e-6;
  } else if (unit == "ns") {
    scale = 1e-9;
  } else if (unit == "m") {
    scale = 60;
  } else if (unit == "h") {
    scale = 3600;
  } else {
    return std::nullopt;
  }
  return duration_from_seconds(value * scale);
}

std::string format_duration(Duration duration) {
  using std::chrono::duration_cast;
  const auto ns = duration.count();
  if (ns == 0) return "0s";
  if (ns % 1'000'000'000 == 0) return std::to_string(ns / 1'000'000'000) + "s";
  if (ns % 1'000'000 == 0) return std::to_string(ns / 1'000'000) + "ms";
  if (ns % 1'000 == 0) return std::to_string(ns / 1'000) + "us";
  return std::to_string(ns) + "ns";
}

}  // namespace vigil
