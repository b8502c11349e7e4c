#pragma once
// A track script's result history as a pure state machine: check results in, status changes out.
// `fall` consecutive failures take an up script down, `rise` consecutive successes bring it up.
// Before the first result the status is unknown and counts as up, unless init_fail says down;
// the first result then decides at once, so a healthy node does not wait
// rise × interval before it can become master.
#include <cstdint>
#include <optional>

namespace vigil::track {

enum class ScriptStatus : std::uint8_t { kUnknown, kUp, kDown };
[[nodiscard]] const char* to_string(ScriptStatus status);

class RiseFall {
 public:
  RiseFall(std::uint32_t rise, std::uint32_t fall, bool init_fail = false);

  // Records one result; returns the new status when it changed.
  [[nodiscard]] std::optional<ScriptStatus> record(bool success);

  [[nodiscard]] ScriptStatus status() const { return status_; }
  // What the tracker reports: unknown counts as up.
  [[nodiscard]] bool up() const { return status_ != ScriptStatus::kDown; }

 private:
  std::uint32_t rise_;
  std::uint32_t fall_;
  ScriptStatus status_;
  std::uint32_t streak_ = 0;  // consecutive results against the current status
};

}  // namespace vigil::track
