// The state machine, driven with a virtual clock through the cases of RFC 5798 §6.4 and keepalived's semantics.
#include <doctest/doctest.h>

#include "harness.hpp"
#include "vrrp/timers.hpp"

using namespace vigil;
using namespace vigil::vrrp;
using namespace vigil::test;

TEST_CASE("instance: startup as backup arms Master_Down_Timer (RFC 5798 §6.4.1)") {
  Instance instance(basic_config(100));
  CHECK(instance.state() == State::kInit);
  CHECK_FALSE(instance.next_deadline());
  (void)instance.on(link_up(), t(0));
  const auto actions = instance.on(Started{}, t(0));
  CHECK(instance.state() == State::kBackup);
  REQUIRE(all_of<RunNotify>(actions).size() == 1);
  CHECK(all_of<RunNotify>(actions)[0].state == State::kBackup);
  // 3 × 1 s + (256 − 100)/256 s
  CHECK(instance.next_deadline() == t(0) + 3609375us);
  CHECK(instance.on(TimerFired{}, t(3.6)).empty());  // not yet due
}

TEST_CASE("instance: initial state and default priority rules") {
  SUBCASE("state MASTER without a priority is an owner (255) and starts as master") {
    InstanceConfig c = basic_config();
    c.priority.reset();
    c.initial_state = InitialState::kMaster;
    CHECK(c.base_priority() == 255);
    Instance instance(c);
    (void)instance.on(link_up(), t(0));
    const auto actions = instance.on(Started{}, t(0));
    CHECK(instance.state() == State::kMaster);
    CHECK(names(actions) == std::vector<std::string>{"SendAdvert", "AddVips"});
    CHECK(all_of<SendAdvert>(actions)[0].advert.priority == 255);
  }
  SUBCASE("no priority and no state: 100, backup") {
    InstanceConfig c = basic_config();
    c.priority.reset();
    CHECK(c.base_priority() == 100);
    CHECK(started_backup(c).state() == State::kBackup);
  }
  SUBCASE("state MASTER with priority 100 starts as backup") {
    InstanceConfig c = basic_config(100);
    c.initial_state = InitialState::kMaster;
    CHECK(started_backup(c).state() == State::kBackup);
  }
  SUBCASE("priority 255 with state BACKUP starts as backup (keepalived), and takes over after 3 s + 1/256 s") {
    Instance instance = started_backup(basic_config(255));
    CHECK(instance.state() == State::kBackup);
    CHECK(instance.next_deadline() == t(0) + 3003906us);
  }
}

TEST_CASE("instance: MASTER is reported only after the kernel acknowledged the VIPs") {
  Instance instance = started_backup(basic_config(100));
  const auto takeover = instance.on(TimerFired{}, t(3.61));
  CHECK(instance.state() == State::kMaster);
  CHECK(instance.reported_state() == State::kBackup);
  CHECK(instance.vips_pending());
  CHECK(names(takeover) == std::vector<std::string>{"SendAdvert", "AddVips"});
  const auto add = all_of<AddVips>(takeover)[0];
  CHECK(add.vips == std::vector<IpPrefix>{prefix("192.0.2.50/24")});
  CHECK_FALSE(has<SendGratuitous>(takeover));

  CHECK(instance.on(VipsAdded{add.request + 100, true, {}}, t(3.62)).empty());  // not our request
  const auto confirmed = instance.on(VipsAdded{add.request, true, {}}, t(3.62));
  CHECK(instance.reported_state() == State::kMaster);
  CHECK_FALSE(instance.vips_pending());
  REQUIRE(names(confirmed) == std::vector<std::string>{"RunNotify", "SendGratuitous"});
  CHECK(all_of<RunNotify>(confirmed)[0].state == State::kMaster);
  CHECK(all_of<RunNotify>(confirmed)[0].priority == 100);
  CHECK(all_of<SendGratuitous>(confirmed)[0].repeat == 5);
  CHECK(all_of<SendGratuitous>(confirmed)[0].reason == GratuitousReason::kBecameMaster);
  CHECK(instance.stats().become_master == 1);
}

