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
