#include "engine/core_config.hpp"

#include <chrono>

namespace vigil::engine {

namespace {

net::netlink::Scope to_netlink_scope(config::AddressScope scope) {
  switch (scope) {
    case config::AddressScope::kGlobal: return net::netlink::Scope::kUniverse;
    case config::AddressScope::kSite: return net::netlink::Scope::kSite;
    case config::AddressScope::kLink: return net::netlink::Scope::kLink;
    case config::AddressScope::kHost: return net::netlink::Scope::kHost;
    case config::AddressScope::kNowhere: return net::netlink::Scope::kNowhere;
  }
  return net::netlink::Scope::kUniverse;
}

}  // namespace

vrrp::InstanceConfig to_core_config(const config::VrrpInstance& instance, std::vector<vrrp::ConfigProblem>* problems) {
  vrrp::InstanceConfig core;
  core.name = instance.name;
  core.vrid = instance.virtual_router_id;
  core.version = instance.version == 3 ? vrrp::Version::kV3 : vrrp::Version::kV2;
  core.family = instance.family;
  core.priority = instance.priority;  // the loader resolved keepalived's "MASTER means 255" rule
  core.initial_state =
      instance.state == config::InitialState::kMaster ? vrrp::InitialState::kMaster : vrrp::InitialState::kBackup;
  core.advert_interval = std::chrono::duration_cast<vrrp::Centiseconds>(instance.advert_int);
  core.preempt = instance.preempt;
  core.preempt_delay = instance.preempt_delay;
  if (instance.authentication) {
    core.auth_type = vrrp::AuthType::kPass;
    core.auth_pass = instance.authentication->auth_pass;
  }
  for (const auto& vip : instance.virtual_ipaddress) core.vips.push_back(vip.address);
  for (const auto& vip : instance.virtual_ipaddress_excluded) core.excluded.push_back(vip.address);
  for (const auto& peer : instance.unicast_peer) core.unicast_peers.push_back(peer.address);
  core.unicast_source = instance.unicast_src_ip;
  core.accept = instance.accept;
  core.lower_prio_no_advert = instance.lower_prio_no_advert;
  core.v3_checksum_as_v2 = instance.v3_checksum_as_v2;
  core.down_timer_adverts = instance.down_timer_adverts;
  core.garp.master_delay = instance.garp_master_delay;
  core.garp.master_repeat = instance.garp_master_repeat;
  core.garp.master_refresh = instance.garp_master_refresh;
  core.garp.master_refresh_repeat = instance.garp_master_refresh_repeat;
  core.garp.lower_prio_repeat = instance.garp_lower_prio_repeat;
  auto normalized = vrrp::normalize(std::move(core));
  if (problems) *problems = std::move(normalized.problems);
  return std::move(normalized.config);
}

net::netlink::AddressSpec to_address_spec(const config::AddressEntry& entry, int ifindex) {
  net::netlink::AddressSpec spec;
  spec.ifindex = ifindex;
  spec.prefix = entry.address;
  spec.label = entry.label.value_or("");
  spec.scope = to_netlink_scope(entry.scope);
  spec.broadcast = entry.broadcast;
  // IPv6 VIPs must be usable at once: a tentative address cannot source adverts or NAs.
  spec.nodad = entry.address.address.is_v6();
  return spec;
}

net::netlink::RouteSpec to_route_spec(const config::RouteEntry& entry, int ifindex) {
  net::netlink::RouteSpec spec;
  if (entry.to) {
    spec.destination = *entry.to;
  } else {
    spec.destination = IpPrefix{entry.family == Family::kIPv4 ? IpAddress::v4({0, 0, 0, 0}) : IpAddress::v6({}), 0};
  }
  spec.gateway = entry.via;
  spec.ifindex = ifindex;
  spec.preferred_source = entry.src;
  spec.table = entry.table;
  spec.metric = entry.metric;
  if (entry.scope) spec.scope = to_netlink_scope(*entry.scope);
  spec.protocol = entry.protocol;
  switch (entry.type) {
    case config::RouteType::kUnicast:
    case config::RouteType::kLocal: spec.type = net::netlink::RouteType::kUnicast; break;
    case config::RouteType::kBlackhole: spec.type = net::netlink::RouteType::kBlackhole; break;
    case config::RouteType::kUnreachable: spec.type = net::netlink::RouteType::kUnreachable; break;
    case config::RouteType::kProhibit: spec.type = net::netlink::RouteType::kProhibit; break;
  }
  return spec;
}

net::netlink::RuleSpec to_rule_spec(const config::RuleEntry& entry) {
  net::netlink::RuleSpec spec;
  spec.family = entry.family;
  spec.from = entry.from;
  spec.to = entry.to;
  spec.iif = entry.iif.value_or("");
  spec.oif = entry.oif.value_or("");
  spec.fwmark = entry.fwmark;
  spec.fwmask = entry.fwmask;
  spec.table = entry.table.value_or(0);
  spec.priority = entry.priority;
  switch (entry.action) {
    case config::RuleAction::kToTable: spec.action = net::netlink::RuleAction::kLookup; break;
    case config::RuleAction::kBlackhole: spec.action = net::netlink::RuleAction::kBlackhole; break;
    case config::RuleAction::kUnreachable: spec.action = net::netlink::RuleAction::kUnreachable; break;
    case config::RuleAction::kProhibit: spec.action = net::netlink::RuleAction::kProhibit; break;
  }
  return spec;
}

}  // namespace vigil::engine
