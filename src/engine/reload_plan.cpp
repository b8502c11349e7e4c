#include "engine/reload_plan.hpp"

#include <algorithm>
#include <set>

namespace vigil::engine {

namespace {

using config::VrrpInstance;

std::string describe(std::uint8_t value) { return std::to_string(value); }
std::string describe(bool value) { return value ? "on" : "off"; }
std::string describe(Duration value) { return format_duration(value); }

template <class T>
void note_scalar(std::vector<std::string>& out, const char* field, const T& before, const T& after) {
  if (before != after) out.push_back(std::string(field) + " " + describe(before) + " -> " + describe(after));
}

template <class T>
void note_changed(std::vector<std::string>& out, const char* field, const T& before, const T& after) {
  if (!(before == after)) out.push_back(std::string(field) + " changed");
}

// Settings a running unit cannot take: its socket or VMAC is built from them.
std::vector<std::string> restart_reasons(const VrrpInstance& before, const VrrpInstance& after) {
  std::vector<std::string> out;
  note_scalar(out, "version", before.version, after.version);
  note_scalar(out, "use_vmac", before.use_vmac, after.use_vmac);
  note_changed(out, "vmac_name", before.vmac_name, after.vmac_name);
  note_scalar(out, "vmac_xmit_base", before.vmac_xmit_base, after.vmac_xmit_base);
  note_changed(out, "mcast_src_ip", before.mcast_src_ip, after.mcast_src_ip);
  return out;
}

std::vector<std::string> in_place_changes(const VrrpInstance& before, const VrrpInstance& after) {
  std::vector<std::string> out;
  note_scalar(out, "priority", before.priority, after.priority);
  note_scalar(out, "advert_int", before.advert_int, after.advert_int);
  note_scalar(out, "preempt", before.preempt, after.preempt);
  note_scalar(out, "preempt_delay", before.preempt_delay, after.preempt_delay);
  note_changed(out, "state", before.state, after.state);
  note_changed(out, "authentication", before.authentication, after.authentication);
  note_changed(out, "virtual_ipaddress", before.virtual_ipaddress, after.virtual_ipaddress);
  note_changed(out, "virtual_ipaddress_excluded", before.virtual_ipaddress_excluded, after.virtual_ipaddress_excluded);
  note_changed(out, "virtual_routes", before.virtual_routes, after.virtual_routes);
  note_changed(out, "virtual_rules", before.virtual_rules, after.virtual_rules);
  note_changed(out, "unicast_peer", before.unicast_peer, after.unicast_peer);
  const bool trackers_differ =
      !(before.track_script == after.track_script) || !(before.track_interface == after.track_interface) ||
      !(before.track_file == after.track_file) || !(before.track_process == after.track_process);
  if (trackers_differ) out.emplace_back("trackers changed");
  const bool notify_differs =
      before.notify_master != after.notify_master || before.notify_backup != after.notify_backup ||
      before.notify_fault != after.notify_fault || before.notify_stop != after.notify_stop ||
      before.notify_master_rx_lower_pri != after.notify_master_rx_lower_pri || before.notify != after.notify;
  if (notify_differs) out.emplace_back("notify commands changed");
  const bool garp_differs = before.garp_master_delay != after.garp_master_delay ||
                            before.garp_master_repeat != after.garp_master_repeat ||
                            before.garp_master_refresh != after.garp_master_refresh ||
                            before.garp_master_refresh_repeat != after.garp_master_refresh_repeat ||
                            before.garp_lower_prio_delay != after.garp_lower_prio_delay ||
                            before.garp_lower_prio_repeat != after.garp_lower_prio_repeat;
  if (garp_differs) out.emplace_back("GARP settings changed");
  if (out.empty()) out.emplace_back("other settings changed");  // e.g. accept, lower_prio_no_advert
  return out;
}

// Equal but for the name (copies only for a renamed instance: most of a big config is neither).
bool same_but_name(const VrrpInstance& before, const VrrpInstance& after) {
  if (before.name == after.name) return before == after;
  VrrpInstance renamed = before;
  renamed.name = after.name;
  return renamed == after;
}

// The units (sync groups) of one config. A standalone instance is a unit of its own; only
// grouped instances need bookkeeping, so a config of 1000 standalone instances costs nothing here
// (the first version built and compared a set per instance, twice per reload).
class Units {
 public:
  explicit Units(const config::Config& config) : config_(config) {
    for (const auto& [name, group] : config.vrrp_sync_group) {
      for (const auto& member : group.group) group_of_.emplace(member, name);
    }
  }

  // The sync group `instance` runs in, or nullptr when it runs alone.
  [[nodiscard]] const std::string* group_of(const std::string& instance) const {
    const auto found = group_of_.find(instance);
    return found == group_of_.end() ? nullptr : &found->second;
  }

