// global_defs, scripts, trackers, instances and sync groups -> the Vigil model.
#include <doctest/doctest.h>

#include "kconf_test_support.hpp"

using namespace kconf_test;

namespace {
std::int64_t int_at(const Value& doc, const std::string& path) {
  const Value* v = at(doc, path);
  REQUIRE(v != nullptr);
  return v->as_integer();
}
std::string text_at(const Value& doc, const std::string& path) {
  const Value* v = at(doc, path);
  REQUIRE(v != nullptr);
  return v->text();
}
bool bool_at(const Value& doc, const std::string& path) {
  const Value* v = at(doc, path);
  REQUIRE(v != nullptr);
  return v->as_bool();
}
const std::string kInstance = "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n";
}  // namespace

TEST_CASE("global_defs: names, mail, script user, VRRP defaults") {
  auto m =
      map("global_defs {\n router_id LB1\n notification_email {\n  a@x\n  b@x\n }\n"
          " notification_email_from k@x\n smtp_server 192.0.2.25 587\n smtp_connect_timeout 30\n"
          " script_user nobody nogroup\n enable_script_security\n vrrp_version 3\n"
          " vrrp_garp_master_delay 0.5\n vrrp_garp_master_repeat 2\n vrrp_skip_check_adv_addr\n"
          " lvs_timeouts tcp 900 tcpfin 120 udp 300\n dynamic_interfaces\n}\n");
  const auto& d = m.doc;
  CHECK(text_at(d, "global.router_id") == "LB1");
  CHECK(at(d, "global.notification_email")->items().size() == 2);
  CHECK(text_at(d, "global.smtp_server") == "192.0.2.25:587");
  CHECK(int_at(d, "global.smtp_connect_timeout") == 30);
  CHECK(text_at(d, "global.script_user") == "nobody");
  CHECK(text_at(d, "global.script_group") == "nogroup");
  CHECK(bool_at(d, "global.script_security"));
  CHECK(int_at(d, "global.vrrp_version") == 3);
  CHECK(text_at(d, "global.vrrp_garp_master_delay") == "500ms");
  CHECK(int_at(d, "global.vrrp_garp_master_repeat") == 2);
  CHECK(bool_at(d, "global.vrrp_skip_check_adv_addr"));
  CHECK(int_at(d, "global.lvs_timeouts.tcp_fin") == 120);
  CHECK(bool_at(d, "global.dynamic_interfaces"));
}

TEST_CASE("unsupported and unknown keywords warn with file:line and stay as comments") {
  auto m = map("global_defs {\n enable_snmp_vrrp\n garp_master_delay 3\n}\n");
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "'enable_snmp_vrrp' is not supported", 2));
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "unknown keyword 'garp_master_delay'", 3));
  const Value* global = at(m.doc, "global");
  REQUIRE(global != nullptr);
  REQUIRE(global->notes.size() >= 4);
  CHECK(global->notes[1] == "  enable_snmp_vrrp");
}

TEST_CASE("vrrp_script: command, timers, weight with reverse, user and group") {
  auto m =
      map("vrrp_script chk {\n script \"/usr/bin/check --x\"\n interval 2\n timeout 0.25\n weight -20 reverse\n"
          " rise 3\n fall 2\n user nobody:nogroup\n init_fail\n}\n");
  CHECK(text_at(m.doc, "vrrp_script.chk.script") == "/usr/bin/check --x");
  CHECK(int_at(m.doc, "vrrp_script.chk.interval") == 2);
  CHECK(text_at(m.doc, "vrrp_script.chk.timeout") == "250ms");
  CHECK(int_at(m.doc, "vrrp_script.chk.weight") == -20);
  CHECK(bool_at(m.doc, "vrrp_script.chk.reverse"));
  CHECK(int_at(m.doc, "vrrp_script.chk.rise") == 3);
  CHECK(text_at(m.doc, "vrrp_script.chk.user") == "nobody");
  CHECK(text_at(m.doc, "vrrp_script.chk.group") == "nogroup");
  CHECK(bool_at(m.doc, "vrrp_script.chk.init_fail"));
}

