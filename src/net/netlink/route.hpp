#pragma once
// Routes and policy-routing rules that Vigil installs (keepalived's virtual_routes / virtual_rules).
#include <cstdint>
#include <optional>
#include <string>

#include "base/ip_address.hpp"
#include "net/netlink/address.hpp"

namespace vigil::net::netlink {

inline constexpr std::uint32_t kMainTable = 254;  // RT_TABLE_MAIN

enum class RouteType : std::uint8_t { kUnicast, kBlackhole, kUnreachable, kProhibit };
[[nodiscard]] const char* to_string(RouteType type);

struct RouteSpec {
  IpPrefix destination{};  // 0.0.0.0/0 or ::/0 for a default route; gives the route's family
  std::optional<IpAddress> gateway{};
  int ifindex = 0;  // output device; 0: none
  std::optional<IpAddress> preferred_source{};
  std::uint32_t table = kMainTable;
  std::optional<std::uint32_t> metric{};
  // Left empty, add uses what `ip route add` would (link scope for a device route without a
  // gateway, universe otherwise; protocol "static") and remove matches any value.
  std::optional<Scope> scope{};
  std::optional<std::uint8_t> protocol{};  // RTPROT_*
  RouteType type = RouteType::kUnicast;
};

enum class RuleAction : std::uint8_t { kLookup, kBlackhole, kUnreachable, kProhibit };
[[nodiscard]] const char* to_string(RuleAction action);

struct RuleSpec {
  Family family = Family::kIPv4;  // must match `from` / `to` when they are set
  std::optional<IpPrefix> from{};
  std::optional<IpPrefix> to{};
  std::string iif{};  // input interface name; empty: any
  std::string oif{};  // output interface name; empty: any
  std::optional<std::uint32_t> fwmark{};
  std::optional<std::uint32_t> fwmask{};
  std::uint32_t table = 0;  // for kLookup
  std::optional<std::uint32_t> priority{};
  RuleAction action = RuleAction::kLookup;
};

}  // namespace vigil::net::netlink
