#include "vrrp/sync_group.hpp"

#include <algorithm>

namespace vigil::vrrp {

SyncGroup::SyncGroup(std::string name, std::vector<InstanceConfig> members) : name_(std::move(name)) {
  members_.reserve(members.size());
  for (auto& config : members) members_.emplace_back(std::move(config));
}

std::vector<MemberActions> SyncGroup::on(std::size_t member, const Event& event, TimePoint now) {
  std::vector<MemberActions> out;
  if (member >= members_.size()) return out;
  const State before = members_[member].state();
  deliver(member, event, now, out);
  sync_faults(now, out);
  follow(member, before, now, out);
  return out;
}

std::vector<MemberActions> SyncGroup::on_timer(TimePoint now) {
  std::vector<MemberActions> out;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const auto deadline = members_[i].next_deadline();
    if (!deadline || *deadline > now) continue;
    auto step = on(i, TimerFired{}, now);
    out.insert(out.end(), std::make_move_iterator(step.begin()), std::make_move_iterator(step.end()));
  }
  return out;
}

std::optional<TimePoint> SyncGroup::next_deadline() const {
  std::optional<TimePoint> next;
  for (const auto& member : members_) {
    const auto deadline = member.next_deadline();
    if (deadline && (!next || *deadline < *next)) next = deadline;
  }
  return next;
}

State SyncGroup::state() const { return members_.empty() ? State::kInit : members_.front().state(); }

void SyncGroup::deliver(std::size_t member, const Event& event, TimePoint now, std::vector<MemberActions>& out) {
  auto actions = members_[member].on(event, now);
  if (!actions.empty()) out.push_back({member, std::move(actions)});
}

void SyncGroup::sync_faults(TimePoint now, std::vector<MemberActions>& out) {
  // Invariant: a member carries the sync-group fault exactly when another member faults on its own.
  for (std::size_t i = 0; i < members_.size(); ++i) {
    bool others_fault = false;
    for (std::size_t j = 0; j < members_.size(); ++j) {
      if (j != i && members_[j].faults().any_except(FaultReason::kSyncGroup)) others_fault = true;
    }
    if (members_[i].faults().has(FaultReason::kSyncGroup) != others_fault) {
      deliver(i, SyncGroupFault{others_fault}, now, out);
    }
  }
}

void SyncGroup::follow(std::size_t member, State before, TimePoint now, std::vector<MemberActions>& out) {
  const State after = members_[member].state();
  if (before == after) return;
  const auto others_in = [&](State state) {
    for (std::size_t i = 0; i < members_.size(); ++i) {
      if (i != member && members_[i].state() == state) return true;
    }
    return false;
  };
  // A member that starts or recovers while the group is master joins it.
  if ((before == State::kInit || before == State::kFault) && after == State::kBackup && others_in(State::kMaster)) {
    deliver(member, SyncGroupFollow{State::kMaster}, now, out);
    return;
  }
  State from = State::kInit;
  if (after == State::kMaster) {
    from = State::kBackup;
  } else if (before == State::kMaster && after == State::kBackup) {
    from = State::kMaster;
  } else {
    return;
  }
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (i != member && members_[i].state() == from) deliver(i, SyncGroupFollow{after}, now, out);
  }
}

}  // namespace vigil::vrrp
