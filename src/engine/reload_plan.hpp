#pragma once
// The VRRP part of a SIGHUP reload, decided per object before anything is touched (architecture
// notes §7.4). Pure: compares two config models and says, for every instance and tracked object,
// what applying the new one takes. The engine executes the plan on the fast thread.
//
// Instances are matched by identity, as keepalived does (VRID, family, interface, unicast mode
// and unicast source), never by name: a name change alone is a rename, and a changed identity is
// a removal plus an addition by definition. A matched instance is
//   - unchanged when only its name (or nothing) differs: its unit is not even told;
//   - changed in place when priority, weights, trackers, advert interval, VIPs, routes, rules,
//     notify commands, preempt, GARP, auth or unicast peers differ: the core takes the new
//     settings and only the difference reaches the kernel;
//   - restarted (removed, then added) when what the socket or the VMAC is built from differs
//     (version, use_vmac, vmac name, vmac_xmit_base, mcast_src_ip), or when the sync group it
//     runs in changes members: a unit runs a whole sync group, so its members move together.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>
#include <vector>

#include "base/ip_address.hpp"
#include "config/model.hpp"
#include "track/tracker.hpp"

namespace vigil::engine {

enum class ReloadAction : std::uint8_t { kUnchanged, kInPlace, kRestart, kRemove, kAdd };
[[nodiscard]] const char* to_string(ReloadAction action);

// What matches an old instance with a new one (keepalived's vrrp_exist).
struct InstanceIdentity {
  std::uint8_t vrid = 0;
  Family family = Family::kIPv4;
  std::string interface;
  bool unicast = false;
  std::optional<IpAddress> unicast_source;  // only for unicast instances
  friend auto operator<=>(const InstanceIdentity&, const InstanceIdentity&) = default;
  friend bool operator==(const InstanceIdentity&, const InstanceIdentity&) = default;
};
[[nodiscard]] InstanceIdentity identity_of(const config::VrrpInstance& instance);
[[nodiscard]] std::string to_string(const InstanceIdentity& identity);

struct InstancePlan {
  ReloadAction action = ReloadAction::kUnchanged;
  std::string old_name;  // empty for kAdd
  std::string new_name;  // empty for kRemove
  // One entry per differing setting, for the log ("priority 100 -> 90", "renamed from VI_1").
  std::vector<std::string> changes;
  [[nodiscard]] bool renamed() const { return !old_name.empty() && !new_name.empty() && old_name != new_name; }
};

// A vrrp_script, track_file or track_process, matched by name. Unchanged ones keep their poller
// and their rise/fall history.
struct TrackerPlan {
  track::TrackerKind kind = track::TrackerKind::kScript;
  std::string name;
  ReloadAction action = ReloadAction::kUnchanged;  // kInPlace is not used: a changed one restarts
};

struct ReloadPlan {
  std::vector<InstancePlan> instances;  // removals first, then the rest by new name
  std::vector<TrackerPlan> trackers;
  // Global settings the running VRRP engine cannot take live: the reload is refused with these.
  std::vector<std::string> refused;

  [[nodiscard]] std::size_t count(ReloadAction action) const;
  [[nodiscard]] const InstancePlan* find_new(const std::string& new_name) const;
  [[nodiscard]] const InstancePlan* find_old(const std::string& old_name) const;
  // New instance name -> old name, for every instance that keeps running (unchanged or in place).
  [[nodiscard]] std::map<std::string, std::string> kept() const;
  [[nodiscard]] std::string summary() const;  // "3 unchanged, 1 changed in place, ..."
};

[[nodiscard]] ReloadPlan plan_reload(const config::Config& current, const config::Config& next);

}  // namespace vigil::engine