TEST_CASE("instance: VIPs refused by the kernel: leave MASTER for FAULT, retry later") {
  Instance instance = started_backup(basic_config(100));
  const auto takeover = instance.on(TimerFired{}, t(3.61));
  const auto request = all_of<AddVips>(takeover)[0].request;
  const auto failed = instance.on(VipsAdded{request, false, "File exists"}, t(3.62));
  CHECK(instance.state() == State::kFault);
  CHECK(instance.faults().has(FaultReason::kVipsFailed));
  CHECK(names(failed) == std::vector<std::string>{"SendAdvert", "RemoveVips", "RunNotify"});
  CHECK(all_of<SendAdvert>(failed)[0].advert.priority == 0);
  CHECK(all_of<RunNotify>(failed)[0].state == State::kFault);
  CHECK(instance.stats().vip_failures == 1);
  REQUIRE(instance.next_deadline());
  const auto retry = instance.on(TimerFired{}, *instance.next_deadline());
  CHECK(instance.state() == State::kBackup);
  CHECK(all_of<RunNotify>(retry)[0].state == State::kBackup);
}

TEST_CASE("instance: a late VIP acknowledgement after losing the election is ignored") {
  Instance instance = started_backup(basic_config(100));
  const auto takeover = instance.on(TimerFired{}, t(3.61));
  const auto request = all_of<AddVips>(takeover)[0].request;
  const auto lost = instance.on(advert_from("192.0.2.1", 200), t(3.615));
  CHECK(instance.state() == State::kBackup);
  CHECK(has<RemoveVips>(lost));
  CHECK_FALSE(has<RunNotify>(lost));  // MASTER was never reported, so BACKUP is not news
  CHECK(instance.on(VipsAdded{request, true, {}}, t(3.62)).empty());
  CHECK(instance.reported_state() == State::kBackup);
}

TEST_CASE("instance: advert cadence and the GARP schedule (matches keepalived's capture)") {
  InstanceConfig c = basic_config(100);
  Instance instance = started_backup(c);
  const TimePoint t0 = t(3.609375);
  auto actions = make_master(instance, t0);
  CHECK(all_of<SendAdvert>(actions).size() == 1);
  CHECK(all_of<SendGratuitous>(actions).size() == 1);
  int adverts = 0;
  int bursts = 0;
  for (int i = 1; i <= 6; ++i) {
    const TimePoint when = t0 + std::chrono::seconds(i);
    REQUIRE(instance.next_deadline() == when);
    actions = instance.on(TimerFired{}, when);
    adverts += static_cast<int>(all_of<SendAdvert>(actions).size());
    for (const auto& g : all_of<SendGratuitous>(actions)) {
      ++bursts;
      CHECK(i == 5);  // garp_master_delay: second burst 5 s after becoming master
      CHECK(g.reason == GratuitousReason::kSecondBurst);
      CHECK(g.repeat == 5);
    }
  }
  CHECK(adverts == 6);
  CHECK(bursts == 1);
  // A late wake-up keeps the schedule anchored, without bursts of catch-up adverts.
  actions = instance.on(TimerFired{}, t0 + 7300ms);
  CHECK(all_of<SendAdvert>(actions).size() == 1);
  CHECK(instance.next_deadline() == t0 + 8s);
  actions = instance.on(TimerFired{}, t0 + 12500ms);
  CHECK(all_of<SendAdvert>(actions).size() == 1);
  CHECK(instance.next_deadline() == t0 + 13500ms);
}

