// keepalived's virtual-server semantics (alpha, inhibit, quorum + hysteresis, sorry server,
// misc_dynamic, ha_suspend, omega) as sequences of verdicts and the actions and pools they give.
#include "ipvs/pool.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigil;
using namespace vigil::ipvs;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

Service service(const char* address, std::uint16_t port) {
  Service s;
  s.key = ServiceKey::for_address(ip(address), port, Protocol::kTcp);
  s.scheduler = "wrr";
  return s;
}

RealServerSpec real(const char* address, std::uint32_t weight, std::size_t checkers = 1, bool alpha = false,
                    bool inhibit = false) {
  RealServerSpec spec;
  spec.destination.address = ip(address);
  spec.destination.weight = weight;
  spec.port_from_service = true;
  spec.inhibit_on_failure = inhibit;
  spec.checker_starts_up.assign(checkers, !alpha);
  return spec;
}

// The pool as text: "address:port/weight" per destination of the first service.
std::string pool_of(const Pool& pool, std::size_t vs = 0) {
  std::string text;
  const auto desired = pool.desired(vs);
  for (const auto& d : desired.at(0).destinations) {
    if (!text.empty()) text += " ";
    text += d.address.to_string() + ":" + std::to_string(d.port) + "/" + std::to_string(d.weight);
  }
  return text;
}

Verdict verdict(std::size_t rs, bool up, std::size_t checker = 0, std::optional<int> weight = {}) {
  return {0, rs, checker, up, weight};
}

// Actions as text, to compare against a table.
std::string text(const std::vector<PoolAction>& actions) {
  std::string out;
  for (const auto& action : actions) {
    if (!out.empty()) out += ",";
    if (const auto* a = std::get_if<RealServerUp>(&action)) out += "up" + std::to_string(a->real_server);
    if (const auto* a = std::get_if<RealServerDown>(&action)) out += "down" + std::to_string(a->real_server);
    if (std::holds_alternative<QuorumGained>(action)) out += "quorum_up";
    if (std::holds_alternative<QuorumLost>(action)) out += "quorum_down";
    if (std::holds_alternative<PoolChanged>(action)) out += "pool";
  }
  return out;
}

}  // namespace

TEST_CASE("ipvs pool: a server leaves on failure and returns on success") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1), real("198.51.100.2", 2)};
  Pool pool({spec});
  CHECK(pool_of(pool) == "198.51.100.1:80/1 198.51.100.2:80/2");
  CHECK(text(pool.on_verdict(verdict(0, false))) == "down0,pool");
  CHECK(pool_of(pool) == "198.51.100.2:80/2");
  CHECK(text(pool.on_verdict(verdict(0, false))) == "");  // no change, no action
  CHECK(text(pool.on_verdict(verdict(0, true))) == "up0,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/1 198.51.100.2:80/2");
}

TEST_CASE("ipvs pool: alpha starts servers down, every checker must pass") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1, 2, /*alpha=*/true)};
  Pool pool({spec});
  CHECK(pool_of(pool) == "");
  CHECK_FALSE(pool.quorum(0));
  CHECK(text(pool.on_verdict(verdict(0, true, 0))) == "");  // one of two checkers
  CHECK(text(pool.on_verdict(verdict(0, true, 1))) == "up0,quorum_up,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/1");
  CHECK(text(pool.on_verdict(verdict(0, false, 1))) == "down0,quorum_down,pool");
}

TEST_CASE("ipvs pool: inhibit_on_failure keeps a dead server at weight 0") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 5, 1, false, /*inhibit=*/true), real("198.51.100.2", 1)};
  Pool pool({spec});
  CHECK(text(pool.on_verdict(verdict(0, false))) == "down0,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/0 198.51.100.2:80/1");
  CHECK(text(pool.on_verdict(verdict(0, true))) == "up0,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/5 198.51.100.2:80/1");
}

