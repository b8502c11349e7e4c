// Bad inputs in both syntaxes: each gives the exact file:line:col, key path and message.
#include <doctest/doctest.h>

#include <string>
#include <vector>

#include "config/loader.hpp"

using vigil::config::Diagnostic;
using vigil::config::format;
using vigil::config::load_string;
using vigil::config::Severity;
using vigil::config::Syntax;

namespace {

std::vector<std::string> errors(std::string_view text, Syntax syntax) {
  const auto result = load_string(text, syntax, syntax == Syntax::kToml ? "t.toml" : "t.yaml");
  std::vector<std::string> out;
  for (const Diagnostic& diagnostic : result.diagnostics) {
    if (diagnostic.severity == Severity::kError) out.push_back(format(diagnostic));
  }
  CHECK(result.ok() == out.empty());
  return out;
}

std::string toml_error(std::string_view text) {
  const auto out = errors(text, Syntax::kToml);
  REQUIRE(out.size() == 1);
  return out.front();
}

std::string yaml_error(std::string_view text) {
  const auto out = errors(text, Syntax::kYaml);
  REQUIRE(out.size() == 1);
  return out.front();
}

}  // namespace

TEST_CASE("toml syntax error names the place toml++ found it") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
virtual_router_id = = 51
)") == "t.toml:2:21: error: Error while parsing value: could not determine value type");
}

TEST_CASE("yaml syntax error is reported 1-based") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1:
    virtual_ipaddress: [192.0.2.1
    priority: 100
)") == "t.yaml:4:13: error: end of sequence flow not found");
}

TEST_CASE("unknown key is an error with a suggestion (toml)") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
priorty = 100
)") == "t.toml:4:1: error: vrrp_instance.VI_1.priorty: unknown key \"priorty\" (did you mean \"priority\"?)");
}

TEST_CASE("unknown key is an error with a suggestion (yaml)") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 55
    advert_intt: 1
)") == "t.yaml:5:5: error: vrrp_instance.VI_1.advert_intt: unknown key \"advert_intt\" (did you mean \"advert_int\"?)");
}

TEST_CASE("unknown section is an error with a suggestion") {
  CHECK(yaml_error(R"(vrrp_instances:
  VI_1:
    interface: eth0
)") == "t.yaml:1:1: error: vrrp_instances: unknown key \"vrrp_instances\" (did you mean \"vrrp_instance\"?)");
}

TEST_CASE("unknown key without a close match has no suggestion") {
  CHECK(toml_error(R"([global]
colour = "blue"
)") == "t.toml:2:1: error: global.colour: unknown key \"colour\"");
}

TEST_CASE("duplicate key is an error in yaml (yaml-cpp keeps it silently)") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 55
    priority: 100
    priority: 90
)") == "t.yaml:6:5: error: vrrp_instance.VI_1.priority: duplicate key \"priority\" (first defined at line 5)");
}

TEST_CASE("duplicate instance name is an error in yaml") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1: {interface: eth0, virtual_router_id: 1}
  VI_1: {interface: eth0, virtual_router_id: 2}
)") == "t.yaml:3:3: error: vrrp_instance.VI_1: duplicate key \"VI_1\" (first defined at line 2)");
}

TEST_CASE("duplicate key is an error in toml") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
priority = 100
priority = 90
)") == "t.toml:5:1: error: vrrp_instance.VI_1.priority: duplicate key \"priority\"");
}

TEST_CASE("duplicate table is an error in toml") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55

  [vrrp_instance.VI_1]
interface = "eth1"
)") == "t.toml:5:3: error: vrrp_instance.VI_1: duplicate table \"vrrp_instance.VI_1\"");
}

TEST_CASE("wrong type: a string where an integer belongs (toml)") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
priority = "100"
)") == "t.toml:4:12: error: vrrp_instance.VI_1.priority: expected an integer, got a string (\"100\")");
}

TEST_CASE("wrong type: a word where an integer belongs (yaml)") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 55
    priority: high
)") == "t.yaml:5:15: error: vrrp_instance.VI_1.priority: expected an integer, got a string (\"high\")");
}

TEST_CASE("yaml 1.1 booleans are not booleans") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 55
    preempt: no
)") == "t.yaml:5:14: error: vrrp_instance.VI_1.preempt: expected true or false, got a string (\"no\")");
}

