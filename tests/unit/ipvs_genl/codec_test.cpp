// IPVS generic-netlink messages: golden bytes (attributes, nesting, byte order) and round trips.
#include "net/ipvs/codec.hpp"

#include <doctest/doctest.h>

#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sys/socket.h>

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

// Statistics, as the kernel sends them in GET_SERVICE / GET_DEST dumps: a nested STATS (32-bit
// counts and rates, 64-bit bytes) and, since Linux 4.1, STATS64 (every value 64-bit, with PAD
// attributes where a u64 would be misaligned). The kernel nests without NLA_F_NESTED.
namespace {

std::vector<std::uint8_t> le(std::uint64_t value, std::size_t size) {
  std::vector<std::uint8_t> bytes(size);
  for (std::size_t i = 0; i < size; ++i) bytes[i] = static_cast<std::uint8_t>(value >> (8 * i));
  return bytes;
}

// One attribute: length (header + payload, before padding), type, payload, padding to 4.
std::vector<std::uint8_t> attr(std::uint16_t type, const std::vector<std::uint8_t>& payload) {
  std::vector<std::uint8_t> bytes = le(4 + payload.size(), 2);
  const auto type_bytes = le(type, 2);
  bytes.insert(bytes.end(), type_bytes.begin(), type_bytes.end());
  bytes.insert(bytes.end(), payload.begin(), payload.end());
  while (bytes.size() % 4 != 0) bytes.push_back(0);
  return bytes;
}

std::vector<std::uint8_t> join(const std::vector<std::vector<std::uint8_t>>& parts) {
  std::vector<std::uint8_t> bytes;
  for (const auto& part : parts) bytes.insert(bytes.end(), part.begin(), part.end());
  return bytes;
}

// A dump reply: nlmsghdr (NLM_F_MULTI), genl header, then `attributes`.
std::vector<std::uint8_t> dump_entry(std::uint8_t command, const std::vector<std::uint8_t>& attributes) {
  const std::vector<std::uint8_t> genl{command, IPVS_GENL_VERSION, 0, 0};
  return join({le(16 + genl.size() + attributes.size(), 4), le(kFamily, 2), le(NLM_F_MULTI, 2), le(7, 4), le(0, 4),
               genl, attributes});
}

// STATS: connections 3, packets 40/30, bytes 5000/6000, rates 1, 10, 9, 800, 900.
std::vector<std::uint8_t> stats32() {
  return join({attr(IPVS_STATS_ATTR_CONNS, le(3, 4)), attr(IPVS_STATS_ATTR_INPKTS, le(40, 4)),
               attr(IPVS_STATS_ATTR_OUTPKTS, le(30, 4)), attr(IPVS_STATS_ATTR_INBYTES, le(5000, 8)),
               attr(IPVS_STATS_ATTR_OUTBYTES, le(6000, 8)), attr(IPVS_STATS_ATTR_CPS, le(1, 4)),
               attr(IPVS_STATS_ATTR_INPPS, le(10, 4)), attr(IPVS_STATS_ATTR_OUTPPS, le(9, 4)),
               attr(IPVS_STATS_ATTR_INBPS, le(800, 4)), attr(IPVS_STATS_ATTR_OUTBPS, le(900, 4))});
}

// STATS64: the same counters past 32 bits, with a PAD attribute first as the kernel may put one.
constexpr std::uint64_t kBig = 0x1'0000'0000ULL;  // 2^32
std::vector<std::uint8_t> stats64() {
  return join({attr(IPVS_STATS_ATTR_PAD, {}), attr(IPVS_STATS_ATTR_CONNS, le(kBig + 3, 8)),
               attr(IPVS_STATS_ATTR_INPKTS, le(kBig + 40, 8)), attr(IPVS_STATS_ATTR_OUTPKTS, le(kBig + 30, 8)),
               attr(IPVS_STATS_ATTR_INBYTES, le(kBig + 5000, 8)), attr(IPVS_STATS_ATTR_OUTBYTES, le(kBig + 6000, 8)),
               attr(IPVS_STATS_ATTR_CPS, le(1, 8)), attr(IPVS_STATS_ATTR_INPPS, le(10, 8)),
               attr(IPVS_STATS_ATTR_OUTPPS, le(9, 8)), attr(IPVS_STATS_ATTR_INBPS, le(800, 8)),
               attr(IPVS_STATS_ATTR_OUTBPS, le(900, 8))});
}

std::vector<std::uint8_t> service_entry(bool with64) {
  std::vector<std::vector<std::uint8_t>> parts{
      attr(IPVS_SVC_ATTR_AF, le(AF_INET, 2)),
      attr(IPVS_SVC_ATTR_PROTOCOL, le(IPPROTO_TCP, 2)),
      attr(IPVS_SVC_ATTR_ADDR, {192, 0, 2, 10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
      attr(IPVS_SVC_ATTR_PORT, {0, 80}),
      attr(IPVS_SVC_ATTR_SCHED_NAME, {'w', 'l', 'c', 0}),
      attr(IPVS_SVC_ATTR_STATS, stats32()),
  };
  if (with64) parts.push_back(attr(IPVS_SVC_ATTR_STATS64, stats64()));
  return dump_entry(IPVS_CMD_NEW_SERVICE, attr(IPVS_CMD_ATTR_SERVICE, join(parts)));
}

std::vector<std::uint8_t> destination_entry(bool with64) {
  std::vector<std::vector<std::uint8_t>> parts{
      attr(IPVS_DEST_ATTR_ADDR, {198, 51, 100, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}),
      attr(IPVS_DEST_ATTR_PORT, {0x1f, 0x90}),  // 8080
      attr(IPVS_DEST_ATTR_FWD_METHOD, le(0, 4)),
      attr(IPVS_DEST_ATTR_WEIGHT, le(2, 4)),
      attr(IPVS_DEST_ATTR_STATS, stats32()),
      attr(IPVS_DEST_ATTR_ADDR_FAMILY, le(AF_INET, 2)),
  };
  if (with64) parts.push_back(attr(IPVS_DEST_ATTR_STATS64, stats64()));
  return dump_entry(IPVS_CMD_NEW_DEST, attr(IPVS_CMD_ATTR_DEST, join(parts)));
}

}  // namespace

TEST_CASE("ipvs genl: statistics attributes (golden bytes of a kernel dump entry)") {
  // The attribute helper itself: a u32 counter is 8 bytes, little-endian (host order), no padding.
  CHECK(attr(IPVS_STATS_ATTR_CONNS, le(3, 4)) == std::vector<std::uint8_t>{8, 0, IPVS_STATS_ATTR_CONNS, 0, 3, 0, 0, 0});
  CHECK(attr(IPVS_STATS_ATTR_INBYTES, le(kBig + 5000, 8)) ==
        std::vector<std::uint8_t>{12, 0, IPVS_STATS_ATTR_INBYTES, 0, 0x88, 0x13, 0, 0, 1, 0, 0, 0});

  vigil::ipvs::Stats wide;
  wide.connections = kBig + 3;
  wide.packets_in = kBig + 40;
  wide.packets_out = kBig + 30;
  wide.bytes_in = kBig + 5000;
  wide.bytes_out = kBig + 6000;
  wide.connections_per_second = 1;
  wide.packets_in_per_second = 10;
  wide.packets_out_per_second = 9;
  wide.bytes_in_per_second = 800;
  wide.bytes_out_per_second = 900;
  vigil::ipvs::Stats narrow = wide;
  narrow.connections = 3;
  narrow.packets_in = 40;
  narrow.packets_out = 30;
  narrow.bytes_in = 5000;
  narrow.bytes_out = 6000;

  SUBCASE("a service: STATS64 wins over STATS; the service itself still parses") {
    const auto bytes = service_entry(true);
    CHECK(parse_service_stats(raw(bytes)) == wide);
    const auto service = parse_service(raw(bytes));
    REQUIRE(service.has_value());
    CHECK(service->key == ServiceKey::for_address(ip("192.0.2.10"), 80, Protocol::kTcp));
    CHECK_FALSE(parse_destination_stats(raw(bytes)).has_value());
  }
  SUBCASE("a service from an old kernel: only the 32-bit STATS") {
    CHECK(parse_service_stats(raw(service_entry(false))) == narrow);
  }
  SUBCASE("a destination, both ways") {
    const auto bytes = destination_entry(true);
    CHECK(parse_destination_stats(raw(bytes)) == wide);
    CHECK(parse_destination_stats(raw(destination_entry(false))) == narrow);
    const auto destination = parse_destination(raw(bytes));
    REQUIRE(destination.has_value());
    CHECK(destination->address == ip("198.51.100.2"));
    CHECK(destination->port == 8080);
    CHECK(destination->weight == 2);
    CHECK_FALSE(parse_service_stats(raw(bytes)).has_value());
  }
  SUBCASE("an entry without statistics parses to none") {
    const auto bytes = bytes_of(build_add_service(kFamily, vigil::ipvs::Service{}));
    CHECK_FALSE(parse_service_stats(raw(with_command(bytes, IPVS_CMD_NEW_SERVICE))).has_value());
  }
}
