// InstanceConfig defaults, keepalived's adjustments, and the reload classification.
#include "vrrp/config.hpp"

#include <doctest/doctest.h>

#include "harness.hpp"

using namespace vigil;
using namespace vigil::vrrp;
using namespace vigil::test;

namespace {

bool has_problem(const NormalizedConfig& n, const std::string& field, bool fatal) {
  for (const auto& p : n.problems) {
    if (p.field == field && p.fatal == fatal) return true;
  }
  return false;
}

}  // namespace

TEST_CASE("config: keepalived defaults") {
  const InstanceConfig c;
  CHECK(c.version == Version::kV2);
  CHECK(c.base_priority() == 100);
  CHECK(c.advert_interval == Centiseconds{100});
  CHECK(c.preempt);
  CHECK(c.accept);
  CHECK(c.garp.master_delay == 5s);
  CHECK(c.garp.master_repeat == 5);
  CHECK(c.garp.master_refresh == Duration::zero());
  CHECK(c.garp.master_refresh_repeat == 1);
  CHECK(c.down_timer_adverts == 3);
  CHECK(normalize(basic_config()).problems.empty());
}

TEST_CASE("config: normalize applies keepalived's adjustments") {
  SUBCASE("v2 interval rounded to whole seconds") {
    auto c = basic_config();
    c.advert_interval = Centiseconds{150};
    const auto n = normalize(c);
    CHECK(n.config.advert_interval == Centiseconds{200});
    CHECK(has_problem(n, "advert_interval", false));
  }
  SUBCASE("v3 interval capped at 40.95 s") {
    auto c = basic_config(100, Version::kV3);
    c.advert_interval = Centiseconds{5000};
    CHECK(normalize(c).config.advert_interval == kMaxV3Interval);
  }
  SUBCASE("password truncated to 8") {
    auto c = basic_config();
    c.auth_type = AuthType::kPass;
    c.auth_pass = "0123456789";
    const auto n = normalize(c);
    CHECK(n.config.auth_pass == "01234567");
    CHECK(has_problem(n, "auth_pass", false));
  }
  SUBCASE("owner cannot be nopreempt; MASTER cannot have preempt_delay") {
    auto c = basic_config(255);
    c.preempt = false;
    CHECK(normalize(c).config.preempt);
    c = basic_config(100);
    c.initial_state = InitialState::kMaster;
    c.preempt_delay = 5s;
    CHECK(normalize(c).config.preempt_delay == Duration::zero());
  }
  SUBCASE("IPv6 forces v3; auth only in v2/IPv4") {
    auto c = basic_config();
    c.family = Family::kIPv6;
    c.vips = {prefix("2001:db8::50/64")};
    c.auth_type = AuthType::kPass;
    c.auth_pass = "x";
    const auto n = normalize(c);
    CHECK(n.config.version == Version::kV3);
    CHECK(n.config.auth_type == AuthType::kNone);
  }
  SUBCASE("fatal problems") {
    auto c = basic_config();
    c.vrid = 0;
    CHECK(has_problem(normalize(c), "vrid", true));
    c = basic_config();
    c.vips.push_back(prefix("2001:db8::1/64"));
    CHECK(has_problem(normalize(c), "vips", true));
    c = basic_config();
    c.auth_type = AuthType::kAh;
    CHECK(has_problem(normalize(c), "auth_type", true));
    c = basic_config();
    c.unicast_peers = {ip("2001:db8::2")};
    CHECK(has_problem(normalize(c), "unicast_peers", true));
  }
  SUBCASE("more than 255 VIPs: the rest become excluded") {
    auto c = basic_config();
    c.vips.assign(300, prefix("192.0.2.9/32"));
    const auto n = normalize(c);
    CHECK(n.config.vips.size() == 255);
    CHECK(n.config.excluded.size() == 45);
  }
}

TEST_CASE("config: classify a new config for reload") {
  const auto base = basic_config();
  CHECK(classify(base, base) == ReconfigureKind::kUnchanged);
  auto c = base;
  c.priority = 90;
  CHECK(classify(base, c) == ReconfigureKind::kInPlace);
  c = base;
  c.vips.push_back(prefix("192.0.2.51/24"));
  CHECK(classify(base, c) == ReconfigureKind::kInPlace);
  c = base;
  c.unicast_peers = {ip("192.0.2.1")};
  CHECK(classify(base, c) == ReconfigureKind::kRebind);
  c = base;
  c.vrid = 52;
  CHECK(classify(base, c) == ReconfigureKind::kRestart);
  c = base;
  c.version = Version::kV3;
  CHECK(classify(base, c) == ReconfigureKind::kRestart);
  CHECK(std::string(to_string(ReconfigureKind::kRebind)) == "rebind");
}