TEST_CASE("instance: GARP refresh while master") {
  InstanceConfig c = basic_config(100);
  c.garp.master_delay = Duration::zero();
  c.garp.master_refresh = 10s;
  c.garp.master_refresh_repeat = 2;
  Instance instance = started_backup(c);
  const TimePoint t0 = t(4);
  (void)make_master(instance, t0);
  CHECK_FALSE(instance.deadlines().garp_second_burst);
  std::vector<TimePoint> refreshes;
  for (TimePoint now = t0; now <= t0 + 25s; now += 1s) {
    for (const auto& g : all_of<SendGratuitous>(instance.on(TimerFired{}, now))) {
      CHECK(g.reason == GratuitousReason::kRefresh);
      CHECK(g.repeat == 2);
      refreshes.push_back(now);
    }
  }
  CHECK(refreshes == std::vector<TimePoint>{t0 + 10s, t0 + 20s});
}

TEST_CASE("instance: election by priority in BACKUP (RFC 5798 §6.4.2)") {
  Instance instance = started_backup(basic_config(100));
  SUBCASE("a higher-priority master resets Master_Down_Timer") {
    (void)instance.on(advert_from("192.0.2.1", 150), t(3));
    CHECK(instance.deadlines().master_down == t(3) + 3609375us);
    CHECK(instance.on(TimerFired{}, t(3.61)).empty());
    CHECK(instance.master_address() == ip("192.0.2.1"));
  }
  SUBCASE("an equal-priority master is accepted") {
    (void)instance.on(advert_from("192.0.2.1", 100), t(3));
    CHECK(instance.deadlines().master_down == t(3) + 3609375us);
  }
  SUBCASE("a lower-priority master is discarded and we preempt it") {
    (void)instance.on(advert_from("192.0.2.1", 50), t(1));
    (void)instance.on(advert_from("192.0.2.1", 50), t(2));
    (void)instance.on(advert_from("192.0.2.1", 50), t(3));
    CHECK(instance.deadlines().master_down == t(0) + 3609375us);
    (void)instance.on(TimerFired{}, t(3.61));
    CHECK(instance.state() == State::kMaster);
  }
}

TEST_CASE("instance: nopreempt keeps a lower-priority master") {
  InstanceConfig c = basic_config(200);
  c.preempt = false;
  Instance instance = started_backup(c);
  for (int i = 1; i <= 10; ++i) {
    (void)instance.on(advert_from("192.0.2.1", 50), t(i));
    CHECK(instance.on(TimerFired{}, t(i + 0.5)).empty());
  }
  CHECK(instance.state() == State::kBackup);
}

TEST_CASE("instance: preempt_delay tolerates a lower-priority master for a while") {
  InstanceConfig c = basic_config(200);
  c.preempt_delay = 10s;
  Instance instance = started_backup(c);
  // Adverts every second from a priority-50 master, first seen at t=1: accepted until t=11.
  for (int i = 1; i <= 10; ++i) {
    (void)instance.on(advert_from("192.0.2.1", 50), t(i));
    CHECK(instance.on(TimerFired{}, t(i + 0.5)).empty());
  }
  CHECK(instance.deadlines().preempt_allowed == t(11));
  TimePoint took_over{};
  for (int i = 11; i <= 20 && instance.state() == State::kBackup; ++i) {
    (void)instance.on(advert_from("192.0.2.1", 50), t(i));
    if (instance.next_deadline() && *instance.next_deadline() <= t(i + 1)) {
      took_over = *instance.next_deadline();
      (void)instance.on(TimerFired{}, took_over);
    }
  }
  CHECK(instance.state() == State::kMaster);
  // The last accepted advert was at t=10; Master_Down_Interval for priority 200 is 3 + 56/256 s.
  CHECK(took_over == t(10) + 3218750us);
}