TEST_CASE("a yaml password that looks like a number must be quoted") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 55
    authentication: {auth_type: PASS, auth_pass: 1111}
)") == "t.yaml:5:50: error: vrrp_instance.VI_1.authentication.auth_pass: expected a string, got an integer (1111); "
       "quote it: \"1111\"");
}

TEST_CASE("priority out of range") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
priority = 300
)") == "t.toml:4:12: error: vrrp_instance.VI_1.priority: must be 1..255, got 300");
}

TEST_CASE("VRID out of range (yaml)") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 0
)") == "t.yaml:4:24: error: vrrp_instance.VI_1.virtual_router_id: must be 1..255, got 0");
}

TEST_CASE("missing VRID names the instance") {
  CHECK(toml_error(R"(
[vrrp_instance.VI_1]
interface = "eth0"
)") == "t.toml:2:1: error: vrrp_instance.VI_1.virtual_router_id: missing required key \"virtual_router_id\"");
}

TEST_CASE("VRRPv2 advert_int must be whole seconds") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
advert_int = 1.5
)") == "t.toml:4:14: error: vrrp_instance.VI_1.advert_int: VRRPv2 needs whole seconds 1..255, got 1500ms");
}

TEST_CASE("VRRPv3 advert_int must be 10 ms steps") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 55
    version: 3
    advert_int: 15ms
)") == "t.yaml:6:17: error: vrrp_instance.VI_1.advert_int: VRRPv3 needs a multiple of 10ms, 10ms..40.95s, got 15ms");
}

TEST_CASE("VRRPv3 advert_int is at most 40.95 s") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
version = 3
advert_int = "41s"
)") == "t.toml:5:14: error: vrrp_instance.VI_1.advert_int: VRRPv3 needs a multiple of 10ms, 10ms..40.95s, got 41s");
}

TEST_CASE("bad duration string") {
  CHECK(yaml_error(R"(vrrp_script:
  chk:
    script: "true"
    interval: 1.5 s
)") == "t.yaml:4:15: error: vrrp_script.chk.interval: invalid duration \"1.5 s\" (use seconds as a number, or a "
       "string with a unit: \"150ms\", \"1.5s\", \"2m\")");
}

TEST_CASE("a TOML date is not a duration") {
  CHECK(toml_error(R"([vrrp_script.chk]
script = "true"
interval = 00:00:01
)") == "t.toml:3:12: error: vrrp_script.chk.interval: expected a duration (seconds, or a string like \"1.5s\"), "
       "got a TOML date/time");
}

TEST_CASE("bad VIP address") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
virtual_ipaddress = ["192.0.2.10/24", "192.0.2.300/24"]
)") == "t.toml:4:39: error: vrrp_instance.VI_1.virtual_ipaddress[1]: invalid IP prefix \"192.0.2.300/24\" (expected "
       "ADDRESS or ADDRESS/LENGTH)");
}

TEST_CASE("VIPs of two families") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
version = 3
virtual_ipaddress = ["192.0.2.10/24", "2001:db8::10/64"]
)") == "t.toml:5:39: error: vrrp_instance.VI_1.virtual_ipaddress[1]: 2001:db8::10/64 is IPv6, but virtual_ipaddress "
       "must be one family and the instance is IPv4 (from its virtual_ipaddress)");
}

TEST_CASE("IPv6 needs VRRP version 3") {
  CHECK(yaml_error(R"(vrrp_instance:
  VI_6:
    interface: eth0
    virtual_router_id: 56
    version: 2
    virtual_ipaddress: ["2001:db8::100/64"]
)") == "t.yaml:5:14: error: vrrp_instance.VI_6.version: VRRP version 2 does not support IPv6; use version = 3");
}

TEST_CASE("authentication with VRRPv3") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
version = 3
authentication = { auth_type = "PASS", auth_pass = "1111" }
)") == "t.toml:5:18: error: vrrp_instance.VI_1.authentication: authentication is only for VRRP version 2 over IPv4 "
       "(this instance is IPv4 version 3)");
}

TEST_CASE("auth_pass longer than 8 characters is an error, not a truncation") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55
authentication = { auth_type = "PASS", auth_pass = "123456789" }
)") == "t.toml:4:52: error: vrrp_instance.VI_1.authentication.auth_pass: must be at most 8 characters, got 9");
}

TEST_CASE("enum values are exact, with a hint") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
state = "master"
interface = "eth0"
virtual_router_id = 55
)") == "t.toml:2:9: error: vrrp_instance.VI_1.state: must be one of \"MASTER\", \"BACKUP\", got \"master\" (did you "
       "mean \"MASTER\"?)");
}