TEST_CASE("ipvs pool: quorum with hysteresis, sorry server in and out") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1), real("198.51.100.2", 1), real("198.51.100.3", 1)};
  spec.quorum = 2;
  spec.hysteresis = 1;  // lost below 1, gained at 3
  SorryServerSpec sorry;
  sorry.destination.address = ip("203.0.113.9");
  sorry.destination.port = 8080;
  spec.sorry_server = sorry;
  Pool pool({spec});
  REQUIRE(pool.quorum(0));
  CHECK(pool_of(pool) == "198.51.100.1:80/1 198.51.100.2:80/1 198.51.100.3:80/1");

  struct Step {
    std::size_t rs;
    bool up;
    const char* actions;
    const char* pool;
  };
  const Step steps[] = {
      {0, false, "down0,pool", "198.51.100.2:80/1 198.51.100.3:80/1"},  // weight 2: still up
      {1, false, "down1,pool", "198.51.100.3:80/1"},                    // weight 1: not below 2-1
      {2, false, "down2,quorum_down,pool", "203.0.113.9:8080/1"},       // weight 0: lost, sorry only
      {0, true, "up0", "203.0.113.9:8080/1"},                           // 1 < 2+1: still lost
      {1, true, "up1", "203.0.113.9:8080/1"},                           // 2 < 3
      {2, true, "up2,quorum_up,pool", "198.51.100.1:80/1 198.51.100.2:80/1 198.51.100.3:80/1"},
  };
  for (const auto& step : steps) {
    CAPTURE(step.rs);
    CAPTURE(step.up);
    CHECK(text(pool.on_verdict(verdict(step.rs, step.up))) == step.actions);
    CHECK(pool_of(pool) == step.pool);
  }
}

TEST_CASE("ipvs pool: sorry server inhibit keeps it at weight 0 while quorum holds") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1, 1, false, /*inhibit=*/true)};
  SorryServerSpec sorry;
  sorry.destination.address = ip("203.0.113.9");
  sorry.port_from_service = true;
  sorry.inhibit = true;
  spec.sorry_server = sorry;
  Pool pool({spec});
  CHECK(pool_of(pool) == "198.51.100.1:80/1 203.0.113.9:80/0");
  CHECK(text(pool.on_verdict(verdict(0, false))) == "down0,quorum_down,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/0 203.0.113.9:80/1");
}

TEST_CASE("ipvs pool: misc_dynamic weight replaces the configured weight and counts for quorum") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1)};
  spec.quorum = 5;
  Pool pool({spec});
  CHECK_FALSE(pool.quorum(0));
  CHECK(text(pool.on_verdict(verdict(0, true, 0, 7))) == "quorum_up,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/7");
  CHECK(pool.live_weight(0) == 7);
  CHECK(text(pool.on_verdict(verdict(0, true, 0, 0))) == "quorum_down,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/0");
}

TEST_CASE("ipvs pool: a verdict without a weight gives the server its configured weight back") {
  // misc_dynamic exit 5 (weight 3), then exit 0: keepalived's "exit 0 restores the weight".
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 2)};
  Pool pool({spec});
  CHECK(text(pool.on_verdict(verdict(0, true, 0, 3))) == "pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/3");
  CHECK(text(pool.on_verdict(verdict(0, true, 0))) == "pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/2");
  // DOWN drops the dynamic weight too: back UP without one is the configured weight.
  CHECK(text(pool.on_verdict(verdict(0, true, 0, 7))) == "pool");
  CHECK(text(pool.on_verdict(verdict(0, false, 0))) == "down0,quorum_down,pool");
  CHECK(text(pool.on_verdict(verdict(0, true, 0))) == "up0,quorum_up,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/2");
}

TEST_CASE("ipvs pool: a checker without a weight leaves another checker's dynamic weight alone") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 2, 2)};
  Pool pool({spec});
  CHECK(text(pool.on_verdict(verdict(0, true, 1, 9))) == "pool");  // checker 1: misc_dynamic
  CHECK(text(pool.on_verdict(verdict(0, true, 0))).empty());       // checker 0: a tcp_check
  CHECK(pool_of(pool) == "198.51.100.1:80/9");
  CHECK(text(pool.on_verdict(verdict(0, true, 1))) == "pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/2");
}

TEST_CASE("ipvs pool: ha_suspend ignores verdicts while suspended") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1)};
  Pool pool({spec});
  pool.set_suspended(0, true);
  CHECK(text(pool.on_verdict(verdict(0, false))) == "");
  CHECK(pool_of(pool) == "198.51.100.1:80/1");
  pool.set_suspended(0, false);
  CHECK(text(pool.on_verdict(verdict(0, false))) == "down0,quorum_down,pool");
}

TEST_CASE("ipvs pool: omega reports notify_down and quorum_down at stop, without it nothing") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1), real("198.51.100.2", 1)};
  Pool plain({spec});
  CHECK(text(plain.stop()) == "");
  spec.omega = true;
  Pool pool({spec});
  pool.on_verdict(verdict(1, false));
  CHECK(text(pool.stop()) == "down0,quorum_down");
}

