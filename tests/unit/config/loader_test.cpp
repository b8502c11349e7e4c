// Good inputs: the examples, defaults, the command and duration rules, TOML == YAML, the JSON
// Schema kept in sync, and host checks that only warn.
#include "config/loader.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

using namespace std::chrono_literals;
using vigil::IpAddress;
using vigil::IpPrefix;
using vigil::config::CommandKind;
using vigil::config::Config;
using vigil::config::format;
using vigil::config::InitialState;
using vigil::config::load_file;
using vigil::config::load_string;
using vigil::config::LoadResult;
using vigil::config::Severity;
using vigil::config::Syntax;

namespace {

std::string all(const LoadResult& result) {
  std::string out;
  for (const auto& diagnostic : result.diagnostics) out += format(diagnostic) + "\n";
  return out;
}

Config load_ok(std::string_view text, Syntax syntax) {
  const auto result = load_string(text, syntax, syntax == Syntax::kToml ? "t.toml" : "t.yaml");
  INFO(all(result));
  REQUIRE(result.ok());
  return *result.config;
}

const std::filesystem::path kExamples = std::filesystem::path(VIGIL_SOURCE_DIR) / "config-examples";

}  // namespace

TEST_CASE("every example loads without error, and its TOML and YAML twins are equal") {
  std::size_t pairs = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kExamples)) {
    if (entry.path().extension() != ".toml") continue;
    auto yaml = entry.path();
    yaml.replace_extension(".yaml");
    INFO(entry.path().string());
    REQUIRE(std::filesystem::exists(yaml));
    const auto from_toml = load_file(entry.path());
    const auto from_yaml = load_file(yaml);
    INFO(all(from_toml) << all(from_yaml));
    REQUIRE(from_toml.ok());
    REQUIRE(from_yaml.ok());
    CHECK(from_toml.diagnostics.empty());
    CHECK(from_yaml.diagnostics.empty());
    CHECK(*from_toml.config == *from_yaml.config);
    ++pairs;
  }
  CHECK(pairs >= 2);
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kExamples)) {
    if (entry.path().extension() != ".yaml") continue;
    auto toml = entry.path();
    toml.replace_extension(".toml");
    INFO(entry.path().string());
    CHECK(std::filesystem::exists(toml));
  }
}

TEST_CASE("the walkthrough master means what the walkthrough says") {
  const auto result = load_file(kExamples / "walkthrough" / "master.toml");
  REQUIRE(result.ok());
  const Config& config = *result.config;
  CHECK(config.global.router_id == "LVS_DEVEL");
  CHECK(config.global.notification_email == std::vector<std::string>{"root@example.com"});
  REQUIRE(config.global.smtp_server);
  CHECK(config.global.smtp_server->host == "127.0.0.1");
  CHECK(config.global.smtp_server->port == 25);
  CHECK(config.global.smtp_connect_timeout == 30s);

  const auto& script = config.vrrp_script.at("chk_main");
  CHECK(script.script.kind == CommandKind::kShell);
  CHECK(script.script.exec_argv() ==
        std::vector<std::string>{"/bin/bash", "-c", "[[ -f /etc/vigil/down ]] && exit 1 || exit 0"});
  CHECK(script.interval == 1s);
  CHECK(script.timeout == 1s);
  CHECK(script.weight == -2);

  const auto& instance = config.vrrp_instance.at("VI_1");
  CHECK(instance.name == "VI_1");
  CHECK(instance.state == InitialState::kMaster);
  CHECK(instance.interface == "eth0");
  CHECK(instance.virtual_router_id == 157);
  CHECK(instance.priority == 100);
  CHECK(instance.version == 2);
  CHECK(instance.advert_int == 1s);
  REQUIRE(instance.authentication);
  CHECK(instance.authentication->auth_pass == "1111");
  REQUIRE(instance.virtual_ipaddress.size() == 1);
  CHECK(instance.virtual_ipaddress[0].address == *IpPrefix::parse("192.0.2.100/24"));
  REQUIRE(instance.track_script.size() == 1);
  CHECK(instance.track_script[0].name == "chk_main");
  CHECK_FALSE(instance.track_script[0].weight);
  REQUIRE(instance.notify_master);
  CHECK(instance.notify_master->exec_argv() ==
        std::vector<std::string>{"/bin/sh", "-c", "/etc/vigil/notify.sh master"});
  CHECK(instance.garp_master_delay == 5s);
  CHECK(instance.garp_master_repeat == 5);
  CHECK(instance.preempt);
  CHECK(instance.origin.where.line == 22);
  CHECK(config.locations.find("vrrp_instance.VI_1.interface").line == 24);
}

