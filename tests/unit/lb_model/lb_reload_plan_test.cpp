// SIGHUP for virtual servers: which new virtual and real server continues which old one.
#include "engine/lb_reload_plan.hpp"

#include <doctest/doctest.h>

#include <string>

#include "toml_config.hpp"

using namespace vigil;

namespace {

const auto& load = testing::load_toml;

const char* kBase = R"(
[virtual_server_group.web]
members = [{ ip = "192.0.2.20", port = 80 }]

[[virtual_server]]
ip = "192.0.2.10"
port = 80
lvs_sched = "wrr"
[[virtual_server.real_server]]
ip = "198.51.100.1"
weight = 3
[[virtual_server.real_server]]
ip = "198.51.100.2"
port = 8080

[[virtual_server]]
fwmark = 7
[[virtual_server.real_server]]
ip = "198.51.100.3"

[[virtual_server]]
group = "web"
[[virtual_server.real_server]]
ip = "198.51.100.4"
)";

}  // namespace

TEST_CASE("lb reload plan: identities of virtual and real servers") {
  const auto config = load(kBase);
  CHECK(engine::identity_of(config.virtual_server[0]) == "TCP 192.0.2.10:80");
  CHECK(engine::identity_of(config.virtual_server[1]) == "FWM 7 inet");
  CHECK(engine::identity_of(config.virtual_server[2]) == "group web");
  CHECK(engine::identity_of(config.virtual_server[0].real_server[0]) == "198.51.100.1");
  CHECK(engine::identity_of(config.virtual_server[0].real_server[1]) == "198.51.100.2:8080");
}

TEST_CASE("lb reload plan: the same config is all unchanged") {
  const auto config = load(kBase);
  const auto plan = engine::plan_lb_reload(config, config);
  CHECK(plan.virtual_server_from == std::vector<std::optional<std::size_t>>{0, 1, 2});
  CHECK(plan.real_server_from[0] == std::vector<std::optional<std::size_t>>{0, 1});
  CHECK(plan.removed_virtual_servers.empty());
  CHECK(plan.unchanged_virtual_servers == 3);
  CHECK(plan.summary() ==
        "3 unchanged, 0 changed in place, 0 added, 0 removed virtual servers; 0 real servers added, 0 removed");
}

TEST_CASE("lb reload plan: settings are edits, identities are adds and removes (table)") {
  struct Row {
    const char* what;
    std::string from;
    std::string to;
    std::vector<std::optional<std::size_t>> virtual_server_from;
    std::vector<std::optional<std::size_t>> real_server_from_first;  // of the first new virtual server
    std::vector<std::size_t> removed;
    std::size_t changed;
  };
  const std::string base = kBase;
  auto replace = [&](std::string text, const std::string& a, const std::string& b) {
    const auto at = text.find(a);
    REQUIRE(at != std::string::npos);
    return text.replace(at, a.size(), b);
  };
  const std::vector<Row> rows{
      {"weight changed: same objects, one changed",
       base,
       replace(base, "weight = 3", "weight = 5"),
       {0, 1, 2},
       {0, 1},
       {},
       1},
      {"scheduler changed", base, replace(base, "lvs_sched = \"wrr\"", "lvs_sched = \"rr\""), {0, 1, 2}, {0, 1}, {}, 1},
      {"real server port changed: a new real server",
       base,
       replace(base, "port = 8080", "port = 8081"),
       {0, 1, 2},
       {0, std::nullopt},
       {},
       1},
      {"virtual server port changed: a new virtual server",
       base,
       replace(base, "port = 80\n", "port = 81\n"),
       {std::nullopt, 1, 2},
       {std::nullopt, std::nullopt},
       {0},
       0},
      {"group member changed: same virtual server, changed",
       base,
       replace(base, "\"192.0.2.20\", port = 80", "\"192.0.2.21\", port = 80"),
       {0, 1, 2},
       {0, 1},
       {},
       1},
  };
  for (const auto& row : rows) {
    CAPTURE(row.what);
    const auto plan = engine::plan_lb_reload(load(row.from), load(row.to));
    CHECK(plan.virtual_server_from == row.virtual_server_from);
    CHECK(plan.real_server_from.at(0) == row.real_server_from_first);
    CHECK(plan.removed_virtual_servers == row.removed);
    CHECK(plan.changed_virtual_servers == row.changed);
  }
}

TEST_CASE("lb reload plan: virtual servers reordered, one removed, one added, real servers reordered") {
  const auto before = load(kBase);
  const auto after = load(R"(
[virtual_server_group.web]
members = [{ ip = "192.0.2.20", port = 80 }]

[[virtual_server]]
group = "web"
[[virtual_server.real_server]]
ip = "198.51.100.4"

[[virtual_server]]
ip = "192.0.2.10"
port = 80
lvs_sched = "wrr"
[[virtual_server.real_server]]
ip = "198.51.100.2"
port = 8080
[[virtual_server.real_server]]
ip = "198.51.100.9"
[[virtual_server.real_server]]
ip = "198.51.100.1"
weight = 3

[[virtual_server]]
ip = "192.0.2.11"
port = 443
[[virtual_server.real_server]]
ip = "198.51.100.5"
)");
  const auto plan = engine::plan_lb_reload(before, after);
  CHECK(plan.virtual_server_from == std::vector<std::optional<std::size_t>>{2, 0, std::nullopt});
  CHECK(plan.real_server_from[0] == std::vector<std::optional<std::size_t>>{0});
  CHECK(plan.real_server_from[1] == std::vector<std::optional<std::size_t>>{1, std::nullopt, 0});
  CHECK(plan.real_server_from[2] == std::vector<std::optional<std::size_t>>{std::nullopt});
  CHECK(plan.removed_virtual_servers == std::vector<std::size_t>{1});
  CHECK(plan.added_real_servers == 1);  // in the virtual servers that continue
  CHECK(plan.summary() ==
        "1 unchanged, 1 changed in place, 1 added, 1 removed virtual servers; 1 real servers added, 0 removed");
}