TEST_CASE("commands with shell syntax run through the shell, bash syntax through bash, with a note") {
  auto m =
      map("vrrp_script a {\n script \"pidof x && test -f /run/x\"\n}\n"
          "vrrp_script b {\n script \"[[ -f /run/x ]] || exit 1\"\n}\n"
          "vrrp_script c {\n script \"/bin/echo 'two words'\"\n}\n"
          "vrrp_script d {\n script \"/bin/sh -c 'a | b'\"\n}\n");
  CHECK(text_at(m.doc, "vrrp_script.a.script") == "pidof x && test -f /run/x");
  CHECK(at(m.doc, "vrrp_script.a.script")->comments.size() == 1);
  CHECK(text_at(m.doc, "vrrp_script.b.script.command") == "[[ -f /run/x ]] || exit 1");
  CHECK(text_at(m.doc, "vrrp_script.b.script.shell") == "/bin/bash");
  // No shell syntax but a quoted argument: the exact argv keepalived used.
  const Value* c = at(m.doc, "vrrp_script.c.script");
  REQUIRE(c != nullptr);
  REQUIRE(c->is_array());
  CHECK(c->items()[1].text() == "two words");
  // The operators are inside sh -c's argument: no shell needed around them.
  CHECK(at(m.doc, "vrrp_script.d.script")->is_array());
  CHECK(has_diagnostic(m.diagnostics, Severity::kNote, "shell syntax", 2));
}

TEST_CASE("track_file and vrrp_track_file, init_file value and overwrite") {
  auto m = map("vrrp_track_file tf {\n file /run/tf\n weight -5 reverse\n init_file 7 overwrite\n}\n");
  CHECK(text_at(m.doc, "track_file.tf.file") == "/run/tf");
  CHECK(int_at(m.doc, "track_file.tf.weight") == -5);
  CHECK(bool_at(m.doc, "track_file.tf.reverse"));
  CHECK(int_at(m.doc, "track_file.tf.init_value") == 7);
  CHECK(bool_at(m.doc, "track_file.tf.init_overwrite"));
}

TEST_CASE("vrrp_track_process: parameters, quorum, delay sets both delays") {
  auto m =
      map("vrrp_track_process p {\n process nginx -g daemon\n quorum 2\n delay 1.5\n full_command\n weight 10\n}\n");
  CHECK(text_at(m.doc, "track_process.p.process") == "nginx");
  CHECK(at(m.doc, "track_process.p.parameters")->items().size() == 2);
  CHECK(int_at(m.doc, "track_process.p.quorum") == 2);
  CHECK(text_at(m.doc, "track_process.p.fork_delay") == "1500ms");
  CHECK(text_at(m.doc, "track_process.p.terminate_delay") == "1500ms");
  CHECK(bool_at(m.doc, "track_process.p.full_command"));
}

TEST_CASE("state MASTER without priority means priority 255, with a note") {
  auto m = map(kInstance + "  state MASTER\n}\n");
  CHECK(int_at(m.doc, "vrrp_instance.VI_1.priority") == 255);
  CHECK(has_diagnostic(m.diagnostics, Severity::kNote, "priority 255"));
  auto explicit_priority = map(kInstance + "  state MASTER\n  priority 150\n}\n");
  CHECK(int_at(explicit_priority.doc, "vrrp_instance.VI_1.priority") == 150);
}

