#pragma once
// Maps the config model (what the operator wrote) onto the VRRP core's own InstanceConfig
// (what the protocol needs), and the address/route/rule tables onto netlink requests.
#include <string>
#include <vector>

#include "config/model.hpp"
#include "net/netlink/address.hpp"
#include "net/netlink/route.hpp"
#include "vrrp/config.hpp"

namespace vigil::engine {

// The core config for `instance`, after vrrp::normalize(); `problems` receives what normalize
// adjusted (the config loader has already refused everything fatal).
[[nodiscard]] vrrp::InstanceConfig to_core_config(const config::VrrpInstance& instance,
                                                  std::vector<vrrp::ConfigProblem>* problems = nullptr);

// Netlink requests; `ifindex` is the resolved `dev` (or the instance's interface / VMAC).
[[nodiscard]] net::netlink::AddressSpec to_address_spec(const config::AddressEntry& entry, int ifindex);
[[nodiscard]] net::netlink::RouteSpec to_route_spec(const config::RouteEntry& entry, int ifindex);
[[nodiscard]] net::netlink::RuleSpec to_rule_spec(const config::RuleEntry& entry);

}  // namespace vigil::engine
