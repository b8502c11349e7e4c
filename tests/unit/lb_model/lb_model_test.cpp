// From TOML virtual servers to kernel services and pool specs.
#include "engine/lb_model.hpp"

#include <doctest/doctest.h>

#include <string>

#include "toml_config.hpp"

using namespace vigil;

namespace {

const auto& load = testing::load_toml;

}  // namespace

TEST_CASE("lb model: an address service with persistence, scheduler flags and real servers") {
  const auto config = load(R"(
[[virtual_server]]
ip = "192.0.2.10"
port = 80
lvs_sched = "sh"
sh_port = true
sh_fallback = true
lvs_method = "DR"
persistence_timeout = 300
persistence_granularity = 24
quorum = 3
hysteresis = 1
alpha = true
inhibit_on_failure = true
sorry_server = { ip = "203.0.113.9", port = 8080, lvs_method = "NAT", inhibit = true }

[[virtual_server.real_server]]
ip = "198.51.100.1"
weight = 3
uthreshold = 100
  [[virtual_server.real_server.tcp_check]]
  [[virtual_server.real_server.http_get]]
  alpha = false
  url = [{ path = "/" }]

[[virtual_server.real_server]]
ip = "198.51.100.2"
port = 8080
lvs_method = "TUN"
inhibit_on_failure = false
)");
  const auto specs = engine::specs_of(config);
  REQUIRE(specs.size() == 1);
  const auto& spec = specs[0];
  REQUIRE(spec.services.size() == 1);
  const auto& service = spec.services[0];
  CHECK(service.key.to_string() == "TCP 192.0.2.10:80");
  CHECK(service.scheduler == "sh");
  CHECK(service.flags == (ipvs::kFlagPersistent | ipvs::kFlagSched1 | ipvs::kFlagSched2));
  CHECK(service.timeout == 300);
  CHECK(service.netmask == ipvs::Service::netmask_for(Family::kIPv4, 24));
  CHECK(spec.quorum == 3);
  CHECK(spec.hysteresis == 1);
  REQUIRE(spec.real_servers.size() == 2);
  const auto& first = spec.real_servers[0];
  CHECK(first.destination.forward == ipvs::Forward::kRoute);
  CHECK(first.destination.weight == 3);
  CHECK(first.destination.upper_threshold == 100);
  CHECK(first.port_from_service);
  CHECK(first.inhibit_on_failure);
  CHECK(first.checker_starts_up == std::vector<bool>{false, true});  // alpha, then alpha = false
  const auto& second = spec.real_servers[1];
  CHECK(second.destination.forward == ipvs::Forward::kTunnel);
  CHECK(second.destination.port == 8080);
  CHECK_FALSE(second.port_from_service);
  CHECK_FALSE(second.inhibit_on_failure);
  CHECK(second.checker_starts_up.empty());
  REQUIRE(spec.sorry_server.has_value());
  CHECK(spec.sorry_server->destination.forward == ipvs::Forward::kMasq);
  CHECK(spec.sorry_server->inhibit);
}

TEST_CASE("lb model: fwmark services and groups with ranges and fwmarks") {
  const auto config = load(R"(
[virtual_server_group.web]
members = [
  { ip = "192.0.2.10-12", port = 80 },
  { ip = "2001:db8::1", port = 443 },
  { fwmark = 9, family = "inet6" },
]

[[virtual_server]]
group = "web"
protocol = "UDP"
lvs_sched = "rr"

[[virtual_server]]
fwmark = 7
ip_family = "inet6"
lvs_sched = "wrr"
)");
  const auto specs = engine::specs_of(config);
  REQUIRE(specs.size() == 2);
  std::vector<std::string> keys;
  for (const auto& s : specs[0].services) keys.push_back(s.key.to_string());
  CHECK(keys == std::vector<std::string>{"UDP 192.0.2.10:80", "UDP 192.0.2.11:80", "UDP 192.0.2.12:80",
                                         "UDP [2001:db8::1]:443", "FWM 9 (inet6)"});
  CHECK(specs[0].services[3].netmask == 128);
  REQUIRE(specs[1].services.size() == 1);
  CHECK(specs[1].services[0].key == ipvs::ServiceKey::for_fwmark(7, Family::kIPv6));
  CHECK(engine::lb_warnings(config).empty());
}

TEST_CASE("lb model: global lvs_timeouts") {
  const auto config = load(R"(
[global]
lvs_timeouts = { tcp = 900, tcp_fin = 120, udp = 300 }
)");
  CHECK(engine::timeouts_of(config.global) == ipvs::Timeouts{900, 120, 300});
}
