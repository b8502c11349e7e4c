// The load balancer's status document and lvs_notify_fifo lines (engine/lb_status.hpp).
#include "engine/lb_status.hpp"

#include <doctest/doctest.h>

#include <string>

#include "config/loader.hpp"
#include "engine/lb_model.hpp"

using namespace vigil;
using nlohmann::json;

namespace {

config::Config load(const std::string& text) {
  auto loaded = config::load_string(text, config::Syntax::kToml, "test.toml");
  for (const auto& d : loaded.diagnostics) MESSAGE(d.message);
  REQUIRE(loaded.ok());
  return *loaded.config;
}

const char* const kConfig = R"(
[[virtual_server]]
ip = "192.0.2.10"
port = 80
lvs_sched = "wrr"
quorum = 3
sorry_server = { ip = "203.0.113.9" }

[[virtual_server.real_server]]
ip = "198.51.100.1"
weight = 3
  [[virtual_server.real_server.tcp_check]]

[[virtual_server.real_server]]
ip = "198.51.100.2"
port = 8080
  [[virtual_server.real_server.http_get]]
  url = [{ path = "/" }]

[[virtual_server]]
fwmark = 7
ip_family = "inet6"
protocol = "UDP"

[[virtual_server.real_server]]
ip = "2001:db8::1"
port = 53

[[virtual_server]]
ip = "2001:db8::10"
port = 53
protocol = "UDP"
)";

}  // namespace

TEST_CASE("lb status: names of virtual and real servers") {
  const auto config = load(kConfig);
  CHECK(engine::virtual_server_name(config.virtual_server[0]) == "192.0.2.10:80/TCP");
  CHECK(engine::virtual_server_name(config.virtual_server[1]) == "fwmark 7");
  CHECK(engine::virtual_server_name(config.virtual_server[2]) == "[2001:db8::10]:53/UDP");
  CHECK(engine::real_server_name(config.virtual_server[0], config.virtual_server[0].real_server[0]) ==
        "198.51.100.1:80");  // the service's port
  CHECK(engine::real_server_name(config.virtual_server[0], config.virtual_server[0].real_server[1]) ==
        "198.51.100.2:8080");
  CHECK(engine::real_server_name(config.virtual_server[1], config.virtual_server[1].real_server[0]) ==
        "[2001:db8::1]:53");
}

TEST_CASE("lb status: before start every server is reported, nothing is up") {
  const auto config = load(kConfig);
  const json doc = engine::lb_status_json(config, engine::LbView{});
  CHECK(doc["ipvs"]["state"] == "unused");
  REQUIRE(doc["virtual_servers"].size() == 3);
  CHECK(doc["virtual_servers"][0]["real_servers"][0]["up"] == false);
  CHECK(doc["virtual_servers"][0]["real_servers"][0]["current_weight"].is_null());
  CHECK(doc["virtual_servers"][0]["quorum"]["up"] == false);
}

TEST_CASE("lb status: pool state, programmed weights, checker records and change times") {
  const auto config = load(kConfig);
  ipvs::Pool pool(engine::specs_of(config));
  // 198.51.100.2's http_get fails: live weight 3 of quorum 3 is still held.
  pool.on_verdict({0, 1, 0, false, std::nullopt});

  engine::LbView view;
  view.ipvs_state = "in use";
  view.pool = &pool;
  for (std::size_t v = 0; v < pool.size(); ++v) view.programmed.push_back(pool.desired(v));
  view.changed_at = {{std::nullopt, 1234.5}};
  check::CheckerStatus failing;
  failing.up = false;
  failing.failed_in_a_row = 2;
  failing.probes_failed = 2;
  failing.last_probe_at = 1234.0;
  failing.last_failure = "/: status 503 not accepted";
  check::CheckerStatus passing;
  passing.probes_passed = 7;
  passing.last_probe_at = 1233.0;
  passing.last_probe_ok = true;
  view.checkers = {{0, 0, "tcp_check[0]", "198.51.100.1:80", passing},
                   {0, 1, "http_get[0]", "198.51.100.2:8080", failing}};

  const json doc = engine::lb_status_json(config, view);
  CHECK(doc["ipvs"]["state"] == "in use");
  const json& vs = doc["virtual_servers"][0];
  CHECK(vs["name"] == "192.0.2.10:80/TCP");
  CHECK(vs["scheduler"] == "wrr");
  CHECK(vs["quorum"] == json({{"required", 3}, {"hysteresis", 0}, {"live_weight", 3}, {"up", true}}));
  CHECK(vs["sorry_server"] == json({{"address", "203.0.113.9:80"}, {"active", false}}));
  CHECK(vs["suspended"] == false);
  const json& first = vs["real_servers"][0];
  CHECK(first["address"] == "198.51.100.1:80");
  CHECK(first["weight"] == 3);
  CHECK(first["current_weight"] == 3);
  CHECK(first["up"] == true);
  CHECK(first["last_change"].is_null());
  CHECK(first["checkers"][0]["name"] == "tcp_check[0]");
  CHECK(first["checkers"][0]["last_result"] == "ok");
  CHECK(first["checkers"][0]["probes_passed"] == 7);
  const json& second = vs["real_servers"][1];
  CHECK(second["up"] == false);
  CHECK(second["current_weight"].is_null());  // removed from the pool
  CHECK(second["last_change"] == 1234.5);
  CHECK(second["checkers"][0]["target"] == "198.51.100.2:8080");
  CHECK(second["checkers"][0]["last_result"] == "failed");
  CHECK(second["checkers"][0]["failed_in_a_row"] == 2);
  CHECK(second["checkers"][0]["last_failure"] == "/: status 503 not accepted");

  // The other real server fails too: quorum lost, the sorry server is the pool.
  pool.on_verdict({0, 0, 0, false, std::nullopt});
  const json lost = engine::lb_status_json(config, view);
  CHECK(lost["virtual_servers"][0]["quorum"]["up"] == false);
  CHECK(lost["virtual_servers"][0]["sorry_server"]["active"] == true);
}

