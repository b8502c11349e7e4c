// The control plane's pure views: status table, stats baseline, Prometheus exposition.
#include "control/report.hpp"

#include <doctest/doctest.h>

#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>

using nlohmann::json;
using namespace vigil::control;

namespace {

json instance(const std::string& name, const std::string& state, std::uint64_t sent, std::uint64_t bad_ttl) {
  return {{"name", name},
          {"interface", "eth0"},
          {"virtual_router_id", 51},
          {"family", "inet"},
          {"state", state},
          {"base_priority", 100},
          {"effective_priority", 90},
          {"master_address", "192.0.2.1"},
          {"virtual_ipaddress", {"192.0.2.100/24", "192.0.2.101/32"}},
          {"last_transition", 1000.0},
          {"stats",
           {{"adverts_sent", sent},
            {"adverts_received", 3},
            {"become_master", 1},
            {"release_master", 0},
            {"priority_zero_sent", 0},
            {"priority_zero_received", 2},
            {"vip_failures", 0}}},
          {"receive",
           {{"accepted", 3},
            {"interval_differs", 0},
            {"address_list_mismatch", 1},
            {"other_vrid_on_socket", 7},
            {"rejected", {{"bad-ttl", bad_ttl}, {"auth-failure", 4}, {"too-short", 1}}}}}};
}

json document(std::uint64_t sent = 10, std::uint64_t bad_ttl = 2) {
  return {{"daemon",
           {{"version", "0.1.0"},
            {"pid", 42},
            {"config_file", "/etc/vigil/vigil.toml"},
            {"started_at", 900.0},
            {"reloads_succeeded", 2},
            {"reloads_failed", 1},
            {"last_reload",
             {{"ok", false}, {"at", 1100.0}, {"duration_seconds", 0.0021}, {"errors", {"v.toml:3:1: error: x"}}}}}},
          {"vrrp_instances", {instance("VI_1", "MASTER", sent, bad_ttl), instance("VI \"2\"", "BACKUP", 0, 0)}},
          {"virtual_servers", json::array()}};
}

// A small checker of the text exposition format 0.0.4: every sample belongs to a family declared
// once with HELP and TYPE before it, names and labels are well formed, values parse, no duplicate series.
void check_exposition(const std::string& text) {
  const std::regex help(R"(# HELP ([a-zA-Z_:][a-zA-Z0-9_:]*) .+)");
  const std::regex type(R"(# TYPE ([a-zA-Z_:][a-zA-Z0-9_:]*) (counter|gauge|histogram|summary|untyped))");
  const std::regex sample(
      R"(([a-zA-Z_:][a-zA-Z0-9_:]*)(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\[\\"n])*")*\})? (-?[0-9.e+-]+|NaN|[+-]Inf))");
  std::set<std::string> declared, typed, series;
  std::map<std::string, std::string> types;
  std::istringstream lines(text);
  std::string line, current;
  while (std::getline(lines, line)) {
    std::smatch match;
    if (std::regex_match(line, match, help)) {
      INFO(line);
      CHECK(declared.insert(match[1]).second);
      current = match[1];
    } else if (std::regex_match(line, match, type)) {
      INFO(line);
      CHECK(match[1] == current);
      CHECK(typed.insert(match[1]).second);
      types[match[1]] = match[2];
    } else {
      INFO(line);
      REQUIRE(std::regex_match(line, match, sample));
      if (types[current] == "histogram") {
        const std::string name = match[1];
        CHECK((name == current + "_bucket" || name == current + "_sum" || name == current + "_count"));
      } else {
        CHECK(match[1] == current);
      }
      if (types[current] == "counter") CHECK(current.size() > 6);
      CHECK(series.insert(line.substr(0, line.rfind(' '))).second);
    }
  }
  CHECK(text.back() == '\n');
}

}  // namespace

