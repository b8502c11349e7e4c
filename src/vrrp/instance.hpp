#pragma once
// One VRRP instance as a pure state machine: RFC 5798 §6.4 with keepalived's semantics.
//
// What a driver does, in a loop:
//   1. feed every input as an Event with on(event, now) and execute the returned Actions in order;
//   2. sleep until next_deadline() (or the next input) and then feed TimerFired{} with the current time;
//   3. after a stall, read every queued advert (feeding AdvertReceived) BEFORE feeding TimerFired:
//      an advert that arrives after a deadline passed but before TimerFired is processed wins.
// AddVips must be answered with VipsAdded{request}: the instance reports MASTER (RunNotify, GARPs)
// only once the kernel holds the VIPs.
#include <cstdint>
#include <optional>
#include <vector>

#include "base/duration.hpp"
#include "vrrp/actions.hpp"
#include "vrrp/config.hpp"
#include "vrrp/events.hpp"
#include "vrrp/state.hpp"

namespace vigil::vrrp {

struct InstanceStats {
  std::uint64_t adverts_sent = 0;
  std::uint64_t adverts_received = 0;
  std::uint64_t become_master = 0;
  std::uint64_t release_master = 0;
  std::uint64_t priority_zero_sent = 0;
  std::uint64_t priority_zero_received = 0;
  std::uint64_t vip_failures = 0;
};

// Deadlines the instance holds (unset = not armed). Exposed for status output and tests.
struct Deadlines {
  std::optional<TimePoint> advert;       // MASTER: next advert (RFC 5798 §6.4.3 Adver_Timer)
  std::optional<TimePoint> master_down;  // BACKUP: RFC 5798 §6.4.2 Master_Down_Timer
  std::optional<TimePoint> garp_second_burst;
  std::optional<TimePoint> garp_lower_prio_burst;  // second burst after a lower-priority master showed up
  std::optional<TimePoint> garp_refresh;
  std::optional<TimePoint> fault_retry;      // FAULT after refused VIPs
  std::optional<TimePoint> preempt_allowed;  // BACKUP: preempt_delay end (no action; adverts judged by it)
};

// keepalived's rule for the effective priority: base + weights, clamped to 1..254; an owner stays 255.
[[nodiscard]] std::uint8_t effective_priority(std::uint8_t base, int weight);

class Instance {
 public:
  // `config` should have gone through normalize() (config.hpp).
  explicit Instance(InstanceConfig config);

  [[nodiscard]] Actions on(const Event& event, TimePoint now);
  // In-place change of priority, advert interval, VIPs (removals first, then additions), preempt,
  // GARP settings, auth. Fields classify() calls Restart/Rebind are taken as given.
  [[nodiscard]] Actions reconfigure(InstanceConfig config, TimePoint now);

  [[nodiscard]] std::optional<TimePoint> next_deadline() const;

  [[nodiscard]] State state() const { return state_; }
  // The state last announced with RunNotify: MASTER only after the VIPs were acknowledged.
  [[nodiscard]] State reported_state() const { return reported_; }
  [[nodiscard]] bool vips_pending() const { return become_request_.has_value(); }
  [[nodiscard]] std::uint8_t priority() const { return effective_priority(config_.base_priority(), track_weight_); }
  // Master_Adver_Interval: a v3 backup adopts the master's (RFC 5798 §6.4.2).
  [[nodiscard]] Centiseconds master_interval() const { return master_interval_; }
  [[nodiscard]] Duration master_down_interval() const;
  [[nodiscard]] const FaultSet& faults() const { return faults_; }
  [[nodiscard]] const Deadlines& deadlines() const { return deadlines_; }
  [[nodiscard]] const InstanceConfig& config() const { return config_; }
  [[nodiscard]] const InstanceStats& stats() const { return stats_; }
  [[nodiscard]] std::optional<IpAddress> master_address() const { return master_address_; }

 private:
  struct PendingAdd {
    std::uint64_t request = 0;
    std::vector<IpPrefix> vips;
  };

  void on_started(TimePoint now, Actions& out);
  void on_advert(const AdvertReceived& event, TimePoint now, Actions& out);
  void on_timer(TimePoint now, Actions& out);
  void on_track(const TrackStateChanged& event, TimePoint now, Actions& out);
  void on_interface(const InterfaceChanged& event, TimePoint now, Actions& out);
  void on_vips_added(const VipsAdded& event, TimePoint now, Actions& out);
  void on_stop(Actions& out);
  void on_follow(const SyncGroupFollow& event, TimePoint now, Actions& out);

  void enter_backup(TimePoint now, Actions& out);
  void become_master(TimePoint now, Actions& out);
  void enter_fault(FaultReason reason, TimePoint now, Actions& out);
  void leave_master(bool send_priority_zero, Actions& out);
  void apply_faults(TimePoint now, Actions& out);
  void start_or_recover(TimePoint now, Actions& out);
  void send_advert(std::uint8_t priority, TimePoint now, Actions& out);
  void notify(State state, Actions& out);
  void priority_changed(std::uint8_t old_priority, TimePoint now, Actions& out);
  void clear_master_deadlines();

  [[nodiscard]] Advert make_advert(std::uint8_t priority) const;
  [[nodiscard]] std::vector<IpPrefix> all_vips() const;
  [[nodiscard]] Duration own_interval() const { return Duration(config_.advert_interval); }

  InstanceConfig config_;
  State state_ = State::kInit;
  State reported_ = State::kInit;
  FaultSet faults_;
  int track_weight_ = 0;
  bool master_confirmed_ = false;
  Centiseconds master_interval_;
  std::optional<IpAddress> primary_address_;
  std::optional<IpAddress> master_address_;
  std::uint64_t next_request_ = 1;
  std::optional<std::uint64_t> become_request_;
  std::vector<PendingAdd> pending_adds_;  // in-place additions while MASTER
  Deadlines deadlines_;
  InstanceStats stats_;
};

}  // namespace vigil::vrrp
