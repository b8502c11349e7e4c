#pragma once
// A sync group: instances that move together (keepalived's vrrp_sync_group).
// - a member that goes MASTER takes the others in BACKUP with it (SyncGroupFollow{kMaster});
// - a member that falls back to BACKUP takes the MASTERs with it;
// - a member in FAULT (for its own reasons) holds every other member in FAULT, so no member can
//   become MASTER unless all can; they recover together.
// The group owns its member instances; the driver feeds member events through on() and timers
// through on_timer(), and executes each member's actions with that member's driver.
#include <string>
#include <vector>

#include "vrrp/instance.hpp"

namespace vigil::vrrp {

struct MemberActions {
  std::size_t member = 0;
  Actions actions;
};

class SyncGroup {
 public:
  SyncGroup(std::string name, std::vector<InstanceConfig> members);

  [[nodiscard]] std::vector<MemberActions> on(std::size_t member, const Event& event, TimePoint now);
  // Feeds TimerFired to every member whose deadline has passed.
  [[nodiscard]] std::vector<MemberActions> on_timer(TimePoint now);
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;

  [[nodiscard]] const std::string& name() const { return name_; }
  [[nodiscard]] std::size_t size() const { return members_.size(); }
  // Precondition: index < size().
  [[nodiscard]] const Instance& member(std::size_t index) const { return members_[index]; }
  // The members move together; between two steps they agree, so the first member speaks for the group.
  [[nodiscard]] State state() const;

 private:
  void deliver(std::size_t member, const Event& event, TimePoint now, std::vector<MemberActions>& out);
  void follow(std::size_t member, State before, TimePoint now, std::vector<MemberActions>& out);
  void sync_faults(TimePoint now, std::vector<MemberActions>& out);

  std::string name_;
  std::vector<Instance> members_;
};

}  // namespace vigil::vrrp