TEST_CASE("metrics: keepalived exporter names with labels and values") {
  const std::string text = render_metrics(document());
  check_exposition(text);
  CHECK(text.find("keepalived_up 1\n") != std::string::npos);
  // One state series per VIP, address without the prefix length; MASTER is keepalived's 2.
  CHECK(text.find(R"(keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="192.0.2.100"} 2)") !=
        std::string::npos);
  CHECK(text.find(R"(keepalived_vrrp_state{iname="VI_1",intf="eth0",vrid="51",ip_address="192.0.2.101"} 2)") !=
        std::string::npos);
  CHECK(text.find(R"(keepalived_advertisements_sent_total{iname="VI_1",intf="eth0",vrid="51"} 10)") !=
        std::string::npos);
  CHECK(text.find(R"(keepalived_ip_ttl_errors_total{iname="VI_1",intf="eth0",vrid="51"} 2)") != std::string::npos);
  CHECK(text.find(R"(keepalived_authentication_failure_total{iname="VI_1",intf="eth0",vrid="51"} 4)") !=
        std::string::npos);
  CHECK(text.find(R"(keepalived_address_list_errors_total{iname="VI_1",intf="eth0",vrid="51"} 1)") !=
        std::string::npos);
  CHECK(text.find(R"(keepalived_priority_zero_received_total{iname="VI_1",intf="eth0",vrid="51"} 2)") !=
        std::string::npos);
  CHECK(text.find(R"(vigil_vrrp_priority{iname="VI_1",intf="eth0",vrid="51",kind="effective"} 90)") !=
        std::string::npos);
  CHECK(text.find(R"(vigil_vrrp_adverts_rejected_total{iname="VI_1",intf="eth0",vrid="51",reason="bad-ttl"} 2)") !=
        std::string::npos);
  CHECK(text.find(R"(vigil_reloads_total{result="failure"} 1)") != std::string::npos);
  CHECK(text.find("vigil_last_reload_success 0\n") != std::string::npos);
  CHECK(text.find("vigil_last_reload_duration_seconds 0.0021\n") != std::string::npos);
  // Label values are escaped.
  CHECK(text.find(R"(iname="VI \"2\"")") != std::string::npos);
  CHECK(text.find(R"(keepalived_vrrp_state{iname="VI \"2\"",intf="eth0",vrid="51",ip_address="192.0.2.100"} 1)") !=
        std::string::npos);
}

TEST_CASE("metrics: vrrp_scripts as the exporter's keepalived_script_status/_state and vigil_script_*") {
  json doc = document();
  doc["vrrp_scripts"] = {{{"name", "chk_nginx"},
                          {"status", "GOOD"},
                          {"running", false},
                          {"disabled", false},
                          {"runs", 12},
                          {"failures", 3},
                          {"timeouts", 1},
                          {"last_duration_seconds", 0.004},
                          {"last_run", 1000.0},
                          {"next_run", 1002.0}},
                         {{"name", "chk_\"db\""},
                          {"status", "BAD"},
                          {"running", true},
                          {"disabled", false},
                          {"runs", 0},
                          {"failures", 0},
                          {"timeouts", 0},
                          {"last_duration_seconds", 0.0},
                          {"last_run", nullptr},
                          {"next_run", nullptr}}};
  const std::string text = render_metrics(doc);
  check_exposition(text);
  CHECK(text.find("keepalived_script_status{name=\"chk_nginx\"} 1\n") != std::string::npos);
  CHECK(text.find("keepalived_script_state{name=\"chk_nginx\"} 0\n") != std::string::npos);
  CHECK(text.find("keepalived_script_status{name=\"chk_\\\"db\\\"\"} 0\n") != std::string::npos);
  CHECK(text.find("keepalived_script_state{name=\"chk_\\\"db\\\"\"} 1\n") != std::string::npos);
  CHECK(text.find("vigil_script_runs_total{name=\"chk_nginx\"} 12\n") != std::string::npos);
  CHECK(text.find("vigil_script_failures_total{name=\"chk_nginx\"} 3\n") != std::string::npos);
  CHECK(text.find("vigil_script_timeouts_total{name=\"chk_nginx\"} 1\n") != std::string::npos);
  CHECK(text.find("vigil_script_last_duration_seconds{name=\"chk_nginx\"} 0.004\n") != std::string::npos);
}

