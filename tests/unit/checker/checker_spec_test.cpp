// Resolving checkers from a config: inherited timings, per-kind defaults, targets and numbering.
#include "checker/checker_spec.hpp"

#include <doctest/doctest.h>

#include "config/loader.hpp"

using namespace vigil;
using namespace std::chrono_literals;

namespace {

config::Config load(const char* text) {
  auto loaded = config::load_string(text, config::Syntax::kToml, "test.toml");
  for (const auto& d : loaded.diagnostics) MESSAGE(config::format(d));
  REQUIRE(loaded.ok());
  return *loaded.config;
}

}  // namespace

TEST_CASE("checker spec: inheritance checker > real server > virtual server > kind default") {
  const auto cfg = load(R"(
[[virtual_server]]
ip = "192.0.2.100"
port = 80
delay_loop = "10s"
connect_timeout = "2s"

[[virtual_server.real_server]]
ip = "198.51.100.10"
delay_before_retry = "500ms"
[[virtual_server.real_server.tcp_check]]
[[virtual_server.real_server.http_get]]
retry = 4
connect_port = 8080
url = [{ path = "/" }]
[[virtual_server.real_server.dns_check]]
[[virtual_server.real_server.misc_check]]
misc_path = "true"
[[virtual_server.real_server.tcp_check]]
connect_ip = "198.51.100.99"
warmup = "1s"
alpha = true

[[virtual_server.real_server]]
ip = "198.51.100.11"
port = 8443
[[virtual_server.real_server.ssl_get]]
url = [{ path = "/" }]
[[virtual_server.real_server.dns_check]]
)");
  const auto specs = checker::resolve_checkers(cfg, "host");
  REQUIRE(specs.size() == 7);
  // Numbering: kind order (tcp, http, ssl, misc, smtp, dns, ...), then file order.
  CHECK(std::string(checker::kind_name(specs[0].probe)) == "tcp_check");
  CHECK(std::string(checker::kind_name(specs[1].probe)) == "tcp_check");
  CHECK(std::string(checker::kind_name(specs[2].probe)) == "http_get");
  CHECK(std::string(checker::kind_name(specs[3].probe)) == "misc_check");
  CHECK(std::string(checker::kind_name(specs[4].probe)) == "dns_check");
  for (std::size_t i = 0; i < 5; ++i) CHECK(specs[i].checker == i);
  CHECK(checker::checker_count(cfg.virtual_server[0].real_server[0]) == 5);

  const auto& tcp = specs[0];
  CHECK(tcp.timing.delay_loop == 10s);
  CHECK(tcp.timing.retry == 1);
  CHECK(tcp.timing.delay_before_retry == 500ms);  // the real server's
  CHECK(tcp.timing.connect_timeout == 2s);
  CHECK(tcp.timing.warmup == 10s);  // = delay_loop
  CHECK_FALSE(tcp.timing.alpha);
  CHECK(tcp.target.to_string() == "198.51.100.10");
  CHECK(tcp.port == 80);  // the service's port

  const auto& tcp2 = specs[1];
  CHECK(tcp2.target.to_string() == "198.51.100.99");
  CHECK(tcp2.timing.warmup == 1s);
  CHECK(tcp2.timing.alpha);

  CHECK(specs[2].timing.retry == 4);
  CHECK(specs[2].port == 8080);
  CHECK(specs[3].timing.retry == 0);  // misc default
  CHECK(std::get<checker::MiscProbe>(specs[3].probe).timeout == 10s);
  CHECK(specs[4].timing.retry == 3);  // dns default

  const auto& ssl = specs[5];
  CHECK(ssl.real_server == 1);
  CHECK(ssl.checker == 0);
  CHECK(ssl.port == 8443);
  CHECK(ssl.timing.delay_before_retry == 3s);  // http/ssl default
  CHECK(std::get<checker::HttpProbe>(ssl.probe).tls);
  CHECK(std::get<checker::HttpProbe>(ssl.probe).host_header == "198.51.100.11");
  CHECK(specs[6].timing.delay_before_retry == 10s);  // dns: delay_loop
  CHECK(specs[6].port == 8443);
}