TEST_CASE("instance: MASTER receiving adverts (RFC 5798 §6.4.3)") {
  Instance instance = started_backup(basic_config(100));
  (void)make_master(instance, t(4));
  REQUIRE(instance.reported_state() == State::kMaster);
  SUBCASE("higher priority: step down to BACKUP") {
    const auto actions = instance.on(advert_from("192.0.2.1", 150), t(4.5));
    CHECK(instance.state() == State::kBackup);
    CHECK(names(actions) == std::vector<std::string>{"RemoveVips", "RunNotify"});
    CHECK(all_of<RunNotify>(actions)[0].state == State::kBackup);
    CHECK(instance.deadlines().master_down == t(4.5) + 3609375us);
    CHECK_FALSE(instance.deadlines().advert);
    CHECK(instance.stats().release_master == 1);
  }
  SUBCASE("equal priority from a higher address wins") {
    (void)instance.on(advert_from("192.0.2.3", 100), t(4.5));
    CHECK(instance.state() == State::kBackup);
  }
  SUBCASE("equal priority from a lower address loses: we re-advertise") {
    const auto actions = instance.on(advert_from("192.0.2.1", 100), t(4.5));
    CHECK(instance.state() == State::kMaster);
    CHECK(all_of<SendAdvert>(actions).size() == 1);
  }
  SUBCASE("lower priority: re-advertise and resend GARPs (keepalived)") {
    const auto actions = instance.on(advert_from("192.0.2.1", 50), t(4.5));
    CHECK(instance.state() == State::kMaster);
    CHECK(all_of<SendAdvert>(actions)[0].advert.priority == 100);
    REQUIRE(has<SendGratuitous>(actions));
    CHECK(all_of<SendGratuitous>(actions)[0].reason == GratuitousReason::kLowerPriorityMaster);
    // garp_lower_prio_delay later, a second burst
    CHECK(instance.deadlines().garp_lower_prio_burst == t(9.5));
    const auto later = instance.on(TimerFired{}, t(9.5));
    REQUIRE(all_of<SendGratuitous>(later).size() == 2);  // with the 5 s burst after becoming master at t=4
  }
  SUBCASE("priority 0: advertise at once") {
    const auto actions = instance.on(advert_from("192.0.2.1", 0), t(4.5));
    CHECK(instance.state() == State::kMaster);
    CHECK(all_of<SendAdvert>(actions).size() == 1);
    CHECK(instance.deadlines().advert == t(5.5));
    CHECK(instance.stats().priority_zero_received == 1);
  }
  SUBCASE("our own advert looped back is ignored") {
    CHECK(instance.on(advert_from("192.0.2.2", 100), t(4.5)).empty());
  }
}

TEST_CASE("instance: lower_prio_no_advert keeps a master silent") {
  InstanceConfig c = basic_config(100);
  c.lower_prio_no_advert = true;
  c.garp.lower_prio_repeat = 0;
  Instance instance = started_backup(c);
  (void)make_master(instance, t(4));
  CHECK(instance.on(advert_from("192.0.2.1", 50), t(4.5)).empty());
}

TEST_CASE("instance: priority 0 when leaving MASTER, skew-time takeover on the other side") {
  Instance master = started_backup(basic_config(150));
  (void)make_master(master, t(4));
  Instance backup = started_backup(basic_config(100));
  (void)backup.on(advert_from("192.0.2.1", 150), t(4));

  const auto stop = master.on(StopRequested{}, t(5));
  CHECK(master.state() == State::kStop);
  CHECK(names(stop) == std::vector<std::string>{"SendAdvert", "RemoveVips", "RunNotify"});
  CHECK(all_of<SendAdvert>(stop)[0].advert.priority == 0);
  CHECK(all_of<RunNotify>(stop)[0].state == State::kStop);
  CHECK_FALSE(master.next_deadline());
  CHECK(master.stats().priority_zero_sent == 1);

  // RFC 5798 §6.4.2: the backup shortens its timer to Skew_Time.
  (void)backup.on(advert_from("192.0.2.1", 0), t(5));
  CHECK(backup.next_deadline() == t(5) + 609375us);
  (void)backup.on(TimerFired{}, t(5) + 609375us);
  CHECK(backup.state() == State::kMaster);
}

