#include "track/rise_fall.hpp"

#include <algorithm>

namespace vigil::track {

const char* to_string(ScriptStatus status) {
  switch (status) {
    case ScriptStatus::kUnknown: return "unknown";
    case ScriptStatus::kUp: return "up";
    case ScriptStatus::kDown: return "down";
  }
  return "?";
}

RiseFall::RiseFall(std::uint32_t rise, std::uint32_t fall, bool init_fail)
    : rise_(std::max<std::uint32_t>(rise, 1)),
      fall_(std::max<std::uint32_t>(fall, 1)),
      status_(init_fail ? ScriptStatus::kDown : ScriptStatus::kUnknown) {}

std::optional<ScriptStatus> RiseFall::record(bool success) {
  if (status_ == ScriptStatus::kUnknown) {
    status_ = success ? ScriptStatus::kUp : ScriptStatus::kDown;
    streak_ = 0;
    return status_;
  }
  const bool against = (status_ == ScriptStatus::kUp) != success;
  if (!against) {
    streak_ = 0;
    return std::nullopt;
  }
  ++streak_;
  if (streak_ < (status_ == ScriptStatus::kUp ? fall_ : rise_)) return std::nullopt;
  streak_ = 0;
  status_ = status_ == ScriptStatus::kUp ? ScriptStatus::kDown : ScriptStatus::kUp;
  return status_;
}

}  // namespace vigil::track
