#pragma once
// The IPv4 header around an advert. IPv4 raw sockets deliver it on receive (the receive check needs
// TTL, source and destination from it) and, with IP_HDRINCL, take it on send. Pure, on bytes.
#include <array>
#include <cstdint>
#include <span>

#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "vrrp/constants.hpp"

namespace vigil::vrrp {

inline constexpr std::size_t kIpv4HeaderLength = 20;
inline constexpr std::uint8_t kVrrpTos = 0xc0;  // what keepalived sends (internetwork control)

struct Ipv4Header {
  std::uint8_t tos = kVrrpTos;
  std::uint16_t identification = 0;
  std::uint8_t ttl = kRequiredTtl;  // RFC 5798 §5.1.1.3
  std::uint8_t protocol = kIpProtocolVrrp;
  IpAddress source;
  IpAddress destination;
  friend bool operator==(const Ipv4Header&, const Ipv4Header&) = default;
};

// 20 bytes, no options, DF clear, header checksum filled in.
[[nodiscard]] std::array<std::uint8_t, kIpv4HeaderLength> build_ipv4_header(const Ipv4Header& header,
                                                                            std::size_t payload_length);

enum class IpHeaderError : std::uint8_t {
  kTooShort,            // fewer than 20 bytes, or fewer than the header length says
  kNotIpv4,             // version nibble is not 4
  kBadHeaderLength,     // IHL below 5
  kTotalLengthTooLong,  // total length larger than what was received
  kFragment,            // a fragment: adverts are never fragmented
};
[[nodiscard]] const char* to_string(IpHeaderError error);

struct ReceivedIpv4 {
  Ipv4Header header;
  // The IP payload, cut at the header's total length (link padding dropped).
  std::span<const std::uint8_t> payload;
};

[[nodiscard]] tl::expected<ReceivedIpv4, IpHeaderError> parse_ipv4_packet(std::span<const std::uint8_t> packet);

}  // namespace vigil::vrrp
