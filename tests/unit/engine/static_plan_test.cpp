#include "engine/static_plan.hpp"

#include <doctest/doctest.h>

using namespace vigil;
using namespace vigil::engine;

namespace {

config::RouteEntry route(const char* to, const char* via, std::uint32_t table = config::kTableMain) {
  config::RouteEntry entry;
  entry.to = *IpPrefix::parse(to);
  entry.via = *IpAddress::parse(via);
  entry.table = table;
  return entry;
}

config::AddressEntry address(const char* prefix, const char* dev) {
  config::AddressEntry entry;
  entry.address = *IpPrefix::parse(prefix);
  entry.dev = dev;
  return entry;
}

}  // namespace

TEST_CASE("a reload that changes one route removes the old one, adds the new one and keeps the rest") {
  StaticSet current;
  current.routes = {route("198.51.100.0/24", "192.0.2.1"), route("203.0.113.0/24", "192.0.2.1")};
  current.addresses = {address("192.0.2.10/24", "eth0")};
  StaticSet next = current;
  next.routes[1].via = *IpAddress::parse("192.0.2.2");

  const auto plan = plan_static_reload(current, next);
  CHECK(plan.remove.routes == std::vector{current.routes[1]});
  CHECK(plan.add.routes == std::vector{next.routes[1]});
  CHECK(plan.keep.routes == std::vector{current.routes[0]});
  CHECK(plan.keep.addresses == current.addresses);
  CHECK(plan.remove.addresses.empty());
  CHECK(plan.add.addresses.empty());
}

TEST_CASE("entries that come and go, and duplicates planned once") {
  StaticSet current;
  config::RuleEntry rule;
  rule.from = *IpPrefix::parse("192.0.2.0/24");
  rule.table = 100;
  current.rules = {rule};
  StaticSet next;
  next.addresses = {address("192.0.2.20/24", "eth1"), address("192.0.2.20/24", "eth1")};

  const auto plan = plan_static_reload(current, next);
  CHECK(plan.remove.rules == current.rules);
  CHECK(plan.add.addresses.size() == 1);
  CHECK(plan.keep == StaticSet{});
  CHECK(plan_static_reload(next, next).add == StaticSet{});
}

TEST_CASE("static_set_of fills default_interface into addresses without dev") {
  config::Config config;
  config.global.default_interface = "eth9";
  config::AddressEntry bare;
  bare.address = *IpPrefix::parse("192.0.2.30/32");
  config.static_ipaddress = {bare, address("192.0.2.31/32", "eth1")};
  const auto set = static_set_of(config);
  CHECK(set.addresses[0].dev == "eth9");
  CHECK(set.addresses[1].dev == "eth1");
}

TEST_CASE("describe names what a log line needs") {
  auto r = route("198.51.100.0/24", "192.0.2.1", 100);
  r.metric = 5;
  CHECK(describe(r) == "198.51.100.0/24 via 192.0.2.1 table 100 metric 5");
  config::RouteEntry blackhole;
  blackhole.type = config::RouteType::kBlackhole;
  CHECK(describe(blackhole) == "blackhole default");
  CHECK(describe(address("192.0.2.10/24", "eth0")) == "192.0.2.10/24 dev eth0");
  config::RuleEntry rule;
  rule.from = *IpPrefix::parse("192.0.2.0/24");
  rule.table = 100;
  rule.priority = 1000;
  CHECK(describe(rule) == "from 192.0.2.0/24 priority 1000 table 100");
}
