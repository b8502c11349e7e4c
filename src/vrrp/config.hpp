#pragma once
// The VRRP core's own configuration: protocol-relevant fields only. The engine maps the config
// model onto it; nothing here knows about files, interfaces or scripts.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.hpp"
#include "base/ip_address.hpp"
#include "vrrp/constants.hpp"

namespace vigil::vrrp {

enum class InitialState : std::uint8_t { kBackup, kMaster };
[[nodiscard]] const char* to_string(InitialState state);

// Gratuitous ARP / unsolicited NA schedule on becoming master (keepalived's defaults).
struct GarpConfig {
  Duration master_delay = std::chrono::seconds(5);  // second burst after becoming master; 0 = none
  std::uint32_t master_repeat = 5;
  Duration master_refresh = Duration::zero();  // periodic refresh while master; 0 = off
  std::uint32_t master_refresh_repeat = 1;
  std::uint32_t lower_prio_repeat = 5;                  // burst when a lower-priority master shows up; 0 = none
  Duration lower_prio_delay = std::chrono::seconds(5);  // and a second burst this much later; 0 = none
  friend bool operator==(const GarpConfig&, const GarpConfig&) = default;
};

struct InstanceConfig {
  std::string name;
  std::uint8_t vrid = 1;
  Version version = Version::kV2;
  Family family = Family::kIPv4;
  // Unset: 255 when the initial state is MASTER, else 100 (keepalived's rule).
  std::optional<std::uint8_t> priority;
  // Starts as MASTER only with initial state MASTER and priority 255 (keepalived); otherwise BACKUP.
  InitialState initial_state = InitialState::kBackup;
  Centiseconds advert_interval = kDefaultInterval;
  bool preempt = true;
  Duration preempt_delay = Duration::zero();
  AuthType auth_type = AuthType::kNone;
  std::string auth_pass;                 // PASS: first 8 bytes are used
  std::vector<IpPrefix> vips;            // advertised
  std::vector<IpPrefix> excluded;        // added and removed with the VIPs, never advertised
  std::vector<IpAddress> unicast_peers;  // non-empty = unicast mode
  std::optional<IpAddress> unicast_source;
  bool accept = true;
  bool lower_prio_no_advert = false;     // a master stays silent on a lower-priority advert
  bool v3_checksum_as_v2 = false;        // v3/IPv4 checksum without the pseudo-header (RFC 9568 reading)
  std::uint32_t down_timer_adverts = 3;  // RFC 5798 §6.1: Master_Down_Interval counts 3 intervals
  GarpConfig garp;

  [[nodiscard]] bool unicast() const { return !unicast_peers.empty(); }
  [[nodiscard]] std::uint8_t base_priority() const;
  [[nodiscard]] bool owner() const { return base_priority() == kPriorityOwner; }
  friend bool operator==(const InstanceConfig&, const InstanceConfig&) = default;
};

struct ConfigProblem {
  std::string field;
  std::string message;
  bool fatal = false;  // false: the value was adjusted, as keepalived does, and the instance runs
};

struct NormalizedConfig {
  InstanceConfig config;
  std::vector<ConfigProblem> problems;
};

// Applies keepalived's adjustments (v2 interval to whole seconds, v3 to centiseconds ≤ 40.95 s,
// nopreempt/preempt_delay dropped for owners, password truncated, ...) and reports the fatal ones.
[[nodiscard]] NormalizedConfig normalize(InstanceConfig config);

// How a running instance can take a new config (architecture notes §7.4).
enum class ReconfigureKind : std::uint8_t { kUnchanged, kInPlace, kRebind, kRestart };
[[nodiscard]] const char* to_string(ReconfigureKind kind);
[[nodiscard]] ReconfigureKind classify(const InstanceConfig& old_config, const InstanceConfig& new_config);

}  // namespace vigil::vrrp