TEST_CASE("undefined track script, with a suggestion") {
  CHECK(yaml_error(R"(vrrp_script:
  chk_main:
    script: "true"
vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 55
    track_script: [chk_mian]
)") == "t.yaml:8:20: error: vrrp_instance.VI_1.track_script[0]: no vrrp_script named \"chk_mian\" (did you mean "
       "\"chk_main\"?)");
}

TEST_CASE("track script weight beyond keepalived's range") {
  CHECK(toml_error(R"([vrrp_script.chk]
script = "true"
weight = -254
)") == "t.toml:3:10: error: vrrp_script.chk.weight: must be -253..253, got -254");
}

TEST_CASE("command table with a misspelt key") {
  CHECK(toml_error(R"([vrrp_script.chk]
script = { command = "[[ -f /x ]]", shel = "/bin/bash" }
)") == "t.toml:2:37: error: vrrp_script.chk.script.shel: unknown key \"shel\" (did you mean \"shell\"?)");
}

TEST_CASE("command shell must be an absolute path") {
  CHECK(yaml_error(R"(vrrp_script:
  chk:
    script: {command: "true", shell: bash}
)") == "t.yaml:3:38: error: vrrp_script.chk.script.shell: must be an absolute path, got \"bash\"");
}

TEST_CASE("preempt = false cannot work on a MASTER") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
state = "MASTER"
priority = 100
interface = "eth0"
virtual_router_id = 55
preempt = false
)") == "t.toml:6:11: error: vrrp_instance.VI_1.preempt: preempt = false cannot work with state = \"MASTER\"; use "
       "state = \"BACKUP\"");
}

TEST_CASE("sync group member must exist") {
  CHECK(toml_error(R"([vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 55

[vrrp_sync_group.G1]
group = ["VI_1", "VI_2"]
)") == "t.toml:6:18: error: vrrp_sync_group.G1.group[1]: no vrrp_instance named \"VI_2\" (did you mean \"VI_1\"?)");
}

TEST_CASE("two instances on one VRID and interface") {
  CHECK(toml_error(R"([vrrp_instance.A]
interface = "eth0"
virtual_router_id = 55
[vrrp_instance.B]
interface = "eth0"
virtual_router_id = 55
)") == "t.toml:6:21: error: vrrp_instance.B.virtual_router_id: VRID 55 on eth0 (IPv4) is already used by "
       "vrrp_instance A");
}

