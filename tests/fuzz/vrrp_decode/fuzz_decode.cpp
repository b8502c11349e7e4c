// Fuzzes the advert decoder, the IPv4 header parser and the receive check, and checks the
// round-trip property decode(encode(decode(x))) == decode(x).
// Input layout: byte 0 selects the mode (bits: IPv6, v3, v3_checksum_as_v2, unicast, checksum trusted,
// IPv4 header included, PASS auth), the rest is the packet.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <span>

#include "vrrp/ip_header.hpp"
#include "vrrp/packet.hpp"
#include "vrrp/receive_check.hpp"

using namespace vigil;
using namespace vigil::vrrp;

namespace {

void require(bool condition) {
  if (!condition) std::abort();
}

InstanceConfig config_for(Family family, Version version, bool as_v2, bool unicast, bool pass) {
  InstanceConfig c;
  c.vrid = 51;
  c.family = family;
  c.version = version;
  c.v3_checksum_as_v2 = as_v2;
  c.vips = {*IpPrefix::parse(family == Family::kIPv4 ? "192.0.2.50/24" : "2001:db8::50/64")};
  if (pass && family == Family::kIPv4 && version == Version::kV2) {
    c.auth_type = AuthType::kPass;
    c.auth_pass = "secret";
  }
  if (unicast) {
    c.unicast_peers = {*IpAddress::parse(family == Family::kIPv4 ? "192.0.2.1" : "2001:db8::1")};
    c.unicast_source = *IpAddress::parse(family == Family::kIPv4 ? "192.0.2.2" : "2001:db8::2");
  }
  return c;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  const std::uint8_t mode = data[0];
  const std::span<const std::uint8_t> packet(data + 1, size - 1);
  const Family family = (mode & 1) ? Family::kIPv6 : Family::kIPv4;
  const Version version = (mode & 2) ? Version::kV3 : Version::kV2;
  const bool as_v2 = (mode & 4) != 0;
  const bool unicast = (mode & 8) != 0;
  const bool trust_checksum = (mode & 16) != 0;
  const bool with_ip_header = (mode & 32) != 0 && family == Family::kIPv4;
  const bool pass = (mode & 64) != 0;

  const InstanceConfig config = config_for(family, version, as_v2, unicast, pass);
  IpAddress source =
      unicast ? config.unicast_peers.front() : *IpAddress::parse(family == Family::kIPv4 ? "192.0.2.1" : "fe80::1");
  IpAddress destination = unicast ? *config.unicast_source : multicast_group(family);
  std::uint8_t ttl = 255;
  std::span<const std::uint8_t> message = packet;
  if (with_ip_header) {
    const auto parsed = parse_ipv4_packet(packet);
    if (!parsed) return 0;
    require(parsed->payload.size() <= packet.size());
    source = parsed->header.source;
    destination = parsed->header.destination;
    ttl = parsed->header.ttl;
    message = parsed->payload;
  }

  const DecodeContext context{family, source, destination, as_v2, !trust_checksum};
  const auto decoded = decode(message, context);
  if (decoded) {
    const auto encoded = encode(*decoded, EncodeContext{source, destination, as_v2});
    require(encoded.size() == message_length(decoded->version, family, decoded->addresses.size()));
    const auto again = decode(encoded, DecodeContext{family, source, destination, as_v2, true});
    require(again.has_value());
    require(*again == *decoded);
  }

  const auto checked = check_advert(ReceivedPacket{message, source, destination, ttl, trust_checksum}, config);
  if (checked) {
    require(checked->advert.vrid == config.vrid);
    require(checked->advert.version == config.version);
  }
  ReceiveStats stats;
  stats.count(checked);
  return 0;
}
