#include "track/tracker.hpp"

#include <algorithm>

namespace vigil::track {

const char* to_string(TrackerKind kind) {
  switch (kind) {
    case TrackerKind::kScript: return "script";
    case TrackerKind::kInterface: return "interface";
    case TrackerKind::kFile: return "file";
    case TrackerKind::kProcess: return "process";
  }
  return "?";
}

Contribution contribution(const TrackerConfig& config, const TrackerStatus& status) {
  if (config.kind == TrackerKind::kFile) {
    if (config.weight == 0) return {0, status.file_value != 0};
    // Saturate: a file can hold any number, the instance only needs to know "very negative".
    const std::int64_t product = std::clamp<std::int64_t>(status.file_value, -1'000'000, 1'000'000) * config.weight;
    const std::int64_t value = config.reverse ? -product : product;
    if (value < kFileFaultBelow) return {0, true};
    return {static_cast<int>(std::min<std::int64_t>(value, 1'000'000)), false};
  }
  if (config.weight == 0) return {0, config.reverse ? status.up : !status.up};
  const int weight = std::clamp(config.weight, -kMaxWeight, kMaxWeight);
  int applied = 0;
  if (weight > 0 && status.up) applied = weight;
  if (weight < 0 && !status.up) applied = weight;
  return {config.reverse ? -applied : applied, false};
}

TrackSummary summarize(std::span<const TrackedObject> objects) {
  TrackSummary summary;
  for (const auto& object : objects) {
    const Contribution c = contribution(object.config, object.status);
    summary.weight += c.weight;
    summary.fault = summary.fault || c.fault;
  }
  return summary;
}

std::uint8_t effective_priority(std::uint8_t base, const TrackSummary& summary) {
  if (base == 255) return base;
  return static_cast<std::uint8_t>(std::clamp(static_cast<int>(base) + summary.weight, 1, 254));
}

bool process_quorum_up(std::uint32_t running, std::uint32_t quorum, std::optional<std::uint32_t> quorum_max) {
  return running >= quorum && (!quorum_max || running <= *quorum_max);
}

}  // namespace vigil::track