TEST_CASE("advert_int: VRRPv2 rounds to whole seconds, v3 to centiseconds, as keepalived") {
  auto v2 = map(kInstance + "  advert_int 0.4\n}\n");
  CHECK(int_at(v2.doc, "vrrp_instance.VI_1.advert_int") == 1);
  CHECK(has_diagnostic(v2.diagnostics, Severity::kNote, "rounded"));
  auto v3 = map(kInstance + "  version 3\n  advert_int 0.123\n}\n");
  CHECK(text_at(v3.doc, "vrrp_instance.VI_1.advert_int") == "120ms");
  auto global_v3 = map("global_defs {\n vrrp_version 3\n}\n" + kInstance + "  advert_int 0.5\n}\n");
  CHECK(text_at(global_v3.doc, "vrrp_instance.VI_1.advert_int") == "500ms");
  auto ipv6 = map(kInstance + "  advert_int 0.25\n  virtual_ipaddress {\n 2001:db8::1/64\n }\n}\n");
  CHECK(text_at(ipv6.doc, "vrrp_instance.VI_1.advert_int") == "250ms");
  auto whole = map(kInstance + "  advert_int 2\n}\n");
  CHECK(int_at(whole.doc, "vrrp_instance.VI_1.advert_int") == 2);
}

TEST_CASE("auth_pass longer than 8 is truncated as keepalived does, with a warning") {
  auto m = map(kInstance + "  authentication {\n auth_type PASS\n auth_pass 123456789\n }\n}\n");
  CHECK(text_at(m.doc, "vrrp_instance.VI_1.authentication.auth_pass") == "12345678");
  CHECK(text_at(m.doc, "vrrp_instance.VI_1.authentication.auth_type") == "PASS");
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "only the first 8"));
  auto ah = map(kInstance + "  authentication {\n auth_type AH\n auth_pass x\n }\n}\n");
  CHECK(at(ah.doc, "vrrp_instance.VI_1.authentication") == nullptr);
  CHECK(has_diagnostic(ah.diagnostics, Severity::kWarning, "'auth_type' is not supported"));
}

TEST_CASE("track_script weight on the instance overrides the script's, reverse/noreverse") {
  auto m = map("vrrp_script chk {\n script /bin/true\n weight 10\n}\n" + kInstance +
               "  track_script {\n chk weight -30 reverse\n other\n }\n  track_interface {\n eth1 weight 5\n }\n}\n");
  CHECK(text_at(m.doc, "vrrp_instance.VI_1.track_script.0.name") == "chk");
  CHECK(int_at(m.doc, "vrrp_instance.VI_1.track_script.0.weight") == -30);
  CHECK(bool_at(m.doc, "vrrp_instance.VI_1.track_script.0.reverse"));
  CHECK(text_at(m.doc, "vrrp_instance.VI_1.track_script.1") == "other");
  CHECK(int_at(m.doc, "vrrp_instance.VI_1.track_interface.0.weight") == 5);
  CHECK(int_at(m.doc, "vrrp_script.chk.weight") == 10);
}

