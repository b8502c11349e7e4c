#pragma once
// How tracked objects move a VRRP instance's priority (keepalived's weight semantics):
//   weight > 0: +weight while the object is up;  weight < 0: weight (negative) while it is down;
//   reverse:    the adjustment's sign flips (up lowers the priority, down raises it);
//   weight 0:   no adjustment, the instance goes to FAULT while the object is down (up, with reverse).
// track_file: weight 0 → a non-zero value is a failure; otherwise value × weight (negated by reverse)
// is added, and a result below -253 is a failure.
// The sum is applied by effective_priority(): base + sum clamped to 1..254; an owner (255) never moves.
#include <cstdint>
#include <optional>
#include <span>
#include <string>

namespace vigil::track {

enum class TrackerKind : std::uint8_t { kScript, kInterface, kFile, kProcess };
[[nodiscard]] const char* to_string(TrackerKind kind);

inline constexpr int kMaxWeight = 253;
inline constexpr int kFileFaultBelow = -253;

struct TrackerConfig {
  std::string name;
  TrackerKind kind = TrackerKind::kScript;
  int weight = 0;
  bool reverse = false;
  friend bool operator==(const TrackerConfig&, const TrackerConfig&) = default;
};

// The last observed state of one tracked object.
struct TrackerStatus {
  bool up = true;               // script / interface / process
  std::int64_t file_value = 0;  // track_file: the number read from the file
  friend bool operator==(const TrackerStatus&, const TrackerStatus&) = default;
};

struct Contribution {
  int weight = 0;
  bool fault = false;
  friend bool operator==(const Contribution&, const Contribution&) = default;
};

[[nodiscard]] Contribution contribution(const TrackerConfig& config, const TrackerStatus& status);

struct TrackedObject {
  TrackerConfig config;
  TrackerStatus status;
};

// What the VRRP instance needs (vrrp::TrackStateChanged carries exactly these two fields).
struct TrackSummary {
  int weight = 0;
  bool fault = false;
  friend bool operator==(const TrackSummary&, const TrackSummary&) = default;
};

[[nodiscard]] TrackSummary summarize(std::span<const TrackedObject> objects);

// base + summary.weight clamped to 1..254; 255 (address owner) is never changed.
[[nodiscard]] std::uint8_t effective_priority(std::uint8_t base, const TrackSummary& summary);

// track_process: the process set is up while quorum <= count <= quorum_max.
[[nodiscard]] bool process_quorum_up(std::uint32_t running, std::uint32_t quorum,
                                     std::optional<std::uint32_t> quorum_max = std::nullopt);

}  // namespace vigil::track
