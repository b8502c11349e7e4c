#include "vrrp/instance.hpp"

#include <algorithm>

#include "vrrp/overloaded.hpp"
#include "vrrp/timers.hpp"

namespace vigil::vrrp {

namespace {

std::vector<IpPrefix> minus(const std::vector<IpPrefix>& from, const std::vector<IpPrefix>& remove) {
  std::vector<IpPrefix> out;
  for (const auto& prefix : from) {
    if (std::find(remove.begin(), remove.end(), prefix) == remove.end()) out.push_back(prefix);
  }
  return out;
}

bool due(const std::optional<TimePoint>& deadline, TimePoint now) { return deadline && *deadline <= now; }

}  // namespace

std::uint8_t effective_priority(std::uint8_t base, int weight) {
  if (base == kPriorityOwner) return base;  // trackers never change an address owner
  return static_cast<std::uint8_t>(std::clamp(static_cast<int>(base) + weight, 1, 254));
}

Instance::Instance(InstanceConfig config) : config_(std::move(config)), master_interval_(config_.advert_interval) {
  if (config_.unicast_source) primary_address_ = config_.unicast_source;
}

Actions Instance::on(const Event& event, TimePoint now) {
  Actions out;
  std::visit(Overloaded{
                 [&](const Started&) { on_started(now, out); },
                 [&](const AdvertReceived& e) { on_advert(e, now, out); },
                 [&](const TimerFired&) { on_timer(now, out); },
                 [&](const TrackStateChanged& e) { on_track(e, now, out); },
                 [&](const InterfaceChanged& e) { on_interface(e, now, out); },
                 [&](const VipsAdded& e) { on_vips_added(e, now, out); },
                 [&](const StopRequested&) { on_stop(out); },
                 [&](const ConfigChanged& e) { out = reconfigure(e.config, now); },
                 [&](const SyncGroupFollow& e) { on_follow(e, now, out); },
                 [&](const SyncGroupFault& e) {
                   faults_.set(FaultReason::kSyncGroup, e.active);
                   apply_faults(now, out);
                 },
             },
             event);
  return out;
}

std::optional<TimePoint> Instance::next_deadline() const {
  std::optional<TimePoint> next;
  for (const auto& deadline : {deadlines_.advert, deadlines_.master_down, deadlines_.garp_second_burst,
                               deadlines_.garp_lower_prio_burst, deadlines_.garp_refresh, deadlines_.fault_retry}) {
    if (deadline && (!next || *deadline < *next)) next = deadline;
  }
  return next;
}

Duration Instance::master_down_interval() const {
  return vrrp::master_down_interval(config_.version, priority(), master_interval_, config_.down_timer_adverts);
}

void Instance::on_started(TimePoint now, Actions& out) {
  if (state_ != State::kInit) return;
  start_or_recover(now, out);
}

void Instance::start_or_recover(TimePoint now, Actions& out) {
  if (faults_.any()) {
    state_ = State::kFault;
    notify(State::kFault, out);
  } else if (priority() == kPriorityOwner && config_.initial_state == InitialState::kMaster) {
    // RFC 5798 §6.4.1: the address owner starts as master; keepalived asks for `state MASTER` too.
    become_master(now, out);
  } else {
    enter_backup(now, out);  // RFC 5798 §6.4.1
  }
}

void Instance::enter_backup(TimePoint now, Actions& out) {
  state_ = State::kBackup;
  clear_master_deadlines();
  master_interval_ = config_.advert_interval;             // RFC 5798 §6.4.1
  deadlines_.master_down = now + master_down_interval();  // RFC 5798 §6.4.1
  notify(State::kBackup, out);
}

void Instance::become_master(TimePoint now, Actions& out) {
  state_ = State::kMaster;
  master_interval_ = config_.advert_interval;  // a v3 backup's adopted interval ends here
  deadlines_.master_down.reset();
  deadlines_.preempt_allowed.reset();
  deadlines_.fault_retry.reset();
  master_address_ = primary_address_;
  master_confirmed_ = false;
  ++stats_.become_master;
  // RFC 5798 §6.4.2: send an advert at once so other backups stand down, then take the addresses.
  send_advert(priority(), now, out);
  become_request_ = next_request_++;
  out.push_back(AddVips{*become_request_, all_vips()});
}

void Instance::leave_master(bool send_priority_zero, Actions& out) {
  if (send_priority_zero) {
    // RFC 5798 §6.4.3: priority 0 lets a backup take over after Skew_Time instead of Master_Down_Interval.
    out.push_back(SendAdvert{make_advert(kPriorityStop)});
    ++stats_.adverts_sent;
    ++stats_.priority_zero_sent;
  }
  // Also after a refused or unanswered AddVips: part of the addresses may be in the kernel.
  out.push_back(RemoveVips{all_vips()});
  clear_master_deadlines();
  become_request_.reset();
  pending_adds_.clear();
  master_confirmed_ = false;
  ++stats_.release_master;
}

void Instance::clear_master_deadlines() {
  deadlines_.advert.reset();
  deadlines_.garp_second_burst.reset();
  deadlines_.garp_lower_prio_burst.reset();
  deadlines_.garp_refresh.reset();
}

void Instance::apply_faults(TimePoint now, Actions& out) {
  if (faults_.any()) {
    switch (state_) {
      case State::kInit:  // Started decides
      case State::kStop:
      case State::kFault: return;
      case State::kMaster: leave_master(true, out); break;
      case State::kBackup: break;
    }
    state_ = State::kFault;
    deadlines_.master_down.reset();
    deadlines_.preempt_allowed.reset();
    notify(State::kFault, out);
  } else if (state_ == State::kFault) {
    deadlines_.fault_retry.reset();
    start_or_recover(now, out);
  }
}

void Instance::send_advert(std::uint8_t priority, TimePoint now, Actions& out) {
  out.push_back(SendAdvert{make_advert(priority)});
  ++stats_.adverts_sent;
  deadlines_.advert = now + own_interval();  // RFC 5798 §6.4.3: reset the Adver_Timer
}

void Instance::notify(State state, Actions& out) {
  if (reported_ == state) return;
  reported_ = state;
  out.push_back(RunNotify{state, priority()});
}

void Instance::on_advert(const AdvertReceived& event, TimePoint now, Actions& out) {
  const Advert& advert = event.advert;
  // Our own adverts looped back must not start an election against ourselves.
  if (primary_address_ && event.source == *primary_address_) return;
  ++stats_.adverts_received;
  if (advert.priority == kPriorityStop) ++stats_.priority_zero_received;
  const std::uint8_t mine = priority();
  const TimePoint heard = heard_at(event.arrived, now);
  if (state_ == State::kBackup) {
    if (advert.priority == kPriorityStop) {
      // RFC 5798 §6.4.2: the master is leaving; take over after Skew_Time.
      deadlines_.master_down = heard + skew_time(config_.version, mine, master_interval_);
      return;
    }
    bool accept = !config_.preempt || advert.priority >= mine;  // RFC 5798 §6.4.2
    if (advert.priority >= mine) {
      deadlines_.preempt_allowed.reset();
    } else if (!accept && config_.preempt_delay > Duration::zero()) {
      // keepalived: a lower-priority master is tolerated for preempt_delay after we first see it.
      if (!deadlines_.preempt_allowed) deadlines_.preempt_allowed = now + config_.preempt_delay;
      accept = now < *deadlines_.preempt_allowed;
    }
    if (!accept) return;  // RFC 5798 §6.4.2: discard; Master_Down_Timer runs on and we take over
    if (config_.version == Version::kV3 && advert.interval > Centiseconds::zero()) {
      master_interval_ = advert.interval;  // RFC 5798 §6.4.2: Master_Adver_Interval from the advert
    }
    deadlines_.master_down = heard + master_down_interval();  // RFC 5798 §6.4.2
    master_address_ = event.source;
    return;
  }
  if (state_ != State::kMaster) return;
  if (advert.priority == kPriorityStop) {
    send_advert(mine, now, out);  // RFC 5798 §6.4.3
    return;
  }
  const bool other_wins = advert.priority > mine ||  // RFC 5798 §6.4.3
                          (advert.priority == mine && (!primary_address_ || event.source > *primary_address_));
  if (other_wins) {
    leave_master(false, out);
    state_ = State::kBackup;
    // RFC 5798 §6.4.3: Master_Down_Timer from the new master's interval (v3), ours in v2.
    master_interval_ = config_.version == Version::kV3 && advert.interval > Centiseconds::zero()
                           ? advert.interval
                           : config_.advert_interval;
    deadlines_.master_down = heard + master_down_interval();
    master_address_ = event.source;
    notify(State::kBackup, out);
    return;
  }
  // A lower-priority master: keepalived forces a new election by advertising at once.
  if (!config_.lower_prio_no_advert) send_advert(mine, now, out);
  if (master_confirmed_ && config_.garp.lower_prio_repeat > 0) {
    out.push_back(SendGratuitous{all_vips(), config_.garp.lower_prio_repeat, GratuitousReason::kLowerPriorityMaster});
    if (config_.garp.lower_prio_delay > Duration::zero()) {
      deadlines_.garp_lower_prio_burst = now + config_.garp.lower_prio_delay;
    }
  }
}

void Instance::on_timer(TimePoint now, Actions& out) {
  switch (state_) {
    case State::kMaster:
      if (due(deadlines_.advert, now)) {
        const TimePoint was_due = *deadlines_.advert;
        send_advert(priority(), now, out);  // RFC 5798 §6.4.3
        // Keep the cadence anchored to the schedule unless we fell behind by a whole interval.
        if (was_due + own_interval() > now) deadlines_.advert = was_due + own_interval();
      }
      if (due(deadlines_.garp_second_burst, now)) {
        deadlines_.garp_second_burst.reset();
        out.push_back(SendGratuitous{all_vips(), config_.garp.master_repeat, GratuitousReason::kSecondBurst});
      }
      if (due(deadlines_.garp_lower_prio_burst, now)) {
        deadlines_.garp_lower_prio_burst.reset();
        out.push_back(
            SendGratuitous{all_vips(), config_.garp.lower_prio_repeat, GratuitousReason::kLowerPriorityMaster});
      }
      if (due(deadlines_.garp_refresh, now)) {
        deadlines_.garp_refresh = now + config_.garp.master_refresh;
        out.push_back(SendGratuitous{all_vips(), config_.garp.master_refresh_repeat, GratuitousReason::kRefresh});
      }
      return;
    case State::kBackup:
      if (due(deadlines_.master_down, now)) become_master(now, out);  // RFC 5798 §6.4.2
      return;
    case State::kFault:
      if (due(deadlines_.fault_retry, now)) {
        deadlines_.fault_retry.reset();
        faults_.set(FaultReason::kVipsFailed, false);
        apply_faults(now, out);
      }
      return;
    case State::kInit:
    case State::kStop: return;
  }
}

void Instance::priority_changed(std::uint8_t old_priority, TimePoint now, Actions& out) {
  if (state_ == State::kMaster) {
    send_advert(priority(), now, out);  // tell the backups now, not an interval later
  } else if (state_ == State::kBackup && deadlines_.master_down) {
    // keepalived shifts the running timer by the change in Skew_Time.
    *deadlines_.master_down += skew_time(config_.version, priority(), master_interval_) -
                               skew_time(config_.version, old_priority, master_interval_);
  }
}

void Instance::on_track(const TrackStateChanged& event, TimePoint now, Actions& out) {
  const std::uint8_t old_priority = priority();
  const State old_state = state_;
  track_weight_ = event.weight;
  faults_.set(FaultReason::kTracker, event.fault);
  apply_faults(now, out);
  if (state_ == old_state && old_priority != priority()) priority_changed(old_priority, now, out);
}

void Instance::on_interface(const InterfaceChanged& event, TimePoint now, Actions& out) {
  if (event.primary_address && !config_.unicast_source) primary_address_ = event.primary_address;
  faults_.set(FaultReason::kInterfaceDown, !event.up);
  apply_faults(now, out);
}

void Instance::on_vips_added(const VipsAdded& event, TimePoint now, Actions& out) {
  auto fail = [&] {
    ++stats_.vip_failures;
    faults_.set(FaultReason::kVipsFailed, true);
    apply_faults(now, out);
    deadlines_.fault_retry = now + master_down_interval();
  };
  if (become_request_ && event.request == *become_request_) {
    become_request_.reset();
    if (!event.ok) return fail();
    master_confirmed_ = true;
    notify(State::kMaster, out);
    if (config_.garp.master_repeat > 0) {
      out.push_back(SendGratuitous{all_vips(), config_.garp.master_repeat, GratuitousReason::kBecameMaster});
      if (config_.garp.master_delay > Duration::zero()) deadlines_.garp_second_burst = now + config_.garp.master_delay;
    }
    if (config_.garp.master_refresh > Duration::zero()) deadlines_.garp_refresh = now + config_.garp.master_refresh;
    return;
  }
  const auto pending = std::find_if(pending_adds_.begin(), pending_adds_.end(),
                                    [&](const PendingAdd& add) { return add.request == event.request; });
  if (pending == pending_adds_.end()) return;  // an answer for a master we no longer are
  const auto vips = pending->vips;
  pending_adds_.erase(pending);
  if (!event.ok) return fail();
  if (master_confirmed_ && config_.garp.master_repeat > 0) {
    out.push_back(SendGratuitous{vips, config_.garp.master_repeat, GratuitousReason::kVipsAdded});
  }
}

void Instance::on_stop(Actions& out) {
  if (state_ == State::kStop) return;
  if (state_ == State::kMaster) leave_master(true, out);  // RFC 5798 §6.4.3 Shutdown
  deadlines_ = {};
  state_ = State::kStop;
  notify(State::kStop, out);
}

void Instance::on_follow(const SyncGroupFollow& event, TimePoint now, Actions& out) {
  if (event.target == State::kMaster && state_ == State::kBackup) {
    become_master(now, out);
  } else if (event.target == State::kBackup && state_ == State::kMaster) {
    leave_master(false, out);
    enter_backup(now, out);
  }
}

Actions Instance::reconfigure(InstanceConfig config, TimePoint now) {
  Actions out;
  const InstanceConfig old = std::exchange(config_, std::move(config));
  if (config_.unicast_source) primary_address_ = config_.unicast_source;
  const std::uint8_t old_priority = effective_priority(old.base_priority(), track_weight_);
  const auto old_vips = [&] {
    auto all = old.vips;
    all.insert(all.end(), old.excluded.begin(), old.excluded.end());
    return all;
  }();
  const auto new_vips = all_vips();
  if (!config_.preempt) deadlines_.preempt_allowed.reset();
  switch (state_) {
    case State::kMaster: {
      const auto removed = minus(old_vips, new_vips);
      const auto added = minus(new_vips, old_vips);
      if (!removed.empty()) out.push_back(RemoveVips{removed});  // removals first: an address may move
      if (!added.empty()) {
        pending_adds_.push_back({next_request_++, added});
        out.push_back(AddVips{pending_adds_.back().request, added});
      }
      master_interval_ = config_.advert_interval;
      if (old_priority != priority() || old.vips != config_.vips || old.advert_interval != config_.advert_interval ||
          old.auth_type != config_.auth_type || old.auth_pass != config_.auth_pass) {
        send_advert(priority(), now, out);
      }
      if (master_confirmed_ && old.garp.master_refresh != config_.garp.master_refresh) {
        deadlines_.garp_refresh.reset();
        if (config_.garp.master_refresh > Duration::zero()) deadlines_.garp_refresh = now + config_.garp.master_refresh;
      }
      break;
    }
    case State::kBackup:
      if (config_.version == Version::kV2 && old.advert_interval != config_.advert_interval) {
        master_interval_ = config_.advert_interval;  // v2 backups use their own interval (RFC 3768 §6.1)
        deadlines_.master_down = now + master_down_interval();
      } else if (old_priority != priority()) {
        priority_changed(old_priority, now, out);
      }
      break;
    case State::kInit:
    case State::kFault:
    case State::kStop: master_interval_ = config_.advert_interval; break;
  }
  return out;
}

Advert Instance::make_advert(std::uint8_t priority) const {
  Advert advert;
  advert.version = config_.version;
  advert.family = config_.family;
  advert.vrid = config_.vrid;
  advert.priority = priority;
  advert.interval = config_.advert_interval;
  if (config_.version == Version::kV2) {
    advert.auth_type = config_.auth_type;
    if (config_.auth_type == AuthType::kPass && config_.family == Family::kIPv4) {
      advert.auth_data = auth_data_from_password(config_.auth_pass);
    }
  }
  advert.addresses.reserve(config_.vips.size());
  for (const auto& vip : config_.vips) advert.addresses.push_back(vip.address);
  return advert;
}

std::vector<IpPrefix> Instance::all_vips() const {
  auto all = config_.vips;
  all.insert(all.end(), config_.excluded.begin(), config_.excluded.end());
  return all;
}

}  // namespace vigil::vrrp