TEST_CASE("ipvs pool: one pool per group member service, each at its own port") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80), service("192.0.2.11", 8080)};
  RealServerSpec fixed = real("198.51.100.1", 1);
  fixed.port_from_service = false;
  fixed.destination.port = 9000;
  spec.real_servers = {real("198.51.100.2", 1), fixed};
  Pool pool({spec});
  const auto desired = pool.desired(0);
  REQUIRE(desired.size() == 2);
  CHECK(desired[0].destinations[0].port == 80);
  CHECK(desired[1].destinations[0].port == 8080);
  CHECK(desired[1].destinations[1].port == 9000);
  CHECK(pool.desired_all().size() == 2);
}

TEST_CASE("ipvs pool: out-of-range verdicts are ignored") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1)};
  Pool pool({spec});
  CHECK(pool.on_verdict({3, 0, 0, false, {}}).empty());
  CHECK(pool.on_verdict({0, 3, 0, false, {}}).empty());
  CHECK(pool.on_verdict({0, 0, 3, false, {}}).empty());
}

TEST_CASE("ipvs types: persistence netmask and service names") {
  CHECK(Service::netmask_for(Family::kIPv6, 64) == 64);
  const std::uint32_t v4 = Service::netmask_for(Family::kIPv4, 24);
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(&v4);
  CHECK(bytes[0] == 255);
  CHECK(bytes[2] == 255);
  CHECK(bytes[3] == 0);
  CHECK(Service::netmask_for(Family::kIPv4, 32) == 0xffffffff);
  CHECK(ServiceKey::for_address(ip("2001:db8::1"), 53, Protocol::kUdp).to_string() == "UDP [2001:db8::1]:53");
  CHECK(ServiceKey::for_fwmark(7, Family::kIPv4).to_string() == "FWM 7");
}

// Reload: the new pool takes over the old one's state where the plan says an object continues.
TEST_CASE("ipvs pool reload: continued checkers keep their state, new real servers wait for a pass") {
  VirtualServerSpec before;
  before.services = {service("192.0.2.10", 80)};
  before.real_servers = {real("198.51.100.1", 1), real("198.51.100.2", 1), real("198.51.100.3", 1)};
  Pool old({before});
  REQUIRE(text(old.on_verdict(verdict(1, false))) == "down1,pool");  // .2 failed before the reload
  REQUIRE(pool_of(old) == "198.51.100.1:80/1 198.51.100.3:80/1");

  // New config: .1 weight 5 (an edit), .2 kept (still failed), .3 removed, .4 added (no alpha).
  VirtualServerSpec after;
  after.services = {service("192.0.2.10", 80)};
  after.real_servers = {real("198.51.100.1", 5), real("198.51.100.2", 1), real("198.51.100.4", 1)};
  Pool pool({after});
  PoolCarry carry;
  carry.virtual_server_from = {0};
  carry.real_server_from = {{0, 1, std::nullopt}};
  carry.checker_from = {{{0}, {0}, {std::nullopt}}};
  CHECK(text(pool.carry_over(old, carry)) == "");  // nothing changed state: no notify, no quorum script
  CHECK(pool_of(pool) == "198.51.100.1:80/5");     // .2 stays out, .4 waits for its checker
  CHECK_FALSE(pool.checker_up(0, 1, 0));
  CHECK_FALSE(pool.checker_up(0, 2, 0));
  CHECK(text(pool.on_verdict(verdict(2, true))) == "up2,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/5 198.51.100.4:80/1");
}

TEST_CASE("ipvs pool reload: a new checker of a live server starts as at start (table)") {
  struct Row {
    const char* what;
    bool was_alive;
    bool alpha;
    bool checker_continues;
    bool starts_up;
    const char* actions;
  };
  const std::vector<Row> rows{
      {"alive, new checker without alpha: stays in", true, false, false, true, ""},
      {"alive, new checker with alpha: goes out until it passes", true, true, false, false, "down0,quorum_down"},
      {"dead, its checker changed (a new one): stays out", false, false, false, false, ""},
      {"dead, checker continued: stays out", false, false, true, false, ""},
      {"alive, checker continued: stays in", true, true, true, true, ""},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    VirtualServerSpec spec;
    spec.services = {service("192.0.2.10", 80)};
    spec.real_servers = {real("198.51.100.1", 1)};
    Pool old({spec});
    if (!row.was_alive) REQUIRE(text(old.on_verdict(verdict(0, false))) == "down0,quorum_down,pool");
    spec.real_servers = {real("198.51.100.1", 1, 1, row.alpha)};
    Pool pool({spec});
    PoolCarry carry{{0}, {{0}}, {{{row.checker_continues ? std::optional<std::size_t>(0) : std::nullopt}}}};
    CHECK(text(pool.carry_over(old, carry)) == row.actions);
    CHECK(pool.checker_up(0, 0, 0) == row.starts_up);
    CHECK(pool.alive(0, 0) == row.starts_up);
  }
}

