#pragma once
// What the driver tells an instance: past-tense facts, one variant.
#include <cstdint>
#include <optional>
#include <string>
#include <variant>

#include "base/duration.hpp"
#include "base/ip_address.hpp"
#include "vrrp/config.hpp"
#include "vrrp/packet.hpp"
#include "vrrp/state.hpp"

namespace vigil::vrrp {

// The driver is running: INIT → BACKUP, MASTER (owner) or FAULT (RFC 5798 §6.4.1 Startup).
struct Started {};

// An advert that passed check_advert() (receive_check.hpp); rejected ones never reach the core.
struct AdvertReceived {
  Advert advert;
  IpAddress source;
  // When the kernel received it, if known: a master-down timer the advert restarts counts from
  // then, up to kArrivalBackdateLimit before the event's `now` (timers.hpp).
  std::optional<TimePoint> arrived;
};

// now >= next_deadline(): the core acts on every deadline that has passed.
struct TimerFired {};

// The track summary (track/ computes it): the sum of tracker weights and whether an unweighted
// tracker failed. The core applies it to its base priority (clamped to 1..254, owners untouched).
struct TrackStateChanged {
  int weight = 0;
  bool fault = false;
};

// The instance's interface went up/down, or its primary address (used for the equal-priority tie) changed.
struct InterfaceChanged {
  bool up = true;
  std::optional<IpAddress> primary_address;
};

// The kernel answered an AddVips request: ok, or the error text (the instance then leaves MASTER).
struct VipsAdded {
  std::uint64_t request = 0;
  bool ok = true;
  std::string error;
};

// Orderly stop (SIGTERM) or removal on reload.
struct StopRequested {};

// In-place reconfiguration (same as calling Instance::reconfigure).
struct ConfigChanged {
  InstanceConfig config;
};

// Sync group commands (sync_group.hpp): follow a member to MASTER or BACKUP.
struct SyncGroupFollow {
  State target = State::kBackup;
};
// Another member is in FAULT (active) or the group recovered.
struct SyncGroupFault {
  bool active = true;
};

using Event = std::variant<Started, AdvertReceived, TimerFired, TrackStateChanged, InterfaceChanged, VipsAdded,
                           StopRequested, ConfigChanged, SyncGroupFollow, SyncGroupFault>;
[[nodiscard]] const char* event_name(const Event& event);

}  // namespace vigil::vrrp
