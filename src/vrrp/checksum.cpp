#include "vrrp/checksum.hpp"

namespace vigil::vrrp {

const char* to_string(ChecksumScope scope) {
  switch (scope) {
    case ChecksumScope::kMessageOnly: return "message-only";
    case ChecksumScope::kIpv4PseudoHeader: return "ipv4-pseudo-header";
    case ChecksumScope::kIpv6PseudoHeader: return "ipv6-pseudo-header";
  }
  return "?";
}

ChecksumScope checksum_scope(Version version, Family family, bool v3_checksum_as_v2) {
  // The kernel fills IPv6 checksums with the pseudo-header (IPV6_CHECKSUM) whatever the version.
  if (family == Family::kIPv6) return ChecksumScope::kIpv6PseudoHeader;
  if (version == Version::kV3 && !v3_checksum_as_v2) return ChecksumScope::kIpv4PseudoHeader;  // RFC 5798 §5.2.8
  return ChecksumScope::kMessageOnly;  // RFC 3768 §5.3.8, RFC 9568 §5.2.8 for IPv4
}

namespace {

std::uint32_t sum_words(std::span<const std::uint8_t> data, std::uint32_t sum) {
  std::size_t i = 0;
  for (; i + 1 < data.size(); i += 2) sum += static_cast<std::uint32_t>(data[i] << 8 | data[i + 1]);
  if (i < data.size()) sum += static_cast<std::uint32_t>(data[i] << 8);
  // Folding here keeps the 32-bit accumulator from overflowing over long inputs.
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return sum;
}

}  // namespace

std::uint16_t internet_checksum(std::span<const std::uint8_t> data, std::uint32_t initial) {
  std::uint32_t sum = sum_words(data, initial);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t vrrp_checksum(std::span<const std::uint8_t> message, ChecksumScope scope, const IpAddress& source,
                            const IpAddress& destination) {
  std::uint32_t pseudo = 0;
  const auto length = static_cast<std::uint32_t>(message.size());
  switch (scope) {
    case ChecksumScope::kMessageOnly: break;
    case ChecksumScope::kIpv4PseudoHeader:
      // src, dst, zero, protocol, VRRP length (RFC 768 layout)
      pseudo = sum_words(source.bytes(), pseudo);
      pseudo = sum_words(destination.bytes(), pseudo);
      pseudo += kIpProtocolVrrp;
      pseudo += length & 0xffff;
      break;
    case ChecksumScope::kIpv6PseudoHeader:
      // src, dst, 32-bit upper-layer length, 24 zero bits, next header (RFC 8200 §8.1)
      pseudo = sum_words(source.bytes(), pseudo);
      pseudo = sum_words(destination.bytes(), pseudo);
      pseudo += length >> 16;
      pseudo += length & 0xffff;
      pseudo += kIpProtocolVrrp;
      break;
  }
  return internet_checksum(message, pseudo);
}

}  // namespace vigil::vrrp