TEST_CASE("lvs_notify_fifo lines as keepalived writes them") {
  const auto config = load(kConfig);
  const auto& web = config.virtual_server[0];
  CHECK(engine::lvs_fifo_vs_line(web, true) == "VS [192.0.2.10]:tcp:80 UP\n");
  CHECK(engine::lvs_fifo_vs_line(web, false) == "VS [192.0.2.10]:tcp:80 DOWN\n");
  CHECK(engine::lvs_fifo_rs_line(web, web.real_server[0], false) ==
        "RS [198.51.100.1]:tcp:80 [192.0.2.10]:tcp:80 DOWN\n");
  CHECK(engine::lvs_fifo_rs_line(web, web.real_server[1], true) ==
        "RS [198.51.100.2]:tcp:8080 [192.0.2.10]:tcp:80 UP\n");
  const auto& marked = config.virtual_server[1];
  CHECK(engine::lvs_fifo_vs_line(marked, true) == "VS FWM 7 UP\n");
  CHECK(engine::lvs_fifo_rs_line(marked, marked.real_server[0], true) == "RS [2001:db8::1]:udp:53 FWM 7 UP\n");
  const auto& v6 = config.virtual_server[2];
  CHECK(engine::lvs_fifo_vs_line(v6, false) == "VS [2001:db8::10]:udp:53 DOWN\n");
}

TEST_CASE("logs name servers as keepalived users know them (config::display_name)") {
  const auto config = load(kConfig);
  const auto& web = config.virtual_server[0];
  CHECK(config::display_name(web) == "[192.0.2.10]:tcp:80");
  CHECK(config::display_name(web, web.real_server[0]) == "[198.51.100.1]:tcp:80");  // the service's port
  CHECK(config::display_name(web, web.real_server[1]) == "[198.51.100.2]:tcp:8080");
  CHECK(config::display_name(config.virtual_server[1]) == "fwmark 7");
  CHECK(config::display_name(config.virtual_server[1], config.virtual_server[1].real_server[0]) ==
        "[2001:db8::1]:udp:53");
  CHECK(config::display_name(config.virtual_server[2]) == "[2001:db8::10]:udp:53");
  config::VirtualServer grouped;
  grouped.group = "web";
  CHECK(config::display_name(grouped) == "group web");
}

TEST_CASE("lb status: the kernel's counters of the pool's services, and only theirs") {
  const auto config = load(kConfig);
  ipvs::Pool pool(engine::specs_of(config));
  engine::LbView view;
  view.pool = &pool;
  CHECK_FALSE(engine::lb_status_json(config, view)["ipvs"].contains("services"));  // not read: no key

  ipvs::Stats web;
  web.connections = 12;
  web.packets_in = 340;
  web.packets_out = 300;
  web.bytes_in = 0x1'0000'0000ULL;  // past 32 bits
  web.bytes_out = 90000;
  ipvs::Stats real = web;
  real.connections = 5;
  ipvs::ServiceStats service{pool.spec(0).services.at(0).key, web, {{*IpAddress::parse("198.51.100.1"), 80, real}}};
  ipvs::ServiceStats marked{pool.spec(1).services.at(0).key, ipvs::Stats{}, {}};
  ipvs::ServiceStats foreign{
      ipvs::ServiceKey::for_address(*IpAddress::parse("192.0.2.50"), 80, ipvs::Protocol::kTcp), web, {}};
  view.statistics = std::vector<ipvs::ServiceStats>{foreign, marked, service};

  const json services = engine::lb_status_json(config, view)["ipvs"]["services"];
  REQUIRE(services.size() == 2);  // in the config's order; 192.0.2.50 is not Vigil's
  CHECK(services[0]["virtual_server"] == "192.0.2.10:80/TCP");
  CHECK(services[0]["address"] == "192.0.2.10:80");
  CHECK(services[0]["protocol"] == 6);
  CHECK(services[0]["connections"] == 12);
  CHECK(services[0]["bytes_in"] == 0x1'0000'0000ULL);
  CHECK(services[0]["destinations"] == json::array({{{"address", "198.51.100.1:80"},
                                                     {"connections", 5},
                                                     {"packets_in", 340},
                                                     {"packets_out", 300},
                                                     {"bytes_in", 0x1'0000'0000ULL},
                                                     {"bytes_out", 90000}}}));
  CHECK(services[1]["address"] == "fwmark 7");
  CHECK(services[1]["protocol"] == 0);
  CHECK(services[1]["destinations"] == json::array());
}