TEST_CASE("metrics: a daemon without instances or reloads is still valid exposition") {
  const json empty = {{"daemon", {{"started_at", 5.0}}}, {"vrrp_instances", json::array()}};
  const std::string text = render_metrics(empty);
  check_exposition(text);
  CHECK(text.find("vigil_last_reload_success") != std::string::npos);  // HELP/TYPE only
  CHECK(text.find("\nvigil_last_reload_success ") == std::string::npos);
}

TEST_CASE("metrics: the advert send lateness histogram has cumulative buckets, sum and count") {
  json status = document();
  status["advert_send_lateness"] = {{"bounds", {0.0005, 0.001, 0.1}},
                                    {"counts", {5, 2, 0, 1}},  // per bucket; the last is +Inf
                                    {"count", 8},
                                    {"sum", 0.25}};
  const std::string text = render_metrics(status);
  check_exposition(text);
  CHECK(text.find("# TYPE vigil_advert_send_lateness_seconds histogram\n") != std::string::npos);
  CHECK(text.find("vigil_advert_send_lateness_seconds_bucket{le=\"0.0005\"} 5\n") != std::string::npos);
  CHECK(text.find("vigil_advert_send_lateness_seconds_bucket{le=\"0.001\"} 7\n") != std::string::npos);
  CHECK(text.find("vigil_advert_send_lateness_seconds_bucket{le=\"0.1\"} 7\n") != std::string::npos);
  CHECK(text.find("vigil_advert_send_lateness_seconds_bucket{le=\"+Inf\"} 8\n") != std::string::npos);
  CHECK(text.find("vigil_advert_send_lateness_seconds_sum 0.25\n") != std::string::npos);
  CHECK(text.find("vigil_advert_send_lateness_seconds_count 8\n") != std::string::npos);
  // Without VRRP (no histogram in the document) the family is left out.
  CHECK(render_metrics(document()).find("vigil_advert_send_lateness") == std::string::npos);
}

TEST_CASE("metrics: the script start lateness histogram is rendered like the advert one") {
  json status = document();
  status["script_start_lateness"] = {{"bounds", {0.001, 0.01}}, {"counts", {90, 9, 1}}, {"count", 100}, {"sum", 0.5}};
  const std::string text = render_metrics(status);
  check_exposition(text);
  CHECK(text.find("# TYPE vigil_script_start_lateness_seconds histogram\n") != std::string::npos);
  CHECK(text.find("vigil_script_start_lateness_seconds_bucket{le=\"0.001\"} 90\n") != std::string::npos);
  CHECK(text.find("vigil_script_start_lateness_seconds_bucket{le=\"0.01\"} 99\n") != std::string::npos);
  CHECK(text.find("vigil_script_start_lateness_seconds_bucket{le=\"+Inf\"} 100\n") != std::string::npos);
  CHECK(text.find("vigil_script_start_lateness_seconds_count 100\n") != std::string::npos);
  // Each family only when the document has its histogram.
  CHECK(text.find("vigil_advert_send_lateness") == std::string::npos);
  CHECK(render_metrics(document()).find("vigil_script_start_lateness") == std::string::npos);
}