TEST_CASE("instance keywords: VIPs, unicast, preempt, accept, vmac, garp, notify") {
  auto m = map(kInstance +
               "  state BACKUP\n  priority 90\n  nopreempt\n  no_accept\n  use_vmac vrrp51\n  vmac_xmit_base\n"
               "  unicast_src_ip 192.0.2.1\n  unicast_peer {\n 192.0.2.2\n 192.0.2.3 min_ttl 250\n }\n"
               "  virtual_ipaddress {\n 192.0.2.100/24\n 192.0.2.101/24 dev eth1 label eth1:v no_track\n }\n"
               "  virtual_ipaddress_excluded {\n 198.51.100.1\n }\n  garp_master_delay 1\n  garp_master_repeat 3\n"
               "  preempt_delay 10\n  notify_master /etc/n.sh\n  notify \"/etc/all.sh x\"\n  smtp_alert\n"
               "  dont_track_primary\n  lvs_sync_daemon_interface eth0\n}\n");
  const auto& d = m.doc;
  CHECK(text_at(d, "vrrp_instance.VI_1.state") == "BACKUP");
  CHECK_FALSE(bool_at(d, "vrrp_instance.VI_1.preempt"));
  CHECK_FALSE(bool_at(d, "vrrp_instance.VI_1.accept"));
  CHECK(bool_at(d, "vrrp_instance.VI_1.use_vmac"));
  CHECK(text_at(d, "vrrp_instance.VI_1.vmac_name") == "vrrp51");
  CHECK(bool_at(d, "vrrp_instance.VI_1.vmac_xmit_base"));
  CHECK(text_at(d, "vrrp_instance.VI_1.unicast_src_ip") == "192.0.2.1");
  CHECK(text_at(d, "vrrp_instance.VI_1.unicast_peer.0") == "192.0.2.2");
  CHECK(int_at(d, "vrrp_instance.VI_1.unicast_peer.1.min_ttl") == 250);
  CHECK(text_at(d, "vrrp_instance.VI_1.virtual_ipaddress.0") == "192.0.2.100/24");
  CHECK(text_at(d, "vrrp_instance.VI_1.virtual_ipaddress.1.label") == "eth1:v");
  CHECK(bool_at(d, "vrrp_instance.VI_1.virtual_ipaddress.1.no_track"));
  CHECK(text_at(d, "vrrp_instance.VI_1.virtual_ipaddress_excluded.0") == "198.51.100.1");
  CHECK(int_at(d, "vrrp_instance.VI_1.garp_master_delay") == 1);
  CHECK(int_at(d, "vrrp_instance.VI_1.preempt_delay") == 10);
  CHECK(text_at(d, "vrrp_instance.VI_1.notify_master") == "/etc/n.sh");
  CHECK(text_at(d, "vrrp_instance.VI_1.notify") == "/etc/all.sh x");
  CHECK(bool_at(d, "vrrp_instance.VI_1.smtp_alert"));
  CHECK(bool_at(d, "vrrp_instance.VI_1.dont_track_primary"));
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "'lvs_sync_daemon_interface' is not supported"));
}

TEST_CASE("virtual_routes and virtual_rules, unsupported options keep the line as a comment") {
  auto m =
      map(kInstance +
          "  virtual_routes {\n src 192.0.2.1 to 198.51.100.0/24 via 192.0.2.254 dev eth0 table 100 metric 5\n"
          " blackhole 203.0.113.0/24\n 10.0.0.0/8 via 192.0.2.1 tos 4\n }\n"
          "  virtual_rules {\n from 192.0.2.0/24 table 100 priority 100\n to 10.0.0.0/8 fwmark 3/0xff lookup main\n"
          " }\n}\n");
  const auto& d = m.doc;
  CHECK(text_at(d, "vrrp_instance.VI_1.virtual_routes.0.to") == "198.51.100.0/24");
  CHECK(text_at(d, "vrrp_instance.VI_1.virtual_routes.0.via") == "192.0.2.254");
  CHECK(int_at(d, "vrrp_instance.VI_1.virtual_routes.0.table") == 100);
  CHECK(text_at(d, "vrrp_instance.VI_1.virtual_routes.1.type") == "blackhole");
  CHECK(at(d, "vrrp_instance.VI_1.virtual_routes")->items().size() == 2);
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "'tos'"));
  CHECK(int_at(d, "vrrp_instance.VI_1.virtual_rules.0.priority") == 100);
  CHECK(int_at(d, "vrrp_instance.VI_1.virtual_rules.1.fwmask") == 255);
  CHECK(text_at(d, "vrrp_instance.VI_1.virtual_rules.1.table") == "main");
}

TEST_CASE("vrrp_strict is reported and its implications are written out") {
  auto m = map("global_defs {\n vrrp_strict\n}\n" + kInstance + "  priority 100\n}\n");
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "'vrrp_strict' is not supported"));
  CHECK_FALSE(bool_at(m.doc, "vrrp_instance.VI_1.accept"));
  CHECK(bool_at(m.doc, "vrrp_instance.VI_1.lower_prio_no_advert"));
}

