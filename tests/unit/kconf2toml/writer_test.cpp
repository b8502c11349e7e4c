// TOML and YAML text: layout, quoting, comments, determinism.
#include <doctest/doctest.h>

#include "kconf_test_support.hpp"

using namespace kconf_test;

TEST_CASE("TOML: scalars before sections, quoted keys, inline trackers, sections for servers") {
  Value root = Value::table();
  Value& vi = root.child("vrrp_instance").child("4.0.1.1");
  vi.comments.push_back("from k.conf:3");
  vi.set("priority", Value::integer(100));
  vi.set("name", Value::string("a \"q\"\n"));
  Value refs = Value::array();
  refs.prefer_inline = true;
  Value ref = Value::table();
  ref.set("name", Value::string("chk"));
  ref.set("weight", Value::integer(-2));
  refs.push(std::move(ref));
  vi.set("track_script", std::move(refs));
  Value servers = Value::array();
  Value rs = Value::table();
  rs.set("ip", Value::string("192.0.2.1"));
  servers.push(std::move(rs));
  root.set("virtual_server", std::move(servers));
  const std::string toml = vigil::kconf::to_toml(root);
  CHECK(toml ==
        "\n# from k.conf:3\n[vrrp_instance.\"4.0.1.1\"]\npriority = 100\nname = \"a \\\"q\\\"\\n\"\n"
        "track_script = [{ name = \"chk\", weight = -2 }]\n\n[[virtual_server]]\nip = \"192.0.2.1\"\n");
}

TEST_CASE("YAML: block mappings and sequences, every string quoted") {
  Value root = Value::table();
  Value& vi = root.child("vrrp_instance").child("yes");
  vi.set("priority", Value::integer(100));
  Value vips = Value::array();
  vips.push(Value::string("192.0.2.1/24"));
  vi.set("virtual_ipaddress", std::move(vips));
  Value servers = Value::array();
  Value rs = Value::table();
  rs.set("ip", Value::string("192.0.2.1"));
  rs.set("port", Value::integer(80));
  servers.push(std::move(rs));
  root.set("virtual_server", std::move(servers));
  CHECK(vigil::kconf::to_yaml(root) ==
        "vrrp_instance:\n  \"yes\":\n    priority: 100\n    virtual_ipaddress:\n      - \"192.0.2.1/24\"\n"
        "virtual_server:\n  - ip: \"192.0.2.1\"\n    port: 80\n");
}

TEST_CASE("the converted text is deterministic and names its source lines") {
  const std::string conf = "vrrp_instance VI_1 {\n interface eth0\n virtual_router_id 5\n state MASTER\n}\n";
  const auto first = toml_of(conf);
  CHECK(first == toml_of(conf));
  CHECK(first.find("# from k.conf:1\n[vrrp_instance.VI_1]") != std::string::npos);
  CHECK(first.find("priority = 255") != std::string::npos);
}

TEST_CASE("--strict turns warnings into errors and the outcome into 'converted with errors'") {
  vigil::kconf::ConvertOptions options;
  options.strict = true;
  vigil::kconf::MemoryFileSource files;
  const auto clean = vigil::kconf::convert_text("vrrp_script s {\n script /bin/true\n}\n", "k.conf", files, options);
  CHECK(clean.outcome == vigil::kconf::Outcome::kConverted);
  const auto warned = vigil::kconf::convert_text("global_defs {\n enable_traps\n}\n", "k.conf", files, options);
  CHECK(warned.outcome == vigil::kconf::Outcome::kConvertedWithErrors);
  CHECK(exit_code(warned.outcome) == 1);
  CHECK(has_diagnostic(warned.diagnostics, Severity::kError, "'enable_traps' is not supported", 2));
  const auto broken = vigil::kconf::convert_text("a {\n", "k.conf", files, options);
  CHECK(broken.outcome == vigil::kconf::Outcome::kUnreadable);
  CHECK(broken.text.empty());
}

TEST_CASE("YAML: notes of a table in a list go above its dash, nested lists") {
  Value root = Value::table();
  Value list = Value::array();
  Value item = Value::table();
  item.notes.push_back("kconf2toml: dropped x");
  item.set("ip", Value::string("192.0.2.1"));
  Value codes = Value::array();
  codes.push(Value::integer(200));
  codes.push(Value::string("300-399"));
  item.set("status_code", std::move(codes));
  list.push(std::move(item));
  root.set("servers", std::move(list));
  CHECK(vigil::kconf::to_yaml(root) ==
        "servers:\n  # kconf2toml: dropped x\n  - ip: \"192.0.2.1\"\n    status_code:\n      - 200\n      - "
        "\"300-399\"\n");
}