TEST_CASE("stats: --clear sets a baseline and the totals stay in the document") {
  StatsBaseline baseline;
  auto before = baseline.stats(document(10, 2));
  CHECK(before["cleared_at"].is_null());
  CHECK(before["vrrp_instances"][0]["counters"]["adverts_sent"] == 10);
  CHECK(before["vrrp_instances"][0]["counters"]["rejected.bad-ttl"] == 2);
  CHECK(before["vrrp_instances"][0]["counters"]["other_vrid_on_socket"] == 7);

  baseline.clear(document(10, 2), 2000.0);
  auto cleared = baseline.stats(document(10, 2));
  CHECK(cleared["cleared_at"] == 2000.0);
  for (const auto& [name, value] : cleared["vrrp_instances"][0]["counters"].items()) {
    INFO(name);
    CHECK(value == 0);
  }
  auto later = baseline.stats(document(25, 5));
  CHECK(later["vrrp_instances"][0]["counters"]["adverts_sent"] == 15);
  CHECK(later["vrrp_instances"][0]["counters"]["rejected.bad-ttl"] == 3);
  // An instance re-created with fresh counters counts from zero, never wraps.
  auto recreated = baseline.stats(document(4, 0));
  CHECK(recreated["vrrp_instances"][0]["counters"]["adverts_sent"] == 4);
  const std::string table = format_stats(later);
  CHECK(table.find("counters since 1970-01-01 00:33:20 UTC") != std::string::npos);
  CHECK(table.find("VI_1 (vrid 51 on eth0)") != std::string::npos);
  CHECK(table.find("rejected.bad-ttl") != std::string::npos);
}

TEST_CASE("status: one row per instance with priorities and master and VIPs and trackers and last change") {
  json doc = document();
  vigil::config::Config config;
  vigil::config::VrrpInstance vi;
  vi.track_script.push_back({"chk_nginx", -20, false});
  vi.track_interface.push_back({"eth1", std::nullopt, false});
  config.vrrp_instance.emplace("VI_1", vi);
  add_trackers(doc, config);
  CHECK(doc["vrrp_instances"][0]["trackers"] == json({"script:chk_nginx(-20)", "interface:eth1"}));
  CHECK(doc["vrrp_instances"][1]["trackers"] == json::array());

  const std::string text = format_status(doc, 1090.0);
  CHECK(text.find("vigild 0.1.0 (pid 42), config /etc/vigil/vigil.toml") != std::string::npos);
  CHECK(text.find("last reload: FAILED") != std::string::npos);
  CHECK(text.find("v.toml:3:1: error: x") != std::string::npos);
  CHECK(text.find("INSTANCE") != std::string::npos);
  CHECK(text.find("MASTER") != std::string::npos);
  CHECK(text.find("100/90") != std::string::npos);
  CHECK(text.find("192.0.2.100/24,192.0.2.101/32") != std::string::npos);
  CHECK(text.find("script:chk_nginx(-20),interface:eth1") != std::string::npos);
  CHECK(text.find("90s ago") != std::string::npos);
  CHECK(text.find("VIRTUAL SERVER") == std::string::npos);  // none yet
  CHECK(text.find("SCRIPT") == std::string::npos);          // no vrrp_script configured

  doc["vrrp_scripts"] = {{{"name", "chk_nginx"},
                          {"status", "BAD"},
                          {"running", true},
                          {"disabled", false},
                          {"runs", 12},
                          {"failures", 3},
                          {"timeouts", 1},
                          {"last_duration_seconds", 0.25},
                          {"last_run", 1085.0},
                          {"next_run", 1092.0}}};
  const std::string with_scripts = format_status(doc, 1090.0);
  CHECK(with_scripts.find("SCRIPT") != std::string::npos);
  CHECK(with_scripts.find("chk_nginx  BAD (running)  12") != std::string::npos);
  CHECK(with_scripts.find("5s ago") != std::string::npos);
  CHECK(with_scripts.find("0.250s") != std::string::npos);
  CHECK(with_scripts.find("in 2s") != std::string::npos);

  doc["virtual_servers"] = {{{"name", "192.0.2.200:80"},
                             {"real_servers", {{{"address", "a"}, {"up", true}}, {{"address", "b"}, {"up", false}}}}}};
  CHECK(format_status(doc, 1090.0).find("VIRTUAL SERVER") != std::string::npos);
}