  // The identities of the unit `instance` runs in.
  [[nodiscard]] std::set<InstanceIdentity> members(const std::string& instance) const {
    const std::string* group = group_of(instance);
    if (group == nullptr) return {identity_of(config_.vrrp_instance.at(instance))};
    std::set<InstanceIdentity> out;
    for (const auto& member : config_.vrrp_sync_group.at(*group).group) {
      if (const auto found = config_.vrrp_instance.find(member); found != config_.vrrp_instance.end()) {
        out.insert(identity_of(found->second));
      }
    }
    return out;
  }

 private:
  const config::Config& config_;
  std::map<std::string, std::string> group_of_;
};

// A kept instance keeps its unit only when the unit has the same members. Two standalone
// instances matched by identity always do.
bool same_unit(const Units& old_units, const std::string& old_name, const Units& new_units,
               const std::string& new_name) {
  if (old_units.group_of(old_name) == nullptr && new_units.group_of(new_name) == nullptr) return true;
  return old_units.members(old_name) == new_units.members(new_name);
}

template <class Object>
void plan_trackers(track::TrackerKind kind, const std::map<std::string, Object>& before,
                   const std::map<std::string, Object>& after, std::vector<TrackerPlan>& out) {
  for (const auto& [name, object] : before) {
    const auto found = after.find(name);
    if (found == after.end()) {
      out.push_back({kind, name, ReloadAction::kRemove});
    } else {
      out.push_back({kind, name, found->second == object ? ReloadAction::kUnchanged : ReloadAction::kRestart});
    }
  }
  for (const auto& [name, object] : after) {
    if (before.count(name) == 0) out.push_back({kind, name, ReloadAction::kAdd});
  }
}

void refuse_global_changes(const config::GlobalConfig& before, const config::GlobalConfig& after,
                           std::vector<std::string>& out) {
  auto check = [&](const char* field, bool same) {
    if (!same) out.push_back(std::string("global.") + field + " is applied only at start (restart vigild)");
  };
  check("vrrp_fast_path", before.vrrp_fast_path == after.vrrp_fast_path);
  check("vrrp_rt_priority", before.vrrp_rt_priority == after.vrrp_rt_priority);
  check("vrrp_no_swap", before.vrrp_no_swap == after.vrrp_no_swap);
  check("vrrp_cpu_affinity", before.vrrp_cpu_affinity == after.vrrp_cpu_affinity);
  check("vrrp_mcast_group4", before.vrrp_mcast_group4 == after.vrrp_mcast_group4);
  check("vrrp_mcast_group6", before.vrrp_mcast_group6 == after.vrrp_mcast_group6);
  check("vrrp_garp_interval", before.vrrp_garp_interval == after.vrrp_garp_interval);
  check("vrrp_gna_interval", before.vrrp_gna_interval == after.vrrp_gna_interval);
  check("notify_fifo", before.notify_fifo == after.notify_fifo);
  check("vrrp_notify_fifo", before.vrrp_notify_fifo == after.vrrp_notify_fifo);
  // Their readers go with them: the script restarts with vigild, as the FIFO does.
  check("notify_fifo_script", before.notify_fifo_script == after.notify_fifo_script);
  check("vrrp_notify_fifo_script", before.vrrp_notify_fifo_script == after.vrrp_notify_fifo_script);
  check("script_user", before.script_user == after.script_user && before.script_group == after.script_group);
  check("script_security", before.script_security == after.script_security);
}

}  // namespace

const char* to_string(ReloadAction action) {
  switch (action) {
    case ReloadAction::kUnchanged: return "unchanged";
    case ReloadAction::kInPlace: return "changed in place";
    case ReloadAction::kRestart: return "restarted";
    case ReloadAction::kRemove: return "removed";
    case ReloadAction::kAdd: return "added";
  }
  return "?";
}

InstanceIdentity identity_of(const config::VrrpInstance& instance) {
  InstanceIdentity identity;
  identity.vrid = instance.virtual_router_id;
  identity.family = instance.family;
  identity.interface = instance.interface.value_or("");
  identity.unicast = instance.is_unicast();
  if (identity.unicast) identity.unicast_source = instance.unicast_src_ip;
  return identity;
}

std::string to_string(const InstanceIdentity& identity) {
  std::string out = "vrid " + std::to_string(identity.vrid) + " " + vigil::to_string(identity.family) + " on " +
                    (identity.interface.empty() ? std::string("-") : identity.interface);
  if (identity.unicast) {
    out += " unicast";
    if (identity.unicast_source) out += " from " + identity.unicast_source->to_string();
  }
  return out;
}

std::size_t ReloadPlan::count(ReloadAction action) const {
  return static_cast<std::size_t>(std::count_if(instances.begin(), instances.end(),
                                                [action](const InstancePlan& p) { return p.action == action; }));
}

const InstancePlan* ReloadPlan::find_new(const std::string& new_name) const {
  for (const auto& plan : instances) {
    if (plan.action != ReloadAction::kRemove && plan.new_name == new_name) return &plan;
  }
  return nullptr;
}

const InstancePlan* ReloadPlan::find_old(const std::string& old_name) const {
  for (const auto& plan : instances) {
    if (plan.action != ReloadAction::kAdd && plan.old_name == old_name) return &plan;
  }
  return nullptr;
}

std::map<std::string, std::string> ReloadPlan::kept() const {
  std::map<std::string, std::string> out;
  for (const auto& plan : instances) {
    if (plan.action == ReloadAction::kUnchanged || plan.action == ReloadAction::kInPlace) {
      out[plan.new_name] = plan.old_name;
    }
  }
  return out;
}

std::string ReloadPlan::summary() const {
  std::string out;
  for (const auto action : {ReloadAction::kUnchanged, ReloadAction::kInPlace, ReloadAction::kRestart,
                            ReloadAction::kRemove, ReloadAction::kAdd}) {
    if (!out.empty()) out += ", ";
    out += std::to_string(count(action)) + " " + to_string(action);
  }
  return out;
}

ReloadPlan plan_reload(const config::Config& current, const config::Config& next) {
  ReloadPlan plan;
  if (!current.vrrp_instance.empty() || !next.vrrp_instance.empty()) {
    refuse_global_changes(current.global, next.global, plan.refused);
  }

  // Match by identity; the first of two instances claiming one identity wins (the loader refuses
  // such configs anyway).
  std::map<InstanceIdentity, std::string> old_by_identity;
  for (const auto& [name, instance] : current.vrrp_instance) old_by_identity.emplace(identity_of(instance), name);
  std::map<std::string, std::string> old_of_new;  // new name -> old name
  std::set<std::string> matched_old;
  for (const auto& [name, instance] : next.vrrp_instance) {
    const auto found = old_by_identity.find(identity_of(instance));
    if (found == old_by_identity.end() || matched_old.count(found->second) != 0) continue;
    old_of_new[name] = found->second;
    matched_old.insert(found->second);
  }

  // A unit (sync group or standalone instance) keeps running only with the same members.
  const Units old_units(current);
  const Units new_units(next);

  std::vector<InstancePlan> removals;
  for (const auto& [name, instance] : current.vrrp_instance) {
    if (matched_old.count(name) != 0) continue;
    InstancePlan removed;
    removed.action = ReloadAction::kRemove;
    removed.old_name = name;
    removed.changes.push_back(to_string(identity_of(instance)) + " is gone");
    removals.push_back(std::move(removed));
  }
  for (const auto& [name, instance] : next.vrrp_instance) {
    InstancePlan entry;
    entry.new_name = name;
    const auto matched = old_of_new.find(name);
    if (matched == old_of_new.end()) {
      entry.action = ReloadAction::kAdd;
      entry.changes.push_back(to_string(identity_of(instance)) + " is new");
      plan.instances.push_back(std::move(entry));
      continue;
    }
    entry.old_name = matched->second;
    const auto& before = current.vrrp_instance.at(entry.old_name);
    if (entry.renamed()) entry.changes.push_back("renamed from " + entry.old_name);
    auto reasons = restart_reasons(before, instance);
    if (!same_unit(old_units, entry.old_name, new_units, name)) {
      reasons.emplace_back("its sync group has other members");
    }
    if (!reasons.empty()) {
      entry.action = ReloadAction::kRestart;
      entry.changes.insert(entry.changes.end(), reasons.begin(), reasons.end());
    } else if (same_but_name(before, instance)) {
      entry.action = ReloadAction::kUnchanged;
    } else {
      entry.action = ReloadAction::kInPlace;
      auto changes = in_place_changes(before, instance);
      entry.changes.insert(entry.changes.end(), changes.begin(), changes.end());
    }
    plan.instances.push_back(std::move(entry));
  }

  // A sync group runs as one unit: one restarting member restarts all of them.
  std::set<std::string> restarting_groups;
  for (const auto& entry : plan.instances) {
    const std::string* group = new_units.group_of(entry.new_name);
    if (entry.action == ReloadAction::kRestart && group != nullptr) restarting_groups.insert(*group);
  }
  for (auto& entry : plan.instances) {
    if (restarting_groups.empty()) break;
    const bool kept = entry.action == ReloadAction::kUnchanged || entry.action == ReloadAction::kInPlace;
    const std::string* group = new_units.group_of(entry.new_name);
    if (kept && group != nullptr && restarting_groups.count(*group) != 0) {
      entry.action = ReloadAction::kRestart;
      entry.changes.emplace_back("another member of its sync group restarts");
    }
  }
  plan.instances.insert(plan.instances.begin(), std::make_move_iterator(removals.begin()),
                        std::make_move_iterator(removals.end()));

  plan_trackers(track::TrackerKind::kScript, current.vrrp_script, next.vrrp_script, plan.trackers);
  plan_trackers(track::TrackerKind::kFile, current.track_file, next.track_file, plan.trackers);
  plan_trackers(track::TrackerKind::kProcess, current.track_process, next.track_process, plan.trackers);
  return plan;
}

}  // namespace vigil::engine
