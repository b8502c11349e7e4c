// The converter's output against Vigil's own config loader: it loads, YAML and TOML give one
// model, and the walkthrough's keepalived configs become config-examples/walkthrough.
#include "config/loader.hpp"

#include <doctest/doctest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "kconf_test_support.hpp"
#include "test_support.hpp"

namespace {

namespace fs = std::filesystem;
using vigil::config::Syntax;

const fs::path kFixtures = fs::path(VIGIL_SOURCE_DIR) / "tests/unit/kconf2toml/fixtures";

vigil::kconf::Conversion convert(const fs::path& path, vigil::kconf::Format format) {
  vigil::kconf::ConvertOptions options;
  options.format = format;
  vigil::kconf::DiskFileSource disk;
  return vigil::kconf::convert_file(path.string(), disk, options);
}

std::string errors_of(const vigil::config::LoadResult& result) {
  std::string text;
  for (const auto& d : result.diagnostics) text += vigil::config::format(d) + "\n";
  return text;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (auto pos = text.find(from); pos != std::string::npos; pos = text.find(from, pos + to.size())) {
    text.replace(pos, from.size(), to);
  }
}

}  // namespace

TEST_CASE("every mapped keyword converts to a file the loader accepts, in TOML and in YAML alike") {
  const auto toml = convert(kFixtures / "everything.conf", vigil::kconf::Format::kToml);
  REQUIRE(toml.outcome == vigil::kconf::Outcome::kConverted);
  for (const auto& d : toml.diagnostics) {
    INFO(d.to_string());
    CHECK(d.severity == vigil::kconf::Severity::kNote);  // nothing in this file is outside the schema
  }
  const auto loaded = vigil::config::load_string(toml.text, Syntax::kToml, "everything.toml");
  INFO(toml.text);
  INFO(errors_of(loaded));
  REQUIRE(loaded.ok());
  const auto yaml = convert(kFixtures / "everything.conf", vigil::kconf::Format::kYaml);
  const auto loaded_yaml = vigil::config::load_string(yaml.text, Syntax::kYaml, "everything.yaml");
  INFO(yaml.text);
  INFO(errors_of(loaded_yaml));
  REQUIRE(loaded_yaml.ok());
  CHECK(*loaded.config == *loaded_yaml.config);

  const auto& config = *loaded.config;
  CHECK(config.vrrp_instance.size() == 3);
}

TEST_CASE("the walkthrough's master and backup become config-examples/walkthrough") {
  const fs::path examples = fs::path(VIGIL_SOURCE_DIR) / "config-examples/walkthrough";
  if (!fs::exists(examples / "master.toml")) VIGIL_SKIP("config-examples/walkthrough is not there yet");
  for (const std::string node : {"master", "backup"}) {
    CAPTURE(node);
    auto converted = convert(kFixtures / ("walkthrough-" + node + ".conf"), vigil::kconf::Format::kToml);
    REQUIRE(converted.outcome == vigil::kconf::Outcome::kConverted);
    // The documented differences (config-examples/walkthrough/README.md): the example uses the
    // documentation range for the VIP, example.com mail and /etc/vigil/ paths.
    std::string text = converted.text;
    replace_all(text, "\"172.16.18.100\"", "\"192.0.2.100/24\"");
    replace_all(text, "@localhost", "@example.com");
    replace_all(text, "/etc/keepalived/", "/etc/vigil/");
    const auto mine = vigil::config::load_string(text, Syntax::kToml, node + "-converted.toml");
    INFO(text);
    INFO(errors_of(mine));
    REQUIRE(mine.ok());
    const auto theirs = vigil::config::load_file(examples / (node + ".toml"));
    INFO(errors_of(theirs));
    REQUIRE(theirs.ok());
    CHECK(*mine.config == *theirs.config);
  }
}

