// IPVS generic-netlink messages: golden bytes (attributes, nesting, byte order) and round trips.
#include "net/ipvs/codec.hpp"

#include <doctest/doctest.h>

#include <linux/genetlink.h>
#include <linux/ip_vs.h>

#include <cstring>
#include <ostream>
#include <vector>

using namespace vigil;
using namespace vigil::net::ipvs;
namespace nl = vigil::net::netlink;
using vigil::ipvs::Forward;
using vigil::ipvs::Protocol;

namespace {

constexpr std::uint16_t kFamily = 0x22;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

std::vector<std::uint8_t> bytes_of(const Result<Message>& message) {
  REQUIRE(message.has_value());
  const auto span = nl::message_bytes(*message);
  return {span.begin(), span.end()};
}

nl::RawMessage raw(const std::vector<std::uint8_t>& bytes) {
  auto messages = nl::split_datagram(bytes);
  REQUIRE(messages.size() == 1);
  return messages[0];
}

// A message as it comes back from the kernel: the same attributes under another command.
std::vector<std::uint8_t> with_command(std::vector<std::uint8_t> bytes, std::uint8_t command) {
  bytes[16] = command;
  return bytes;
}

}  // namespace

TEST_CASE("ipvs genl: delete service golden bytes (nested service, 16-byte address, port big-endian)") {
  const auto key = ServiceKey::for_address(ip("192.0.2.10"), 80, Protocol::kTcp);
  // One line per header and attribute.
  // clang-format off
  const std::vector<std::uint8_t> expected = {
      68, 0, 0, 0,                 // nlmsg_len
      0x22, 0,                     // nlmsg_type: the resolved family id
      0, 0,                        // flags (the transport adds REQUEST|ACK)
      0, 0, 0, 0, 0, 0, 0, 0,      // seq, port: filled by the transport
      IPVS_CMD_DEL_SERVICE, 1, 0, 0,  // genl: command, version 1
      48, 0, IPVS_CMD_ATTR_SERVICE, 0x80,  // nested (NLA_F_NESTED) service, 48 bytes
      6, 0, IPVS_SVC_ATTR_AF, 0, 2, 0, 0, 0,  // AF_INET (u16, padded)
      6, 0, IPVS_SVC_ATTR_PROTOCOL, 0, 6, 0, 0, 0,  // IPPROTO_TCP
      20, 0, IPVS_SVC_ATTR_ADDR, 0, 192, 0, 2, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // nf_inet_addr
      6, 0, IPVS_SVC_ATTR_PORT, 0, 0, 80, 0, 0,  // port 80, network byte order
  };
  // clang-format on
  auto actual = bytes_of(build_delete_service(kFamily, key));
  // libnl versions differ on NLA_F_NESTED; the kernel accepts both spellings.
  REQUIRE(actual.size() == expected.size());
  actual[23] |= 0x80;
  CHECK(actual == expected);
}

TEST_CASE("ipvs genl: fwmark service carries AF and FWMARK only as its key") {
  const auto key = ServiceKey::for_fwmark(7, Family::kIPv6);
  const auto bytes = bytes_of(build_delete_service(kFamily, key));
  // header 16 + genl 4 + nest 4 + AF 8 + FWMARK 8
  CHECK(bytes.size() == 40);
  CHECK(bytes[28] == 10);  // AF_INET6
  CHECK(bytes[34] == IPVS_SVC_ATTR_FWMARK);
  CHECK(bytes[36] == 7);
}

TEST_CASE("ipvs genl: a service round-trips through build and parse") {
  Service service;
  service.key = ServiceKey::for_address(ip("2001:db8::10"), 443, Protocol::kSctp);
  service.scheduler = "mh";
  service.flags = vigil::ipvs::kFlagPersistent | vigil::ipvs::kFlagSched2;
  service.timeout = 300;
  service.netmask = 64;
  service.persistence_engine = "sip";
  const auto bytes = bytes_of(build_add_service(kFamily, service));
  const auto parsed = parse_service(raw(bytes));  // NEW_SERVICE is also the dump reply's command
  REQUIRE(parsed.has_value());
  CHECK(*parsed == service);
  CHECK_FALSE(parse_destination(raw(bytes)).has_value());
}