TEST_CASE("checker reload: a checker continues when it probes the same way (table)") {
  const char* base = R"(
[[virtual_server]]
ip = "192.0.2.10"
port = 80
delay_loop = "5s"
[[virtual_server.real_server]]
ip = "198.51.100.1"
  [[virtual_server.real_server.tcp_check]]
  [[virtual_server.real_server.http_get]]
  url = [{ path = "/health" }]
[[virtual_server.real_server]]
ip = "198.51.100.2"
  [[virtual_server.real_server.misc_check]]
  misc_path = "test -e /tmp/rs2"
)";
  const auto old_specs = vigil::checker::resolve_checkers(load(base), "h");
  REQUIRE(old_specs.size() == 3);
  const std::map<vigil::checker::RealServerRef, vigil::checker::RealServerRef> same{{{0, 0}, {0, 0}}, {{0, 1}, {0, 1}}};
  using Match = std::vector<std::optional<std::size_t>>;
  struct Row {
    const char* what;
    std::string text;
    std::map<vigil::checker::RealServerRef, vigil::checker::RealServerRef> moved;
    Match expected;
  };
  auto edit = [&](const std::string& a, const std::string& b) {
    std::string text = base;
    const auto at = text.find(a);
    REQUIRE(at != std::string::npos);
    return text.replace(at, a.size(), b);
  };
  const std::vector<Row> rows{
      {"unchanged", base, same, {0, 1, 2}},
      {"the http path changed", edit("/health", "/ready"), same, {0, std::nullopt, 2}},
      {"the virtual server's delay_loop changed: every inherited timing differs",
       edit("\"5s\"", "\"6s\""),
       same,
       {std::nullopt, std::nullopt, std::nullopt}},
      {"alpha alone changed: still the same probe",
       edit("delay_loop = \"5s\"", "delay_loop = \"5s\"\nalpha = true"),
       same,
       {0, 1, 2}},
      {"the real server is a new one", base, {{{0, 0}, {0, 0}}}, {0, 1, std::nullopt}},
      {"real servers swapped places in the file",
       base,
       {{{0, 0}, {0, 1}}, {{0, 1}, {0, 0}}},
       {std::nullopt, std::nullopt, std::nullopt}},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    const auto new_specs = vigil::checker::resolve_checkers(load(row.text.c_str()), "h");
    CHECK(vigil::checker::match_checkers(old_specs, new_specs, row.moved) == row.expected);
  }
}

TEST_CASE("checker reload: a moved real server takes its checkers along") {
  const auto old_specs = vigil::checker::resolve_checkers(load(R"(
[[virtual_server]]
ip = "192.0.2.10"
port = 80
[[virtual_server.real_server]]
ip = "198.51.100.1"
  [[virtual_server.real_server.tcp_check]]
[[virtual_server.real_server]]
ip = "198.51.100.2"
  [[virtual_server.real_server.tcp_check]]
)"),
                                                          "h");
  const auto new_specs = vigil::checker::resolve_checkers(load(R"(
[[virtual_server]]
ip = "192.0.2.10"
port = 80
[[virtual_server.real_server]]
ip = "198.51.100.2"
  [[virtual_server.real_server.tcp_check]]
[[virtual_server.real_server]]
ip = "198.51.100.1"
  [[virtual_server.real_server.tcp_check]]
)"),
                                                          "h");
  const std::map<vigil::checker::RealServerRef, vigil::checker::RealServerRef> moved{{{0, 0}, {0, 1}},
                                                                                     {{0, 1}, {0, 0}}};
  CHECK(vigil::checker::match_checkers(old_specs, new_specs, moved) == std::vector<std::optional<std::size_t>>{1, 0});
}