TEST_CASE("keepalived defaults, and a MASTER without priority is 255 with a warning") {
  const auto result = load_string(R"([vrrp_instance.VI_1]
state = "MASTER"
interface = "eth0"
virtual_router_id = 1
)",
                                  Syntax::kToml, "t.toml");
  REQUIRE(result.ok());
  const auto& instance = result.config->vrrp_instance.at("VI_1");
  CHECK(instance.priority == 255);
  CHECK(instance.advert_int == 1s);
  CHECK(instance.version == 2);
  CHECK(instance.preempt);
  REQUIRE(result.diagnostics.size() == 1);
  CHECK(format(result.diagnostics[0]) ==
        "t.toml:2:9: warning: vrrp_instance.VI_1.state: state = \"MASTER\" without priority: priority is 255 "
        "(address owner), as in keepalived; set priority to choose another");

  const Config backup = load_ok("vrrp_instance:\n  VI_1: {interface: eth0, virtual_router_id: 1}\n", Syntax::kYaml);
  CHECK(backup.vrrp_instance.at("VI_1").priority == 100);
  CHECK(backup.vrrp_instance.at("VI_1").state == InitialState::kBackup);
}

TEST_CASE("IPv6 instances default to VRRPv3, and inherit global defaults") {
  const Config config = load_ok(R"(
global:
  vrrp_garp_master_delay: 2s
  v3_checksum_as_v2: true
vrrp_instance:
  VI_6:
    interface: eth0
    virtual_router_id: 60
    advert_int: 0.1
    virtual_ipaddress: ["2001:db8::100/64"]
)",
                                Syntax::kYaml);
  const auto& instance = config.vrrp_instance.at("VI_6");
  CHECK(instance.version == 3);
  CHECK(instance.family == vigil::Family::kIPv6);
  CHECK(instance.advert_int == 100ms);
  CHECK(instance.garp_master_delay == 2s);
  CHECK(instance.garp_lower_prio_delay == 2s);
  CHECK(instance.v3_checksum_as_v2);
}

TEST_CASE("one duration rule: numbers are seconds, strings may carry a unit") {
  const Config a = load_ok(R"([vrrp_script.s]
script = "true"
interval = 0.15
timeout = "2m"
)",
                           Syntax::kToml);
  const Config b = load_ok("vrrp_script:\n  s: {script: \"true\", interval: 150ms, timeout: 120}\n", Syntax::kYaml);
  CHECK(a.vrrp_script.at("s").interval == 150ms);
  CHECK(a.vrrp_script.at("s").timeout == 120s);
  CHECK(a == b);
}

TEST_CASE("three command forms: shell line, argv, line with its own shell") {
  const Config config = load_ok(R"(
global:
  script_shell: /bin/dash
vrrp_script:
  line: {script: "test -f /x && exit 1"}
  argv: {script: [/usr/bin/test, -f, /x]}
  bash: {script: {command: "[[ -f /x ]]", shell: /bin/bash}}
)",
                                Syntax::kYaml);
  const auto& line = config.vrrp_script.at("line").script;
  CHECK(line.kind == CommandKind::kShell);
  CHECK(line.exec_argv() == std::vector<std::string>{"/bin/dash", "-c", "test -f /x && exit 1"});
  const auto& argv = config.vrrp_script.at("argv").script;
  CHECK(argv.kind == CommandKind::kExec);
  CHECK(argv.exec_argv() == std::vector<std::string>{"/usr/bin/test", "-f", "/x"});
  CHECK(argv.display() == "/usr/bin/test -f /x");
  const auto& bash = config.vrrp_script.at("bash").script;
  CHECK(bash.exec_argv() == std::vector<std::string>{"/bin/bash", "-c", "[[ -f /x ]]"});
}

TEST_CASE("yaml scalars follow YAML 1.2: 010 is ten, quoted numbers are strings") {
  const Config config = load_ok(R"(vrrp_instance:
  VI_1:
    interface: eth0
    virtual_router_id: 010
    priority: 0x10
    authentication: {auth_type: PASS, auth_pass: "0010"}
)",
                                Syntax::kYaml);
  CHECK(config.vrrp_instance.at("VI_1").virtual_router_id == 10);
  CHECK(config.vrrp_instance.at("VI_1").priority == 16);
  CHECK(config.vrrp_instance.at("VI_1").authentication->auth_pass == "0010");
}

TEST_CASE("an empty file is a valid config") {
  CHECK(load_ok("", Syntax::kToml) == Config{});
  CHECK(load_ok("", Syntax::kYaml) == Config{});
  CHECK(load_ok("# nothing\n", Syntax::kYaml) == Config{});
}

TEST_CASE("load_file picks the syntax from the extension and names unreadable files") {
  const auto missing = load_file("/nonexistent/vigil.toml");
  CHECK_FALSE(missing.ok());
  REQUIRE(missing.diagnostics.size() == 1);
  CHECK(format(missing.diagnostics[0]) == "/nonexistent/vigil.toml: error: cannot open the file for reading");
  const auto unknown = load_file("/etc/vigil/vigil.conf");
  REQUIRE(unknown.diagnostics.size() == 1);
  CHECK(format(unknown.diagnostics[0]) ==
        "/etc/vigil/vigil.conf: error: unknown config syntax: the file name must end in .toml, .yaml or .yml");
}

