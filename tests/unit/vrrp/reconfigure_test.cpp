// Instance::reconfigure() as a SIGHUP reload uses it, driven with the virtual clock: what a
// running instance does (and, above all, does not do) when its settings change in place.
#include <doctest/doctest.h>

#include "harness.hpp"
#include "vrrp/instance.hpp"

using namespace vigil;
using namespace vigil::vrrp;
using namespace vigil::test;

TEST_CASE("reconfigure: a master's adverts carry the new priority from the change on") {
  Instance instance = started_backup(basic_config(100));
  (void)make_master(instance, t(4));
  const auto changed = instance.reconfigure(basic_config(90), t(4.3));
  REQUIRE(all_of<SendAdvert>(changed).size() == 1);  // at once, not an interval later
  CHECK(all_of<SendAdvert>(changed)[0].advert.priority == 90);
  CHECK_FALSE(has<RunNotify>(changed));
  CHECK_FALSE(has<SendGratuitous>(changed));
  CHECK_FALSE(has<AddVips>(changed));
  for (const double at : {5.3, 6.3, 7.3}) {
    const auto periodic = instance.on(TimerFired{}, t(at));
    REQUIRE(all_of<SendAdvert>(periodic).size() == 1);
    CHECK(all_of<SendAdvert>(periodic)[0].advert.priority == 90);
  }
  CHECK(instance.state() == State::kMaster);
  CHECK(instance.stats().become_master == 1);
}

TEST_CASE("reconfigure: a backup raised above the master preempts on the master's next advert") {
  Instance instance = started_backup(basic_config(100));
  CHECK(instance.on(advert_from("192.0.2.1", 150), t(1)).empty());  // master 150 holds us back
  const auto master_down = instance.deadlines().master_down;
  CHECK(instance.reconfigure(basic_config(200), t(1.5)).empty());
  CHECK(instance.state() == State::kBackup);
  // The master's next advert is now of lower priority: discarded, the timer runs out.
  CHECK(instance.on(advert_from("192.0.2.1", 150), t(2)).empty());
  REQUIRE(instance.deadlines().master_down.has_value());
  CHECK(*instance.deadlines().master_down <= *master_down);  // not restarted by the reload
  const auto fired = make_master(instance, *instance.deadlines().master_down);
  CHECK(instance.state() == State::kMaster);
  REQUIRE(all_of<SendAdvert>(fired).size() >= 1);
  CHECK(all_of<SendAdvert>(fired)[0].advert.priority == 200);
}

TEST_CASE("reconfigure: with nopreempt a backup raised above the master stays backup") {
  auto c = basic_config(100);
  Instance instance = started_backup(c);
  CHECK(instance.on(advert_from("192.0.2.1", 150), t(1)).empty());
  c.priority = 200;
  c.preempt = false;
  CHECK(instance.reconfigure(c, t(1.5)).empty());
  for (double at = 2; at < 10; at += 1) {
    CHECK(instance.on(advert_from("192.0.2.1", 150), t(at)).empty());
    CHECK(instance.on(TimerFired{}, t(at)).empty());
  }
  CHECK(instance.state() == State::kBackup);
}

TEST_CASE("reconfigure: a backup lowered below the master keeps following it") {
  Instance instance = started_backup(basic_config(150));
  CHECK(instance.on(advert_from("192.0.2.1", 120), t(1)).empty());  // preempt: not accepted ...
  (void)instance.reconfigure(basic_config(100), t(1.5));
  CHECK(instance.on(advert_from("192.0.2.1", 120), t(2)).empty());  // ... now accepted
  CHECK(instance.deadlines().master_down == t(2) + 3609375us);
  CHECK(instance.state() == State::kBackup);
}

TEST_CASE("reconfigure: a rename alone changes nothing the network or the timers can see") {
  SUBCASE("backup: the master-down timer keeps running (keepalived restarts it)") {
    Instance instance = started_backup(basic_config(100));
    CHECK(instance.on(advert_from("192.0.2.1", 150), t(1)).empty());
    const auto deadlines = instance.deadlines();
    auto renamed = basic_config(100);
    renamed.name = "web";
    CHECK(instance.reconfigure(renamed, t(2.5)).empty());
    CHECK(instance.deadlines().master_down == deadlines.master_down);
    CHECK(instance.config().name == "web");
  }
  SUBCASE("master: no advert, no GARP, no notify; the advert cadence is kept") {
    Instance instance = started_backup(basic_config(100));
    (void)make_master(instance, t(4));
    const auto next = instance.next_deadline();
    auto renamed = basic_config(100);
    renamed.name = "web";
    CHECK(instance.reconfigure(renamed, t(4.2)).empty());
    CHECK(instance.next_deadline() == next);
    CHECK(instance.stats().adverts_sent == 1);
  }
}

TEST_CASE("reconfigure: GARP settings change while master without a GARP now") {
  Instance instance = started_backup(basic_config(100));
  (void)make_master(instance, t(4));
  auto c = basic_config(100);
  c.garp.master_refresh = 10s;
  const auto actions = instance.reconfigure(c, t(5.5));
  CHECK(actions.empty());
  CHECK(instance.deadlines().garp_refresh == t(15.5));
}

TEST_CASE("reconfigure: a VIP handed to another instance leaves before that one adds it") {
  // Instance A gives 192.0.2.60 to instance B in one reload: A's actions remove it, B's add it;
  // the engine runs every removal of a reload before any addition (ReloadGate).
  auto a_config = basic_config(100);
  a_config.vips = {prefix("192.0.2.50/24"), prefix("192.0.2.60/24")};
  auto b_config = basic_config(100);
  b_config.name = "VI_2";
  b_config.vrid = 52;
  b_config.vips = {prefix("192.0.2.52/24")};
  Instance a = started_backup(a_config);
  Instance b = started_backup(b_config);
  (void)make_master(a, t(4));
  (void)make_master(b, t(4));
  a_config.vips = {prefix("192.0.2.50/24")};
  b_config.vips = {prefix("192.0.2.52/24"), prefix("192.0.2.60/24")};
  const auto from_a = a.reconfigure(a_config, t(5));
  const auto from_b = b.reconfigure(b_config, t(5));
  REQUIRE(all_of<RemoveVips>(from_a).size() == 1);
  CHECK(all_of<RemoveVips>(from_a)[0].vips == std::vector<IpPrefix>{prefix("192.0.2.60/24")});
  CHECK_FALSE(has<AddVips>(from_a));
  REQUIRE(all_of<AddVips>(from_b).size() == 1);
  CHECK(all_of<AddVips>(from_b)[0].vips == std::vector<IpPrefix>{prefix("192.0.2.60/24")});
  CHECK_FALSE(has<RemoveVips>(from_b));
}