TEST_CASE("virtual server needs one identity") {
  CHECK(toml_error(R"([[virtual_server]]
ip = "192.0.2.100"
port = 80
fwmark = 7
)") == "t.toml:1:1: error: virtual_server[0]: a virtual_server needs exactly one of ip (with port), fwmark or group");
}

TEST_CASE("real server family must match its service (yaml)") {
  CHECK(yaml_error(R"(virtual_server:
  - ip: 192.0.2.100
    port: 80
    real_server:
      - ip: "2001:db8::10"
        tcp_check: [{connect_timeout: 3}]
)") == "t.yaml:5:13: error: virtual_server[0].real_server[0].ip: 2001:db8::10 is IPv6 but the service is IPv4");
}

TEST_CASE("checker keys are checked per kind") {
  CHECK(toml_error(R"([[virtual_server]]
ip = "192.0.2.100"
port = 80
[[virtual_server.real_server]]
ip = "198.51.100.10"
[[virtual_server.real_server.http_get]]
url = [{ path = "/", status_code = [200, "300-399"] }]
enable_sni = true
)") == "t.toml:8:1: error: virtual_server[0].real_server[0].http_get[0].enable_sni: unknown key \"enable_sni\"");
}

TEST_CASE("the top level must be a table") {
  CHECK(yaml_error("- a\n- b\n") == "t.yaml:1:1: error: the top level must be a table of sections, got an array");
}

TEST_CASE("one YAML document per file") {
  CHECK(yaml_error("global: {}\n---\nglobal: {}\n") ==
        "t.yaml:3:1: error: a config file holds one YAML document, found 2");
}

TEST_CASE("every error of a file is reported, in file order") {
  const auto out = errors(R"([global]
script_shell = "bash"

[vrrp_script.chk_main]
script = "true"
interval = "fast"

[vrrp_instance.VI_1]
interface = "eth0"
virtual_router_id = 256
priority = 0
track_script = ["chk_mian"]
virtual_ipaddress = ["192.0.2.1/33"]
)",
                          Syntax::kToml);
  const std::vector<std::string> want = {
      "t.toml:2:16: error: global.script_shell: must be an absolute path, got \"bash\"",
      "t.toml:6:12: error: vrrp_script.chk_main.interval: invalid duration \"fast\" (use seconds as a number, or a "
      "string with a unit: \"150ms\", \"1.5s\", \"2m\")",
      "t.toml:10:21: error: vrrp_instance.VI_1.virtual_router_id: must be 1..255, got 256",
      "t.toml:11:12: error: vrrp_instance.VI_1.priority: must be 1..255, got 0",
      "t.toml:12:17: error: vrrp_instance.VI_1.track_script[0]: no vrrp_script named \"chk_mian\" (did you mean "
      "\"chk_main\"?)",
      "t.toml:13:22: error: vrrp_instance.VI_1.virtual_ipaddress[0]: invalid IP prefix \"192.0.2.1/33\" (expected "
      "ADDRESS or ADDRESS/LENGTH)",
  };
  CHECK(out == want);
}

TEST_CASE("every error of a yaml file is reported, duplicates included") {
  const auto out = errors(R"(global:
  vrrp_version: 4
vrrp_instance:
  VI_1:
    interface: eth0
    interface: eth1
    virtual_router_id: 55
    unicast_peer: [192.0.2.2, 2001:db8::2]
    unicast_src_ip: 192.0.2.1
)",
                          Syntax::kYaml);
  const std::vector<std::string> want = {
      "t.yaml:2:17: error: global.vrrp_version: must be 2..3, got 4",
      "t.yaml:6:5: error: vrrp_instance.VI_1.interface: duplicate key \"interface\" (first defined at line 5)",
      "t.yaml:8:31: error: vrrp_instance.VI_1.unicast_peer[1]: 2001:db8::2 is IPv6, but the instance is IPv4 (from "
      "its unicast_src_ip)",
  };
  CHECK(out == want);
}

TEST_CASE("notify_fifo_script and vrrp_notify_fifo_script need the FIFOs they read") {
  CHECK(toml_error(R"([global]
vrrp_notify_fifo_script = "/usr/local/bin/read-fifo"
)") == "t.toml:2:27: error: global.vrrp_notify_fifo_script: vrrp_notify_fifo_script needs vrrp_notify_fifo (the "
       "FIFO it reads)");
  CHECK(toml_error(R"([global]
vrrp_notify_fifo = "vrrp.fifo"
notify_fifo_script = "/usr/local/bin/read-fifo"
)") == "t.toml:3:22: error: global.notify_fifo_script: notify_fifo_script needs notify_fifo (the FIFO it reads)");
  const auto loaded = load_string(
      "[global]\nnotify_fifo = \"all.fifo\"\nnotify_fifo_script = \"/bin/reader\"\nvrrp_notify_fifo = \"v.fifo\"\n"
      "vrrp_notify_fifo_script = [\"/bin/reader\", \"--vrrp\"]\n",
      Syntax::kToml, "t.toml");
  REQUIRE(loaded.ok());
  CHECK(loaded.config->global.notify_fifo_script->shell == "/bin/sh");
  CHECK(loaded.config->global.vrrp_notify_fifo_script->argv.back() == "--vrrp");
}

TEST_CASE("lvs_notify_fifo_script needs the FIFO it reads") {
  CHECK(toml_error(R"([global]
lvs_notify_fifo_script = "/usr/local/bin/read-lvs-fifo"
)") == "t.toml:2:26: error: global.lvs_notify_fifo_script: lvs_notify_fifo_script needs lvs_notify_fifo (the FIFO it "
       "reads)");
  CHECK(errors(R"([global]
lvs_notify_fifo = "lvs.fifo"
lvs_notify_fifo_script = ["/usr/local/bin/read-lvs-fifo", "--verbose"]
)",
               Syntax::kToml)
            .empty());
  // A command line runs through global.script_shell, as every other command.
  const auto loaded = load_string(
      "[global]\nlvs_notify_fifo = \"lvs.fifo\"\nlvs_notify_fifo_script = \"/bin/reader\"\n", Syntax::kToml, "t.toml");
  REQUIRE(loaded.ok());
  CHECK(loaded.config->global.lvs_notify_fifo_script->shell == "/bin/sh");
}
