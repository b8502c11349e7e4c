// Request messages built by libnl, checked as bytes and decoded back (no kernel needed).
#include "net/netlink/request.hpp"

#include <doctest/doctest.h>

#include <linux/fib_rules.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cstring>
#include <ostream>  // doctest prints std::error_code

#include "net/netlink/parse.hpp"

using namespace vigil;
using namespace vigil::net::netlink;

namespace {

RawMessage as_raw(std::span<const std::uint8_t> bytes) {
  auto messages = split_datagram(bytes);
  REQUIRE(messages.size() == 1);
  return messages[0];
}

template <class T>
T payload(std::span<const std::uint8_t> bytes) {
  T value{};
  REQUIRE(bytes.size() >= 16 + sizeof value);
  std::memcpy(&value, bytes.data() + 16, sizeof value);
  return value;
}

}  // namespace

TEST_CASE("an address request decodes back to the same address") {
  const AddressSpec spec{.ifindex = 3,
                         .prefix = *IpPrefix::parse("192.0.2.10/24"),
                         .label = "eth0:vip",
                         .scope = Scope::kUniverse,
                         .broadcast = IpAddress::parse("192.0.2.255"),
                         .nodad = false};
  auto message = build_add_address(spec);
  REQUIRE(message);
  const auto raw = as_raw(message_bytes(*message));
  CHECK(raw.type == RTM_NEWADDR);
  CHECK(raw.flags == (NLM_F_CREATE | NLM_F_EXCL));
  const auto decoded = parse_address(raw);
  REQUIRE(decoded);
  CHECK(decoded->ifindex == 3);
  CHECK(decoded->prefix == spec.prefix);
  CHECK(decoded->label == "eth0:vip");

  const AddressSpec v6{.ifindex = 4, .prefix = *IpPrefix::parse("2001:db8::1/64"), .nodad = true};
  auto remove = build_remove_address(v6);
  REQUIRE(remove);
  const auto raw6 = as_raw(message_bytes(*remove));
  CHECK(raw6.type == RTM_DELADDR);
  CHECK(payload<ifaddrmsg>(message_bytes(*remove)).ifa_flags == IFA_F_NODAD);
  const auto decoded6 = parse_address(raw6);
  REQUIRE(decoded6);
  CHECK(decoded6->prefix == v6.prefix);
}

TEST_CASE("a macvlan request decodes back to name, parent, MAC and kind") {
  const MacvlanSpec spec{.name = "vrrp.51",
                         .parent_ifindex = 2,
                         .mac = MacAddress::parse("00:00:5e:00:01:33"),
                         .mode = MacvlanMode::kPrivate};
  auto message = build_create_macvlan(spec);
  REQUIRE(message);
  const auto raw = as_raw(message_bytes(*message));
  CHECK(raw.type == RTM_NEWLINK);
  const auto decoded = parse_link(raw);
  REQUIRE(decoded);
  CHECK(decoded->name == "vrrp.51");
  CHECK(decoded->parent_ifindex == 2);
  CHECK(decoded->mac == spec.mac);
  CHECK(decoded->kind == "macvlan");

  CHECK_FALSE(build_create_macvlan({.name = "a-name-that-is-too-long", .parent_ifindex = 2}));
  CHECK_FALSE(build_create_macvlan({.name = "", .parent_ifindex = 2}));
}

TEST_CASE("route and rule requests carry their header fields") {
  auto route = build_add_route(
      {.destination = *IpPrefix::parse("198.51.100.0/24"), .gateway = IpAddress::parse("192.0.2.254"), .table = 100});
  REQUIRE(route);
  const auto rt = payload<rtmsg>(message_bytes(*route));
  CHECK(rt.rtm_dst_len == 24);
  CHECK(rt.rtm_table == 100);
  CHECK(rt.rtm_scope == RT_SCOPE_UNIVERSE);
  CHECK(rt.rtm_type == RTN_UNICAST);

  auto device_route = build_add_route({.destination = *IpPrefix::parse("198.51.100.0/24"), .ifindex = 2});
  REQUIRE(device_route);
  CHECK(payload<rtmsg>(message_bytes(*device_route)).rtm_scope == RT_SCOPE_LINK);

  auto removal = build_remove_route(
      {.destination = *IpPrefix::parse("203.0.113.0/24"), .table = 1000, .type = RouteType::kBlackhole});
  REQUIRE(removal);
  const auto del = payload<rtmsg>(message_bytes(*removal));
  CHECK(del.rtm_scope == RT_SCOPE_NOWHERE);
  CHECK(del.rtm_type == RTN_BLACKHOLE);
  CHECK(del.rtm_table == RT_TABLE_UNSPEC);  // tables above 255 travel in RTA_TABLE only

  auto mixed =
      build_add_route({.destination = *IpPrefix::parse("2001:db8::/32"), .gateway = IpAddress::parse("192.0.2.1")});
  REQUIRE_FALSE(mixed);
  CHECK(mixed.error().code == std::errc::invalid_argument);

  auto rule = build_add_rule(
      {.family = Family::kIPv4, .from = IpPrefix::parse("192.0.2.0/24"), .table = 100, .priority = 1000});
  REQUIRE(rule);
  const auto hdr = payload<fib_rule_hdr>(message_bytes(*rule));
  CHECK(hdr.src_len == 24);
  CHECK(hdr.action == FR_ACT_TO_TBL);
  CHECK(hdr.table == 100);
  CHECK_FALSE(build_add_rule({.family = Family::kIPv6, .from = IpPrefix::parse("192.0.2.0/24")}));
}

TEST_CASE("dump requests ask for a dump") {
  auto links = build_dump_links();
  REQUIRE(links);
  CHECK((as_raw(message_bytes(*links)).flags & NLM_F_DUMP) == NLM_F_DUMP);
  auto addresses = build_dump_addresses(Family::kIPv6);
  REQUIRE(addresses);
  CHECK((as_raw(message_bytes(*addresses)).flags & NLM_F_DUMP) == NLM_F_DUMP);
  CHECK(payload<ifaddrmsg>(message_bytes(*addresses)).ifa_family == AF_INET6);
}