TEST_CASE("ipvs genl: a fwmark service round-trips") {
  Service service;
  service.key = ServiceKey::for_fwmark(42, Family::kIPv4);
  service.scheduler = "rr";
  const auto parsed = parse_service(raw(bytes_of(build_add_service(kFamily, service))));
  REQUIRE(parsed.has_value());
  CHECK(*parsed == service);
}

TEST_CASE("ipvs genl: destinations round-trip, tunnel attributes only for tunnels") {
  const auto key = ServiceKey::for_address(ip("192.0.2.10"), 80, Protocol::kTcp);
  Destination masq;
  masq.address = ip("198.51.100.1");
  masq.port = 8080;
  masq.weight = 3;
  masq.upper_threshold = 100;
  masq.lower_threshold = 10;
  Destination tunnel;
  tunnel.address = ip("198.51.100.2");
  tunnel.port = 80;
  tunnel.forward = Forward::kTunnel;
  tunnel.tunnel_type = vigil::ipvs::TunnelType::kGue;
  tunnel.tunnel_port = 6080;
  tunnel.tunnel_checksum = vigil::ipvs::TunnelChecksum::kCsum;
  for (const auto& d : {masq, tunnel}) {
    const auto bytes = bytes_of(build_add_destination(kFamily, key, d));
    const auto parsed = parse_destination(raw(bytes));
    REQUIRE(parsed.has_value());
    CHECK(*parsed == d);
  }
  const auto masq_bytes = bytes_of(build_add_destination(kFamily, key, masq));
  const auto tunnel_bytes = bytes_of(build_add_destination(kFamily, key, tunnel));
  CHECK(tunnel_bytes.size() == masq_bytes.size() + 8 + 8 + 8);  // TUN_TYPE, TUN_PORT, TUN_FLAGS
}

TEST_CASE("ipvs genl: dumps ask with NLM_F_DUMP, destination dumps name their service") {
  const auto services = bytes_of(build_dump_services(kFamily));
  CHECK(services.size() == 20);
  CHECK((services[6] | (services[7] << 8)) == NLM_F_DUMP);
  CHECK(services[16] == IPVS_CMD_GET_SERVICE);
  const auto key = ServiceKey::for_address(ip("192.0.2.10"), 80, Protocol::kUdp);
  const auto dests = bytes_of(build_dump_destinations(kFamily, key));
  CHECK(dests[16] == IPVS_CMD_GET_DEST);
  CHECK(dests.size() == 68);
}

TEST_CASE("ipvs genl: timeouts round-trip (the GET_CONFIG reply is SET_CONFIG)") {
  Timeouts timeouts{900, 120, 300};
  const auto bytes = bytes_of(build_set_timeouts(kFamily, timeouts));
  const auto parsed = parse_timeouts(raw(bytes));
  REQUIRE(parsed.has_value());
  CHECK(*parsed == timeouts);
}

TEST_CASE("ipvs genl: family resolution request and reply") {
  const auto request = bytes_of(build_resolve_family());
  CHECK((request[4] | (request[5] << 8)) == GENL_ID_CTRL);
  CHECK(request[16] == CTRL_CMD_GETFAMILY);
  // The controller's reply: the same layout with CTRL_CMD_NEWFAMILY and a FAMILY_ID attribute.
  auto reply = with_command(request, CTRL_CMD_NEWFAMILY);
  const std::uint8_t id_attr[] = {6, 0, CTRL_ATTR_FAMILY_ID, 0, 0x25, 0, 0, 0};
  reply.insert(reply.end(), std::begin(id_attr), std::end(id_attr));
  reply[0] = static_cast<std::uint8_t>(reply.size());
  const auto id = parse_family_id(raw(reply));
  REQUIRE(id.has_value());
  CHECK(*id == 0x25);
  CHECK_FALSE(parse_family_id(raw(request)).has_value());
}

TEST_CASE("ipvs genl: truncated and foreign messages parse to nothing") {
  const auto key = ServiceKey::for_address(ip("192.0.2.10"), 80, Protocol::kTcp);
  Destination d;
  d.address = ip("198.51.100.1");
  auto bytes = bytes_of(build_add_destination(kFamily, key, d));
  for (std::size_t cut = 16; cut < bytes.size(); cut += 4) {
    std::vector<std::uint8_t> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    part[0] = static_cast<std::uint8_t>(cut);
    for (const auto& m : nl::split_datagram(part)) {
      (void)parse_destination(m);
      (void)parse_service(m);
    }
  }
  CHECK_FALSE(parse_service(raw(bytes)).has_value());
}