TEST_CASE("the fixtures directory: a bad file reports all its errors through load_file") {
  const auto path = std::filesystem::path(VIGIL_SOURCE_DIR) / "tests/config/bad_walkthrough.yaml";
  const auto result = load_file(path);
  CHECK_FALSE(result.ok());
  std::vector<std::string> got;
  for (const auto& diagnostic : result.diagnostics) got.push_back(format(diagnostic));
  const std::string file = path.string();
  const std::vector<std::string> want = {
      file + ":6:24: error: vrrp_instance.VI_1.virtual_router_id: must be 1..255, got 555",
      file + ":7:15: error: vrrp_instance.VI_1.priority: expected an integer, got a string (\"high\")",
      file +
          ":9:5: error: vrrp_instance.VI_1.authentification: unknown key \"authentification\" (did you mean "
          "\"authentication\"?)",
      file + ":11:14: error: vrrp_instance.VI_1.preempt: expected true or false, got a string (\"yes\")",
      file + ":12:5: error: vrrp_instance.VI_1.priority: duplicate key \"priority\" (first defined at line 7)",
  };
  CHECK(got == want);
}

TEST_CASE("the JSON Schema is generated from the descriptors and committed as docs/vigil.schema.json") {
  const auto path = std::filesystem::path(VIGIL_SOURCE_DIR) / "docs/vigil.schema.json";
  std::ifstream in(path, std::ios::binary);
  REQUIRE_MESSAGE(in.good(), "missing " << path);
  std::ostringstream committed;
  committed << in.rdbuf();
  const bool same = committed.str() == vigil::config::json_schema();
  CHECK_MESSAGE(same,
                "docs/vigil.schema.json is stale; regenerate it with: cmake --build BUILD --target "
                "vigil_schema_gen && BUILD/src/config/vigil_schema_gen docs/vigil.schema.json");
}

TEST_CASE("the JSON Schema knows every top-level section and the fixed rules") {
  const std::string schema = vigil::config::json_schema();
  for (const char* key : {"\"global\"", "\"vrrp_script\"", "\"track_file\"", "\"track_process\"", "\"vrrp_instance\"",
                          "\"vrrp_sync_group\"", "\"static_ipaddress\"", "\"static_routes\"", "\"static_rules\"",
                          "\"ssl\"", "\"virtual_server_group\"", "\"virtual_server\"", "\"command\"", "\"duration\"",
                          "\"additionalProperties\": false", "http://json-schema.org/draft-07/schema#"}) {
    CHECK_MESSAGE(schema.find(key) != std::string::npos, key);
  }
}

TEST_CASE("check_host only warns: a missing interface and a missing script") {
  const Config config = load_ok(R"([vrrp_instance.VI_1]
interface = "vgnosuchif0"
virtual_router_id = 55
notify_master = "/nonexistent/notify.sh master"
)",
                                Syntax::kToml);
  const auto warnings = vigil::config::check_host(config);
  std::vector<std::string> got;
  for (const auto& diagnostic : warnings) {
    CHECK(diagnostic.severity == Severity::kWarning);
    got.push_back(format(diagnostic));
  }
  const std::vector<std::string> want = {
      "t.toml:2:13: warning: vrrp_instance.VI_1.interface: interface vgnosuchif0 does not exist on this host",
      "t.toml:4:17: warning: vrrp_instance.VI_1.notify_master: script /nonexistent/notify.sh is not an executable "
      "file on this host",
  };
  CHECK(got == want);
  CHECK_FALSE(vigil::config::has_errors(warnings));
}

TEST_CASE("check_host is quiet when the host has what the config names") {
  const Config config = load_ok(R"([vrrp_instance.VI_1]
interface = "lo"
virtual_router_id = 55
notify = ["/bin/true"]
)",
                                Syntax::kToml);
  CHECK(vigil::config::check_host(config).empty());
}

TEST_CASE("source locations do not make models unequal") {
  const Config a = load_ok("[vrrp_instance.A]\ninterface = \"eth0\"\nvirtual_router_id = 1\n", Syntax::kToml);
  const Config b = load_ok("\n\n[vrrp_instance.A]\nvirtual_router_id = 1\ninterface = \"eth0\"\n", Syntax::kToml);
  CHECK(a.vrrp_instance.at("A").origin.where.line != b.vrrp_instance.at("A").origin.where.line);
  CHECK(a == b);
}

TEST_CASE("truncated and corrupted examples give diagnostics, never an exception or a crash") {
  std::size_t loads = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(kExamples)) {
    const auto extension = entry.path().extension();
    if (extension != ".toml" && extension != ".yaml") continue;
    const Syntax syntax = extension == ".toml" ? Syntax::kToml : Syntax::kYaml;
    std::ifstream in(entry.path(), std::ios::binary);
    std::ostringstream text;
    text << in.rdbuf();
    const std::string whole = text.str();
    for (std::size_t cut = 0; cut < whole.size(); cut += 5) {
      std::string damaged = whole.substr(0, cut);
      CHECK_NOTHROW((void)load_string(damaged, syntax, "cut"));
      if (cut < whole.size()) {
        damaged = whole;
        damaged[cut] = "]:\"{#-x 9"[cut % 9];
        CHECK_NOTHROW((void)load_string(damaged, syntax, "flip"));
      }
      loads += 2;
    }
  }
  CHECK(loads > 500);
}