TEST_CASE("mail settings and static addresses/routes/rules reach the model the daemon runs") {
  const std::string keepalived =
      "global_defs {\n"
      "  router_id lb1\n"
      "  notification_email {\n    ops@example.com\n    noc@example.com\n  }\n"
      "  notification_email_from vigil@example.com\n"
      "  smtp_server 2001:db8::25 587\n"
      "  smtp_helo_name lb1.example.com\n"
      "  smtp_connect_timeout 7\n"
      "  smtp_alert\n"
      "  smtp_alert_checker off\n"
      "}\n"
      "static_ipaddress {\n"
      "  192.0.2.10/24 dev eth0 label eth0:st scope site\n"
      "  2001:db8::10/64 dev eth0\n"
      "}\n"
      "static_routes {\n"
      "  198.51.100.0/24 via 192.0.2.254 dev eth0 metric 5 table 100 src 192.0.2.10\n"
      "  blackhole 203.0.113.0/24\n"
      "}\n"
      "static_rules {\n"
      "  from 192.0.2.0/24 to 198.51.100.0/24 table 100 priority 1000\n"
      "  fwmark 7 iif eth0 table 100 priority 1001\n"
      "}\n"
      "vrrp_instance VI_1 {\n  interface eth0\n  virtual_router_id 51\n  virtual_ipaddress {\n    192.0.2.100/24\n  }\n"
      "}\n"
      "vrrp_sync_group G1 {\n  group {\n    VI_1\n  }\n  smtp_alert\n}\n";
  vigil::kconf::MemoryFileSource memory;
  vigil::kconf::ConvertOptions options;
  options.format = vigil::kconf::Format::kToml;
  const auto converted = vigil::kconf::convert_text(keepalived, "global.conf", memory, options);
  REQUIRE(converted.outcome == vigil::kconf::Outcome::kConverted);
  for (const auto& d : converted.diagnostics) {
    INFO(d.to_string());
    CHECK(d.severity == vigil::kconf::Severity::kNote);
  }
  const auto loaded = vigil::config::load_string(converted.text, Syntax::kToml, "global.toml");
  INFO(converted.text);
  INFO(errors_of(loaded));
  REQUIRE(loaded.ok());
  const auto& config = *loaded.config;
  const auto& global = config.global;
  CHECK(global.notification_email == std::vector<std::string>{"ops@example.com", "noc@example.com"});
  CHECK(global.notification_email_from == "vigil@example.com");
  REQUIRE(global.smtp_server);
  CHECK(global.smtp_server->host == "2001:db8::25");
  CHECK(global.smtp_server->port == 587);
  CHECK(global.smtp_helo_name == "lb1.example.com");
  CHECK(global.smtp_connect_timeout == std::chrono::seconds(7));
  CHECK(global.smtp_alert);
  CHECK(global.smtp_alert_vrrp);  // follows smtp_alert
  CHECK_FALSE(global.smtp_alert_checker);
  CHECK(config.vrrp_instance.at("VI_1").smtp_alert);
  CHECK(config.vrrp_sync_group.at("G1").smtp_alert);

  REQUIRE(config.static_ipaddress.size() == 2);
  CHECK(config.static_ipaddress[0].label == "eth0:st");
  CHECK(config.static_ipaddress[0].scope == vigil::config::AddressScope::kSite);
  CHECK(config.static_ipaddress[1].address.address.is_v6());
  REQUIRE(config.static_routes.size() == 2);
  CHECK(config.static_routes[0].table == 100);
  CHECK(config.static_routes[0].metric == 5u);
  CHECK(config.static_routes[0].src->to_string() == "192.0.2.10");
  CHECK(config.static_routes[1].type == vigil::config::RouteType::kBlackhole);
  REQUIRE(config.static_rules.size() == 2);
  CHECK(config.static_rules[0].to->to_string() == "198.51.100.0/24");
  CHECK(config.static_rules[0].priority == 1000u);
  CHECK(config.static_rules[1].fwmark == 7u);
  CHECK(config.static_rules[1].iif == "eth0");
}