namespace {

// The load balancer's part as engine/lb_status.cpp writes it.
json with_virtual_servers() {
  json doc = document();
  doc["ipvs"] = {{"state", "in use"}};
  json checker_ok = {{"name", "http_get[0]"}, {"target", "198.51.100.1:80"}, {"up", true},
                     {"failed_in_a_row", 0},  {"probes_passed", 12},         {"probes_failed", 1},
                     {"last_probe", 1085.0},  {"last_result", "ok"},         {"last_failure", "timeout"}};
  json checker_down = {{"name", "tcp_check[0]"},
                       {"target", "198.51.100.2:8080"},
                       {"up", false},
                       {"failed_in_a_row", 3},
                       {"probes_passed", 0},
                       {"probes_failed", 3},
                       {"last_probe", 1089.0},
                       {"last_result", "failed"},
                       {"last_failure", "connection refused"}};
  doc["virtual_servers"] = {{{"name", "192.0.2.10:80/TCP"},
                             {"scheduler", "wrr"},
                             {"quorum", {{"required", 2}, {"hysteresis", 0}, {"live_weight", 3}, {"up", true}}},
                             {"sorry_server", {{"address", "203.0.113.9:80"}, {"active", false}}},
                             {"suspended", false},
                             {"real_servers",
                              {{{"address", "198.51.100.1:80"},
                                {"weight", 3},
                                {"current_weight", 3},
                                {"up", true},
                                {"last_change", nullptr},
                                {"checkers", {checker_ok}}},
                               {{"address", "198.51.100.2:8080"},
                                {"weight", 1},
                                {"current_weight", nullptr},
                                {"up", false},
                                {"last_change", 1080.0},
                                {"checkers", {checker_down}}}}}}};
  return doc;
}

}  // namespace

TEST_CASE("status: virtual servers, one row per real server, after the instances") {
  const std::string text = format_status(with_virtual_servers(), 1090.0);
  const auto instances = text.find("INSTANCE");
  const auto servers = text.find("VIRTUAL SERVER");
  REQUIRE(servers != std::string::npos);
  CHECK(instances < servers);
  CHECK(text.find("192.0.2.10:80/TCP") != std::string::npos);
  CHECK(text.find("up 3/2") != std::string::npos);               // quorum held: live weight 3 of 2
  CHECK(text.find("203.0.113.9:80 idle") != std::string::npos);  // sorry server not in use
  CHECK(text.find("198.51.100.1:80") != std::string::npos);
  CHECK(text.find("3/3") != std::string::npos);  // weight configured/current
  CHECK(text.find("1/-") != std::string::npos);  // not in the pool
  CHECK(text.find("http_get[0] ok") != std::string::npos);
  CHECK(text.find("tcp_check[0] DOWN (3 failed: connection refused)") != std::string::npos);
  CHECK(text.find("10s ago") != std::string::npos);
  CHECK(text.find("since start") != std::string::npos);
  // The virtual server's name is on its first real server's row only.
  CHECK(text.find("192.0.2.10:80/TCP") == text.rfind("192.0.2.10:80/TCP"));
  CHECK(text.find("IPVS: unavailable") == std::string::npos);

  json without = document();
  without["ipvs"] = {{"state", "unavailable"}};
  without["virtual_servers"] = json::array();
  CHECK(format_status(without, 1090.0).find("IPVS: unavailable (the kernel has no IPVS)") != std::string::npos);
}