TEST_CASE("an instance without a usable virtual_router_id is not converted, loudly") {
  auto m = map("vrrp_instance T {\n interface eth0\n virtual_router_id {{ VRID }}\n}\n");
  CHECK(at(m.doc, "vrrp_instance") == nullptr);
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "template placeholder", 3));
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "the whole instance is not converted", 1));
}

TEST_CASE("sync groups: members, trackers, notify, global_tracking") {
  auto m =
      map("vrrp_sync_group G {\n group {\n VI_1\n VI_2\n }\n notify_master \"/bin/m.sh g\"\n"
          " track_interface {\n eth2\n }\n global_tracking\n}\n");
  CHECK(at(m.doc, "vrrp_sync_group.G.group")->items().size() == 2);
  CHECK(text_at(m.doc, "vrrp_sync_group.G.notify_master") == "/bin/m.sh g");
  CHECK(text_at(m.doc, "vrrp_sync_group.G.track_interface.0") == "eth2");
  CHECK(bool_at(m.doc, "vrrp_sync_group.G.sync_group_tracking_weight"));
}

TEST_CASE("static_ipaddress, static_routes and static_rules") {
  auto m =
      map("static_ipaddress {\n 192.0.2.1/24 dev eth0 scope link\n}\nstatic_routes {\n 0.0.0.0/0 via 192.0.2.254\n}\n"
          "static_rules {\n from 192.0.2.0/24 table 7\n}\n");
  CHECK(text_at(m.doc, "static_ipaddress.0.dev") == "eth0");
  CHECK(text_at(m.doc, "static_routes.0.to") == "0.0.0.0/0");
  CHECK(int_at(m.doc, "static_rules.0.table") == 7);
}

TEST_CASE("top-level keepalived process keywords are reported") {
  auto m = map("net_namespace blue\nbfd_instance b {\n neighbor_ip 192.0.2.9\n}\n");
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "'net_namespace' is not supported", 1));
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "'bfd_instance' is not supported", 2));
  REQUIRE(m.doc.notes.size() >= 5);
}

TEST_CASE("an instance keyword in global_defs is unknown to keepalived, the warning names its global twin") {
  auto m = map("global_defs {\n garp_master_delay 3\n}\n" + kInstance + "  lvs_sync_daemon_inteface eth0\n}\n");
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "did you mean 'vrrp_garp_master_delay'?", 2));
  CHECK(has_diagnostic(m.diagnostics, Severity::kWarning, "did you mean 'lvs_sync_daemon_interface'?", 7));
  CHECK(at(m.doc, "global.vrrp_garp_master_delay") == nullptr);
}

TEST_CASE("global_defs: lvs_notify_fifo_script maps, its user and group are dropped with a note") {
  auto m = map("global_defs {\n lvs_notify_fifo /run/lvs.fifo\n lvs_notify_fifo_script /usr/local/bin/lvs-reader\n}\n");
  CHECK(text_at(m.doc, "global.lvs_notify_fifo") == "/run/lvs.fifo");
  CHECK(text_at(m.doc, "global.lvs_notify_fifo_script") == "/usr/local/bin/lvs-reader");
  auto with_user =
      map("global_defs {\n lvs_notify_fifo /run/lvs.fifo\n lvs_notify_fifo_script /bin/reader nobody\n}\n");
  CHECK(text_at(with_user.doc, "global.lvs_notify_fifo_script") == "/bin/reader");
  // The VRRP FIFO readers map the same way.
  auto vrrp =
      map("global_defs {\n notify_fifo /run/all.fifo\n notify_fifo_script /bin/all-reader\n vrrp_notify_fifo "
          "/run/vrrp.fifo\n vrrp_notify_fifo_script /bin/reader root\n}\n");
  CHECK(text_at(vrrp.doc, "global.notify_fifo_script") == "/bin/all-reader");
  CHECK(text_at(vrrp.doc, "global.vrrp_notify_fifo_script") == "/bin/reader");
  CHECK(has_diagnostic(vrrp.diagnostics, Severity::kNote, "user/group is dropped", 5));
}
