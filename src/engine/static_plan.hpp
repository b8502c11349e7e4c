#pragma once
// The pure half of static addresses, routes and rules: which entries a reload removes, adds or
// leaves alone. No I/O: StaticNetwork (static_network.hpp) carries the plan out over netlink.
#include <string>
#include <vector>

#include "config/model.hpp"

namespace vigil::engine {

struct StaticSet {
  std::vector<config::AddressEntry> addresses;
  std::vector<config::RouteEntry> routes;
  std::vector<config::RuleEntry> rules;
  friend bool operator==(const StaticSet&, const StaticSet&) = default;
};

// The static_* tables of `config`, with `global.default_interface` filled into addresses without
// `dev`, so two configs that differ only in how a device was named compare equal.
[[nodiscard]] StaticSet static_set_of(const config::Config& config);

// A reload: `remove` goes first (an entry changing an attribute is removed and added again, and
// its old kernel object must be gone before the new one can be created), then `add`. Entries in
// both configs land in `keep` and are not touched. Duplicates in `next` are planned once.
struct StaticPlan {
  StaticSet remove;
  StaticSet add;
  StaticSet keep;
};
[[nodiscard]] StaticPlan plan_static_reload(const StaticSet& current, const StaticSet& next);

// "192.0.2.10/24 dev eth0", "198.51.100.0/24 via 192.0.2.1 table 100 metric 5", "from 192.0.2.0/24 table 100"
// for log lines.
[[nodiscard]] std::string describe(const config::AddressEntry& entry);
[[nodiscard]] std::string describe(const config::RouteEntry& entry);
[[nodiscard]] std::string describe(const config::RuleEntry& entry);

}  // namespace vigil::engine
