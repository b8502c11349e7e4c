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
