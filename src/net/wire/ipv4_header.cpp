#include "net/wire/ipv4_header.hpp"

#include <array>

namespace vigil::net::wire {
namespace {

IpAddress read_address(std::span<const std::uint8_t> packet, std::size_t offset) {
  return IpAddress::v4({packet[offset], packet[offset + 1], packet[offset + 2], packet[offset + 3]});
}

}  // namespace

std::optional<Ipv4Header> parse_ipv4_header(std::span<const std::uint8_t> packet) {
  constexpr std::size_t kMinimumLength = 20;
  if (packet.size() < kMinimumLength || (packet[0] >> 4) != 4) return std::nullopt;
  Ipv4Header header;
  header.header_length = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  if (header.header_length < kMinimumLength || header.header_length > packet.size()) return std::nullopt;
  header.total_length = static_cast<std::size_t>(packet[2]) << 8 | packet[3];
  header.ttl = packet[8];
  header.protocol = packet[9];
  header.source = read_address(packet, 12);
  header.destination = read_address(packet, 16);
  return header;
}

}  // namespace vigil::net::wire
