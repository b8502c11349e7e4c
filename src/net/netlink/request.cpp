#include "net/netlink/request.hpp"

#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <string>

#include "net/netlink/attributes.hpp"

namespace vigil::net::netlink {

namespace {

Error invalid(std::string what) { return make_error(std::errc::invalid_argument, std::move(what)); }

int to_af(Family family) { return family == Family::kIPv4 ? AF_INET : AF_INET6; }

// An rtnetlink request: the fixed header (ifaddrmsg, rtmsg, ...) then attributes.
class Builder : public AttributeWriter {
 public:
  Builder(int type, int flags, std::string_view what)
      : AttributeWriter(Message(nlmsg_alloc_simple(type, flags)), "netlink " + std::string(what)) {}
  template <class Header>
  void header(const Header& value) {
    if (ok_) ok_ = nlmsg_append(message_.get(), const_cast<Header*>(&value), sizeof value, NLMSG_ALIGNTO) == 0;
  }
  void put_ip(int type, const IpAddress& address) { put(type, address.bytes().data(), address.size()); }
};

Result<Message> build_address(const AddressSpec& spec, int type, int flags) {
  const bool v4 = spec.prefix.address.is_v4();
  Builder b(type, flags, "address");
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<std::uint8_t>(v4 ? AF_INET : AF_INET6);
  ifa.ifa_prefixlen = spec.prefix.length;  // not checked here: the kernel's error names the problem
  ifa.ifa_scope = static_cast<std::uint8_t>(spec.scope);
  ifa.ifa_index = static_cast<std::uint32_t>(spec.ifindex);
  if (spec.nodad && !v4) ifa.ifa_flags = IFA_F_NODAD;
  b.header(ifa);
  b.put_ip(IFA_LOCAL, spec.prefix.address);
  b.put_ip(IFA_ADDRESS, spec.prefix.address);
  if (v4 && !spec.label.empty()) b.put_string(IFA_LABEL, spec.label);
  if (v4 && spec.broadcast) b.put_ip(IFA_BROADCAST, *spec.broadcast);
  return b.finish();
}

std::uint8_t rtn_type(RouteType type) {
  switch (type) {
    case RouteType::kUnicast: return RTN_UNICAST;
    case RouteType::kBlackhole: return RTN_BLACKHOLE;
    case RouteType::kUnreachable: return RTN_UNREACHABLE;
    case RouteType::kProhibit: return RTN_PROHIBIT;
  }
  return RTN_UNICAST;
}

Result<Message> build_route(const RouteSpec& spec, bool add) {
  const Family family = spec.destination.address.family();
  if (spec.gateway && spec.gateway->family() != family) {
    return fail(invalid("route " + spec.destination.to_string() + ": gateway family differs"));
  }
  if (spec.preferred_source && spec.preferred_source->family() != family) {
    return fail(invalid("route " + spec.destination.to_string() + ": source family differs"));
  }
  Builder b(add ? RTM_NEWROUTE : RTM_DELROUTE, add ? NLM_F_CREATE | NLM_F_EXCL : 0, "route");
  rtmsg rt{};
  rt.rtm_family = static_cast<std::uint8_t>(to_af(family));
  rt.rtm_dst_len = spec.destination.length;
  rt.rtm_table = static_cast<std::uint8_t>(spec.table < 256 ? spec.table : 0U);
  if (add) {
    rt.rtm_type = rtn_type(spec.type);
    rt.rtm_protocol = spec.protocol.value_or(std::uint8_t{RTPROT_STATIC});
    // As `ip route add`: a device route without a gateway reaches only the link.
    const bool link_scope = spec.type == RouteType::kUnicast && !spec.gateway;
    rt.rtm_scope = static_cast<std::uint8_t>(spec.scope.value_or(link_scope ? Scope::kLink : Scope::kUniverse));
  } else {
    // Unset fields match any route (the kernel treats 0 / RT_SCOPE_NOWHERE as wildcards).
    rt.rtm_type = spec.type == RouteType::kUnicast ? std::uint8_t{RTN_UNSPEC} : rtn_type(spec.type);
    rt.rtm_protocol = spec.protocol.value_or(std::uint8_t{RTPROT_UNSPEC});
    rt.rtm_scope = static_cast<std::uint8_t>(spec.scope.value_or(Scope::kNowhere));
  }
  b.header(rt);
  b.put_ip(RTA_DST, spec.destination.address);
  b.put_u32(RTA_TABLE, spec.table);
  if (spec.gateway) b.put_ip(RTA_GATEWAY, *spec.gateway);
  if (spec.ifindex != 0) b.put_u32(RTA_OIF, static_cast<std::uint32_t>(spec.ifindex));
  if (spec.preferred_source) b.put_ip(RTA_PREFSRC, *spec.preferred_source);
  if (spec.metric) b.put_u32(RTA_PRIORITY, *spec.metric);
  return b.finish();
}

std::uint8_t fr_action(RuleAction action) {
  switch (action) {
    case RuleAction::kLookup: return FR_ACT_TO_TBL;
    case RuleAction::kBlackhole: return FR_ACT_BLACKHOLE;
    case RuleAction::kUnreachable: return FR_ACT_UNREACHABLE;
    case RuleAction::kProhibit: return FR_ACT_PROHIBIT;
  }
  return FR_ACT_TO_TBL;
}

Result<Message> build_rule(const RuleSpec& spec, bool add) {
  for (const auto* prefix : {&spec.from, &spec.to}) {
    if (*prefix && (*prefix)->address.family() != spec.family) {
      return fail(invalid("rule: " + (*prefix)->to_string() + " is not " + to_string(spec.family)));
    }
  }
  Builder b(add ? RTM_NEWRULE : RTM_DELRULE, add ? NLM_F_CREATE | NLM_F_EXCL : 0, "rule");
  fib_rule_hdr rule{};
  rule.family = static_cast<std::uint8_t>(to_af(spec.family));
  rule.src_len = spec.from ? spec.from->length : 0;
  rule.dst_len = spec.to ? spec.to->length : 0;
  rule.table = static_cast<std::uint8_t>(spec.table < 256 ? spec.table : 0U);
  rule.action = fr_action(spec.action);
  b.header(rule);
  if (spec.from) b.put_ip(FRA_SRC, spec.from->address);
  if (spec.to) b.put_ip(FRA_DST, spec.to->address);
  if (!spec.iif.empty()) b.put_string(FRA_IIFNAME, spec.iif);
  if (!spec.oif.empty()) b.put_string(FRA_OIFNAME, spec.oif);
  if (spec.fwmark) b.put_u32(FRA_FWMARK, *spec.fwmark);
  if (spec.fwmask) b.put_u32(FRA_FWMASK, *spec.fwmask);
  if (spec.action == RuleAction::kLookup) b.put_u32(FRA_TABLE, spec.table);
  if (spec.priority) b.put_u32(FRA_PRIORITY, *spec.priority);
  return b.finish();
}

ifinfomsg link_header(int ifindex) {
  ifinfomsg ifi{};
  ifi.ifi_family = AF_UNSPEC;
  ifi.ifi_index = ifindex;
  return ifi;
}

std::uint32_t macvlan_mode(MacvlanMode mode) {
  switch (mode) {
    case MacvlanMode::kPrivate: return MACVLAN_MODE_PRIVATE;
    case MacvlanMode::kVepa: return MACVLAN_MODE_VEPA;
    case MacvlanMode::kBridge: return MACVLAN_MODE_BRIDGE;
    case MacvlanMode::kPassthru: return MACVLAN_MODE_PASSTHRU;
  }
  return MACVLAN_MODE_PRIVATE;
}

}  // namespace

void MessageFree::operator()(nl_msg* message) const noexcept { nlmsg_free(message); }

std::span<const std::uint8_t> message_bytes(const Message& message) {
  const nlmsghdr* header = nlmsg_hdr(message.get());
  return {reinterpret_cast<const std::uint8_t*>(header), header->nlmsg_len};
}

Result<Message> build_add_address(const AddressSpec& spec) {
  return build_address(spec, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL);
}

Result<Message> build_remove_address(const AddressSpec& spec) { return build_address(spec, RTM_DELADDR, 0); }

Result<Message> build_add_route(const RouteSpec& spec) { return build_route(spec, true); }
Result<Message> build_remove_route(const RouteSpec& spec) { return build_route(spec, false); }
Result<Message> build_add_rule(const RuleSpec& spec) { return build_rule(spec, true); }
Result<Message> build_remove_rule(const RuleSpec& spec) { return build_rule(spec, false); }

Result<Message> build_create_macvlan(const MacvlanSpec& spec) {
  if (spec.name.empty() || spec.name.size() >= IFNAMSIZ) {
    return fail(invalid("macvlan name '" + spec.name + "' must have 1 to 15 characters"));
  }
  Builder b(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, "macvlan");
  b.header(link_header(0));
  b.put_string(IFLA_IFNAME, spec.name);
  b.put_u32(IFLA_LINK, static_cast<std::uint32_t>(spec.parent_ifindex));
  if (spec.mac) b.put(IFLA_ADDRESS, spec.mac->bytes.data(), spec.mac->bytes.size());
  nlattr* info = b.nest(IFLA_LINKINFO);
  b.put_string(IFLA_INFO_KIND, "macvlan");
  nlattr* data = b.nest(IFLA_INFO_DATA);
  b.put_u32(IFLA_MACVLAN_MODE, macvlan_mode(spec.mode));
  b.end(data);
  b.end(info);
  return b.finish();
}

Result<Message> build_delete_link(int ifindex) {
  Builder b(RTM_DELLINK, 0, "delete link");
  b.header(link_header(ifindex));
  return b.finish();
}

Result<Message> build_set_link_up(int ifindex, bool up) {
  Builder b(RTM_NEWLINK, 0, "set link");
  ifinfomsg ifi = link_header(ifindex);
  ifi.ifi_flags = up ? IFF_UP : 0;
  ifi.ifi_change = IFF_UP;
  b.header(ifi);
  return b.finish();
}

Result<Message> build_set_link_mac(int ifindex, const MacAddress& mac) {
  Builder b(RTM_NEWLINK, 0, "set link address");
  b.header(link_header(ifindex));
  b.put(IFLA_ADDRESS, mac.bytes.data(), mac.bytes.size());
  return b.finish();
}

Result<Message> build_get_link(std::string_view name) {
  if (name.empty() || name.size() >= IFNAMSIZ) {
    return fail(invalid("interface name '" + std::string(name) + "' must have 1 to 15 characters"));
  }
  Builder b(RTM_GETLINK, 0, "get link");
  b.header(link_header(0));
  b.put_string(IFLA_IFNAME, name);
  b.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return b.finish();
}

Result<Message> build_dump_links() {
  Builder b(RTM_GETLINK, NLM_F_DUMP, "dump links");
  b.header(link_header(0));
  b.put_u32(IFLA_EXT_MASK, RTEXT_FILTER_SKIP_STATS);
  return b.finish();
}

Result<Message> build_dump_addresses(std::optional<Family> family) {
  Builder b(RTM_GETADDR, NLM_F_DUMP, "dump addresses");
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<std::uint8_t>(family ? to_af(*family) : AF_UNSPEC);
  b.header(ifa);
  return b.finish();
}

}  // namespace vigil::net::netlink