TEST_CASE("instance: stopping a backup notifies STOP without adverts") {
  Instance instance = started_backup(basic_config(100));
  const auto actions = instance.on(StopRequested{}, t(1));
  CHECK(names(actions) == std::vector<std::string>{"RunNotify"});
  CHECK(instance.on(StopRequested{}, t(2)).empty());
  CHECK(instance.on(advert_from("192.0.2.1", 0), t(3)).empty());
}

TEST_CASE("instance: FAULT and recovery") {
  SUBCASE("interface down as master: priority 0, VIPs removed, FAULT; up again: BACKUP") {
    Instance instance = started_backup(basic_config(100));
    (void)make_master(instance, t(4));
    const auto down = instance.on(InterfaceChanged{false, {}}, t(5));
    CHECK(instance.state() == State::kFault);
    CHECK(names(down) == std::vector<std::string>{"SendAdvert", "RemoveVips", "RunNotify"});
    CHECK(all_of<SendAdvert>(down)[0].advert.priority == 0);
    CHECK_FALSE(instance.next_deadline());
    CHECK(instance.on(advert_from("192.0.2.1", 50), t(6)).empty());
    const auto up = instance.on(link_up(), t(7));
    CHECK(instance.state() == State::kBackup);
    CHECK(all_of<RunNotify>(up)[0].state == State::kBackup);
    CHECK(instance.next_deadline() == t(7) + 3609375us);
  }
  SUBCASE("an unweighted tracker fails in backup") {
    Instance instance = started_backup(basic_config(100));
    const auto fault = instance.on(TrackStateChanged{0, true}, t(1));
    CHECK(instance.state() == State::kFault);
    CHECK(names(fault) == std::vector<std::string>{"RunNotify"});
    // Still faulty for another reason: stays in FAULT.
    (void)instance.on(InterfaceChanged{false, {}}, t(2));
    (void)instance.on(TrackStateChanged{0, false}, t(3));
    CHECK(instance.state() == State::kFault);
    (void)instance.on(link_up(), t(4));
    CHECK(instance.state() == State::kBackup);
  }
  SUBCASE("starting with the interface down starts in FAULT") {
    InstanceConfig c = basic_config(255);
    c.initial_state = InitialState::kMaster;
    Instance instance(c);
    (void)instance.on(InterfaceChanged{false, {}}, t(0));
    const auto actions = instance.on(Started{}, t(0));
    CHECK(instance.state() == State::kFault);
    CHECK(names(actions) == std::vector<std::string>{"RunNotify"});
    // An owner leaving FAULT goes straight to MASTER, as at startup.
    (void)instance.on(link_up(), t(1));
    CHECK(instance.state() == State::kMaster);
  }
}

TEST_CASE("instance: tracker weights move the priority") {
  SUBCASE("master advertises its new priority at once") {
    Instance instance = started_backup(basic_config(100));
    (void)make_master(instance, t(4));
    const auto actions = instance.on(TrackStateChanged{-60, false}, t(4.5));
    CHECK(instance.priority() == 40);
    REQUIRE(has<SendAdvert>(actions));
    CHECK(all_of<SendAdvert>(actions)[0].advert.priority == 40);
    // ... and the peer with 100 now preempts it.
    Instance peer = started_backup(basic_config(100));
    (void)peer.on(advert_from("192.0.2.1", 40), t(1));
    (void)peer.on(TimerFired{}, t(3.61));
    CHECK(peer.state() == State::kMaster);
  }
  SUBCASE("backup shifts its running timer by the change in skew") {
    Instance instance = started_backup(basic_config(100));
    const auto before = *instance.deadlines().master_down;
    (void)instance.on(TrackStateChanged{+50, false}, t(1));
    CHECK(instance.priority() == 150);
    CHECK(*instance.deadlines().master_down == before - (609375us - 414062us));
  }
  SUBCASE("clamped to 1..254, an owner is never changed") {
    CHECK(effective_priority(100, 500) == 254);
    CHECK(effective_priority(100, -500) == 1);
    CHECK(effective_priority(255, -100) == 255);
    CHECK(effective_priority(254, 1) == 254);
  }
}

