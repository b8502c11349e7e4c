// ha_suspend: which VRRP instances decide a virtual server, and when its checkers are suspended.
#include "engine/ha_suspend.hpp"

#include <doctest/doctest.h>

#include <string>

#include "toml_config.hpp"

using namespace vigil;

namespace {

const auto& load = testing::load_toml;

const char* kConfig = R"(
[vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 51
virtual_ipaddress = ["192.0.2.10/24"]

[vrrp_instance.VI_2]
interface = "eth1"
virtual_router_id = 52
virtual_ipaddress = ["192.0.2.99/24"]
virtual_ipaddress_excluded = ["192.0.2.21"]

[virtual_server_group.web]
members = [{ ip = "192.0.2.20-22", port = 80 }]

[[virtual_server]]
ip = "192.0.2.10"
port = 80
ha_suspend = true

[[virtual_server]]
ip = "192.0.2.10"
port = 443

[[virtual_server]]
group = "web"
ha_suspend = true

[[virtual_server]]
fwmark = 5
ha_suspend = true

[[virtual_server]]
ip = "192.0.2.77"
port = 80
ha_suspend = true
)";

}  // namespace

TEST_CASE("ha_suspend: owners are the instances that carry an address of the virtual server") {
  const engine::HaSuspend rule(load(kConfig));
  CHECK(rule.owners(0) == std::vector<std::string>{"VI_1"});
  CHECK(rule.owners(1).empty());                              // no ha_suspend
  CHECK(rule.owners(2) == std::vector<std::string>{"VI_2"});  // an excluded VIP inside the group's range
  CHECK(rule.owners(3).empty());                              // fwmark: no address
  CHECK(rule.owners(4).empty());                              // nobody carries 192.0.2.77
  CHECK(rule.any());
  REQUIRE(rule.warnings().size() == 2);
  CHECK(rule.warnings()[0] ==
        "virtual server fwmark 5: ha_suspend has no effect: no vrrp_instance carries its address");
  CHECK(rule.warnings()[1] ==
        "virtual server [192.0.2.77]:tcp:80: ha_suspend has no effect: no vrrp_instance carries its address");
}

TEST_CASE("ha_suspend: suspended unless an owner is MASTER (table)") {
  const engine::HaSuspend rule(load(kConfig));
  struct Row {
    std::map<std::string, std::string> states;
    std::vector<bool> suspended;
  };
  const std::vector<Row> rows{
      {{}, {true, false, true, false, false}},  // nothing reported yet: not MASTER
      {{{"VI_1", "BACKUP"}, {"VI_2", "BACKUP"}}, {true, false, true, false, false}},
      {{{"VI_1", "MASTER"}, {"VI_2", "BACKUP"}}, {false, false, true, false, false}},
      {{{"VI_1", "FAULT"}, {"VI_2", "MASTER"}}, {true, false, false, false, false}},
      {{{"VI_1", "STOP"}, {"VI_2", "MASTER"}}, {true, false, false, false, false}},
  };
  for (const auto& row : rows) CHECK(rule.suspended(row.states) == row.suspended);
}

TEST_CASE("ha_suspend: no virtual server with ha_suspend follows nothing") {
  const engine::HaSuspend rule(load(R"(
[[virtual_server]]
ip = "192.0.2.10"
port = 80
)"));
  CHECK_FALSE(rule.any());
  CHECK(rule.suspended({}) == std::vector<bool>{false});
}