TEST_CASE("metrics: real servers, checkers and quorum per virtual server") {
  const std::string text = render_metrics(with_virtual_servers());
  check_exposition(text);
  const auto has = [&](const std::string& line) {
    INFO(line);
    CHECK(text.find(line + "\n") != std::string::npos);
  };
  has(R"(vigil_virtual_server_quorum_up{virtual_server="192.0.2.10:80/TCP"} 1)");
  has(R"(vigil_virtual_server_live_weight{virtual_server="192.0.2.10:80/TCP"} 3)");
  has(R"(vigil_virtual_server_sorry_server_active{virtual_server="192.0.2.10:80/TCP"} 0)");
  has(R"(vigil_real_server_up{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.1:80"} 1)");
  has(R"(vigil_real_server_up{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.2:8080"} 0)");
  has(R"(vigil_real_server_weight{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.1:80",kind="configured"} 3)");
  has(R"(vigil_real_server_weight{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.2:8080",kind="current"} 0)");
  has(R"(vigil_real_server_last_change_timestamp_seconds{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.2:8080"} 1080)");
  has(R"(vigil_checker_checks_total{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.1:80",checker="http_get[0]",result="success"} 12)");
  has(R"(vigil_checker_checks_total{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.1:80",checker="http_get[0]",result="failure"} 1)");
  has(R"(vigil_checker_up{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.2:8080",checker="tcp_check[0]"} 0)");
  has(R"(vigil_checker_failures_in_a_row{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.2:8080",checker="tcp_check[0]"} 3)");
  // No change since start: no timestamp sample rather than a fake one.
  CHECK(
      text.find(
          R"(vigil_real_server_last_change_timestamp_seconds{virtual_server="192.0.2.10:80/TCP",real_server="198.51.100.1:80"})") ==
      std::string::npos);
}

TEST_CASE("metrics: the keepalived exporter's IPVS traffic counters") {
  json doc = with_virtual_servers();
  doc["ipvs"]["services"] = {{{"virtual_server", "192.0.2.10:80/TCP"},
                              {"address", "192.0.2.10:80"},
                              {"protocol", 6},
                              {"connections", 12},
                              {"packets_in", 340},
                              {"packets_out", 300},
                              {"bytes_in", 45000},
                              {"bytes_out", 90000},
                              {"destinations",
                               {{{"address", "198.51.100.1:80"},
                                 {"connections", 5},
                                 {"packets_in", 140},
                                 {"packets_out", 100},
                                 {"bytes_in", 15000},
                                 {"bytes_out", 30000}}}}},
                             {{"virtual_server", "fwmark 7"},
                              {"address", "fwmark 7"},
                              {"protocol", 0},
                              {"connections", 0},
                              {"packets_in", 0},
                              {"packets_out", 0},
                              {"bytes_in", 0},
                              {"bytes_out", 0},
                              {"destinations", json::array()}}};
  const std::string text = render_metrics(doc);
  check_exposition(text);
  const auto has = [&](const std::string& line) {
    INFO(line);
    CHECK(text.find(line + "\n") != std::string::npos);
  };
  has("# TYPE keepalived_lvs_vip_in_packets untyped");
  has(R"(keepalived_lvs_vip_in_packets{addr="192.0.2.10:80",proto="6"} 340)");
  has(R"(keepalived_lvs_vip_out_packets{addr="192.0.2.10:80",proto="6"} 300)");
  has(R"(keepalived_lvs_vip_in_bytes{addr="192.0.2.10:80",proto="6"} 45000)");
  has(R"(keepalived_lvs_vip_out_bytes{addr="192.0.2.10:80",proto="6"} 90000)");
  has(R"(keepalived_lvs_vip_conn{addr="192.0.2.10:80",proto="6"} 12)");
  has(R"(keepalived_lvs_vip_conn{addr="fwmark 7",proto="0"} 0)");
  has(R"(keepalived_lvs_rs_in_packets{addr="198.51.100.1:80",proto="6",service="192.0.2.10:80"} 140)");
  has(R"(keepalived_lvs_rs_out_bytes{addr="198.51.100.1:80",proto="6",service="192.0.2.10:80"} 30000)");
  has(R"(keepalived_lvs_rs_conn{addr="198.51.100.1:80",proto="6",service="192.0.2.10:80"} 5)");
  // Not read (no IPVS): the families are declared, without samples.
  const std::string without = render_metrics(with_virtual_servers());
  check_exposition(without);
  CHECK(without.find("keepalived_lvs_vip_conn{") == std::string::npos);
}