TEST_CASE("instance: a v3 backup adopts the master's interval (RFC 5798 §6.4.2)") {
  Instance instance = started_backup(basic_config(100, Version::kV3));
  (void)instance.on(advert_from("192.0.2.1", 150, Version::kV3, Centiseconds{50}), t(1));
  CHECK(instance.master_interval() == Centiseconds{50});
  // 3 × 0.5 s + (156 × 0.5 s)/256
  CHECK(instance.deadlines().master_down == t(1) + 1500000us + 304687us);
  (void)instance.on(TimerFired{}, t(1) + 1804687us);
  CHECK(instance.state() == State::kMaster);
  CHECK(instance.master_interval() == Centiseconds{100});  // becoming master restores our own
  CHECK(instance.deadlines().advert == t(1) + 1804687us + 1s);
}

TEST_CASE("instance: stall: an advert read after the master-down deadline passed still wins") {
  Instance instance = started_backup(basic_config(100));
  // The process slept from t=0.5 to t=10; the master's adverts queued up meanwhile.
  const TimePoint woke = t(10);
  REQUIRE(instance.next_deadline() < woke);
  for (int i = 0; i < 3; ++i) {
    CHECK(instance.on(advert_from("192.0.2.1", 150), woke).empty());
  }
  CHECK(instance.next_deadline() == woke + 3609375us);
  CHECK(instance.on(TimerFired{}, woke).empty());
  CHECK(instance.state() == State::kBackup);
  CHECK(instance.stats().become_master == 0);
}

TEST_CASE("instance: the master-down timer counts from the advert's arrival when the kernel stamped it") {
  Instance instance = started_backup(basic_config(100));
  auto advert = advert_from("192.0.2.1", 150);
  SUBCASE("read 80 us after it arrived") {
    advert.arrived = t(1) - 80us;
    (void)instance.on(advert, t(1));
    CHECK(instance.next_deadline() == t(1) - 80us + 3609375us);
  }
  SUBCASE("priority 0: Skew_Time from its arrival") {
    advert = advert_from("192.0.2.1", 0);
    advert.arrived = t(1) - 80us;
    (void)instance.on(advert, t(1));
    CHECK(instance.next_deadline() == t(1) - 80us + 609375us);
  }
  SUBCASE("queued through a stall: at most kArrivalBackdateLimit back, so the timer is not already over") {
    advert.arrived = t(1) - 3s;
    (void)instance.on(advert, t(1));
    CHECK(instance.next_deadline() == t(1) - kArrivalBackdateLimit + 3609375us);
    CHECK(instance.on(TimerFired{}, t(1)).empty());
    CHECK(instance.state() == State::kBackup);
  }
}