TEST_CASE("ipvs pool reload: quorum is re-evaluated with the new settings, new virtual servers start silent") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 2), real("198.51.100.2", 2)};
  spec.quorum = 3;
  Pool old({spec});
  REQUIRE(old.quorum(0));
  old.set_suspended(0, true);

  VirtualServerSpec raised = spec;
  raised.quorum = 5;  // the live weight 4 no longer reaches it
  VirtualServerSpec added;
  added.services = {service("192.0.2.11", 80)};
  added.real_servers = {real("198.51.100.7", 1, 0)};  // no checker: alive at once
  Pool pool({raised, added});
  PoolCarry carry{{0, std::nullopt}, {{0, 1}, {std::nullopt}}, {{{0}, {0}}, {{}}}};
  CHECK(text(pool.carry_over(old, carry)) == "quorum_down");
  CHECK_FALSE(pool.quorum(0));
  CHECK(pool.suspended(0));  // carried; the daemon then recomputes it
  CHECK(pool.quorum(1));
  CHECK(pool_of(pool, 1) == "198.51.100.7:80/1");
}

TEST_CASE("ipvs pool reload: a dynamic weight stays while its checker continues") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1)};
  Pool old({spec});
  REQUIRE(text(old.on_verdict(verdict(0, true, 0, 7))) == "pool");
  Pool kept({spec});
  CHECK(text(kept.carry_over(old, PoolCarry{{0}, {{0}}, {{{0}}}})) == "");
  CHECK(pool_of(kept) == "198.51.100.1:80/7");
  Pool replaced({spec});
  CHECK(text(replaced.carry_over(old, PoolCarry{{0}, {{0}}, {{{std::nullopt}}}})) == "");
  CHECK(pool_of(replaced) == "198.51.100.1:80/1");
}

TEST_CASE("ipvs pool reload: a new real server with inhibit_on_failure waits at weight 0") {
  VirtualServerSpec spec;
  spec.services = {service("192.0.2.10", 80)};
  spec.real_servers = {real("198.51.100.1", 1)};
  Pool old({spec});
  spec.real_servers.push_back(real("198.51.100.2", 4, 1, false, /*inhibit=*/true));
  Pool pool({spec});
  CHECK(text(pool.carry_over(old, PoolCarry{{0}, {{0, std::nullopt}}, {{{0}, {std::nullopt}}}})) == "");
  CHECK(pool_of(pool) == "198.51.100.1:80/1 198.51.100.2:80/0");
  CHECK(text(pool.on_verdict(verdict(1, true))) == "up1,pool");
  CHECK(pool_of(pool) == "198.51.100.1:80/1 198.51.100.2:80/4");
}

TEST_CASE("ipvs pool reload: removed real and virtual servers that were alive report down") {
  VirtualServerSpec first;
  first.services = {service("192.0.2.10", 80)};
  first.real_servers = {real("198.51.100.1", 1), real("198.51.100.2", 1), real("198.51.100.3", 1)};
  VirtualServerSpec second;
  second.services = {service("192.0.2.11", 80)};
  second.real_servers = {real("198.51.100.5", 1), real("198.51.100.6", 1)};
  Pool old({first, second});
  REQUIRE(text(old.on_verdict(verdict(2, false))) == "down2,pool");  // .3 already down
  REQUIRE(text(old.on_verdict(Verdict{1, 1, 0, false, {}})) == "down1,pool");

  // The new config keeps the first virtual server with .1 only; the second one is gone.
  PoolCarry carry{{0}, {{0}}, {{{0}}}};
  std::string actions;
  for (const auto& action : old.left_behind(carry)) {
    if (!actions.empty()) actions += ",";
    if (const auto* down = std::get_if<RealServerDown>(&action)) {
      actions += "down" + std::to_string(down->virtual_server) + "." + std::to_string(down->real_server);
    } else if (const auto* lost = std::get_if<QuorumLost>(&action)) {
      actions += "quorum_down" + std::to_string(lost->virtual_server);
    } else {
      actions += "?";
    }
  }
  // .2 was alive and is removed; .3 was down (nothing to report); the second server's alive .5
  // goes down and it loses quorum; nothing of the continued .1.
  CHECK(actions == "down0.1,down1.0,quorum_down1");
  // Everything continues: nothing is left behind.
  PoolCarry all{{0, 1}, {{0, 1, 2}, {0, 1}}, {{{0}, {0}, {0}}, {{0}, {0}}}};
  CHECK(old.left_behind(all).empty());
}
