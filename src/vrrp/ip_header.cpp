#include "vrrp/ip_header.hpp"

#include <algorithm>

#include "vrrp/checksum.hpp"

namespace vigil::vrrp {

const char* to_string(IpHeaderError error) {
  switch (error) {
    case IpHeaderError::kTooShort: return "too-short";
    case IpHeaderError::kNotIpv4: return "not-ipv4";
    case IpHeaderError::kBadHeaderLength: return "bad-header-length";
    case IpHeaderError::kTotalLengthTooLong: return "total-length-too-long";
    case IpHeaderError::kFragment: return "fragment";
  }
  return "?";
}

std::array<std::uint8_t, kIpv4HeaderLength> build_ipv4_header(const Ipv4Header& header, std::size_t payload_length) {
  std::array<std::uint8_t, kIpv4HeaderLength> out{};
  const auto total = static_cast<std::uint16_t>(kIpv4HeaderLength + payload_length);
  out[0] = 0x45;
  out[1] = header.tos;
  out[2] = static_cast<std::uint8_t>(total >> 8);
  out[3] = static_cast<std::uint8_t>(total & 0xff);
  out[4] = static_cast<std::uint8_t>(header.identification >> 8);
  out[5] = static_cast<std::uint8_t>(header.identification & 0xff);
  out[8] = header.ttl;
  out[9] = header.protocol;
  const auto src = header.source.bytes();
  const auto dst = header.destination.bytes();
  if (src.size() == 4) std::copy(src.begin(), src.end(), out.begin() + 12);
  if (dst.size() == 4) std::copy(dst.begin(), dst.end(), out.begin() + 16);
  const std::uint16_t checksum = internet_checksum(out);
  out[10] = static_cast<std::uint8_t>(checksum >> 8);
  out[11] = static_cast<std::uint8_t>(checksum & 0xff);
  return out;
}

tl::expected<ReceivedIpv4, IpHeaderError> parse_ipv4_packet(std::span<const std::uint8_t> packet) {
  if (packet.size() < kIpv4HeaderLength) return tl::unexpected(IpHeaderError::kTooShort);
  if ((packet[0] >> 4) != 4) return tl::unexpected(IpHeaderError::kNotIpv4);
  const std::size_t header_length = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  if (header_length < kIpv4HeaderLength) return tl::unexpected(IpHeaderError::kBadHeaderLength);
  if (packet.size() < header_length) return tl::unexpected(IpHeaderError::kTooShort);
  const std::size_t total = static_cast<std::size_t>(packet[2] << 8 | packet[3]);
  if (total < header_length) return tl::unexpected(IpHeaderError::kBadHeaderLength);
  if (total > packet.size()) return tl::unexpected(IpHeaderError::kTotalLengthTooLong);
  const bool more_fragments = (packet[6] & 0x20) != 0;
  const std::size_t fragment_offset = static_cast<std::size_t>((packet[6] & 0x1f) << 8 | packet[7]);
  if (more_fragments || fragment_offset != 0) return tl::unexpected(IpHeaderError::kFragment);
  ReceivedIpv4 received;
  received.header.tos = packet[1];
  received.header.identification = static_cast<std::uint16_t>(packet[4] << 8 | packet[5]);
  received.header.ttl = packet[8];
  received.header.protocol = packet[9];
  received.header.source = IpAddress::v4({packet[12], packet[13], packet[14], packet[15]});
  received.header.destination = IpAddress::v4({packet[16], packet[17], packet[18], packet[19]});
  received.payload = packet.subspan(header_length, total - header_length);
  return received;
}

}  // namespace vigil::vrrp