TEST_CASE("instance: reconfigure in place") {
  SUBCASE("master: VIP changes touch only the difference, removals first") {
    InstanceConfig c = basic_config(100);
    c.vips = {prefix("192.0.2.50/24"), prefix("192.0.2.51/24")};
    Instance instance = started_backup(c);
    (void)make_master(instance, t(4));
    InstanceConfig changed = c;
    changed.vips = {prefix("192.0.2.51/24"), prefix("192.0.2.52/24")};
    const auto actions = instance.reconfigure(changed, t(4.5));
    REQUIRE(names(actions) == std::vector<std::string>{"RemoveVips", "AddVips", "SendAdvert"});
    CHECK(all_of<RemoveVips>(actions)[0].vips == std::vector<IpPrefix>{prefix("192.0.2.50/24")});
    const auto add = all_of<AddVips>(actions)[0];
    CHECK(add.vips == std::vector<IpPrefix>{prefix("192.0.2.52/24")});
    CHECK(all_of<SendAdvert>(actions)[0].advert.addresses ==
          std::vector<IpAddress>{ip("192.0.2.51"), ip("192.0.2.52")});
    const auto acked = instance.on(VipsAdded{add.request, true, {}}, t(4.6));
    REQUIRE(all_of<SendGratuitous>(acked).size() == 1);
    CHECK(all_of<SendGratuitous>(acked)[0].vips == std::vector<IpPrefix>{prefix("192.0.2.52/24")});
    CHECK(all_of<SendGratuitous>(acked)[0].reason == GratuitousReason::kVipsAdded);
    CHECK_FALSE(has<RunNotify>(acked));
  }
  SUBCASE("master: priority and advert interval") {
    Instance instance = started_backup(basic_config(100));
    (void)make_master(instance, t(4));
    InstanceConfig changed = basic_config(120);
    changed.advert_interval = Centiseconds{200};
    const auto actions = instance.on(ConfigChanged{changed}, t(4.5));
    REQUIRE(names(actions) == std::vector<std::string>{"SendAdvert"});
    CHECK(all_of<SendAdvert>(actions)[0].advert.priority == 120);
    CHECK(all_of<SendAdvert>(actions)[0].advert.interval == Centiseconds{200});
    CHECK(instance.next_deadline() == t(6.5));
  }
  SUBCASE("backup: priority change shifts the timer, interval change (v2) restarts it") {
    Instance instance = started_backup(basic_config(100));
    auto changed = basic_config(150);
    CHECK(instance.reconfigure(changed, t(1)).empty());
    CHECK(instance.deadlines().master_down == t(0) + 3414062us);
    changed.advert_interval = Centiseconds{200};
    (void)instance.reconfigure(changed, t(2));
    CHECK(instance.deadlines().master_down == t(2) + 6000000us + 414062us);
  }
  SUBCASE("unchanged config does nothing") {
    Instance instance = started_backup(basic_config(100));
    (void)make_master(instance, t(4));
    CHECK(instance.reconfigure(basic_config(100), t(4.5)).empty());
  }
}

TEST_CASE("instance: PASS auth and excluded VIPs in what the master does") {
  InstanceConfig c = basic_config(100);
  c.auth_type = AuthType::kPass;
  c.auth_pass = "secret";
  c.excluded = {prefix("198.51.100.7/32")};
  Instance instance = started_backup(c);
  const auto actions = make_master(instance, t(4));
  const auto advert = all_of<SendAdvert>(actions)[0].advert;
  CHECK(advert.auth_type == AuthType::kPass);
  CHECK(advert.auth_data == auth_data_from_password("secret"));
  CHECK(advert.addresses == std::vector<IpAddress>{ip("192.0.2.50")});  // excluded VIPs are not advertised
  CHECK(all_of<AddVips>(actions)[0].vips.size() == 2);
  CHECK(all_of<SendGratuitous>(actions)[0].vips.size() == 2);
}

TEST_CASE("instance: names for every enum and variant alternative") {
  for (auto s : {State::kInit, State::kBackup, State::kMaster, State::kFault, State::kStop}) {
    CHECK(std::string(to_string(s)) != "?");
  }
  for (auto r :
       {FaultReason::kInterfaceDown, FaultReason::kTracker, FaultReason::kVipsFailed, FaultReason::kSyncGroup}) {
    CHECK(std::string(to_string(r)) != "?");
  }
  CHECK(std::string(event_name(Event{TimerFired{}})) == "TimerFired");
  CHECK(std::string(event_name(Event{SyncGroupFault{}})) == "SyncGroupFault");
  CHECK(std::string(action_name(Action{RunNotify{}})) == "RunNotify");
  CHECK(std::string(to_string(GratuitousReason::kRefresh)) == "refresh");
}
