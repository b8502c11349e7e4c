#pragma once
// The Internet checksum (RFC 1071) and the pseudo-headers VRRP puts under it.
#include <cstdint>
#include <span>

#include "base/ip_address.hpp"
#include "vrrp/constants.hpp"

namespace vigil::vrrp {

// What the VRRP checksum covers.
enum class ChecksumScope : std::uint8_t {
  kMessageOnly,       // RFC 3768 §5.3.8 (v2), and v3 over IPv4 with `v3_checksum_as_v2` (RFC 9568 reading)
  kIpv4PseudoHeader,  // RFC 5798 §5.2.8 as keepalived reads it for IPv4: the default for v3/IPv4
  kIpv6PseudoHeader,  // RFC 5798 §5.2.8 / RFC 2460 §8.1: every IPv6 advert
};
[[nodiscard]] const char* to_string(ChecksumScope scope);

[[nodiscard]] ChecksumScope checksum_scope(Version version, Family family, bool v3_checksum_as_v2);

// Ones'-complement sum of `data`, folded and complemented. `initial` carries a partial sum
// (e.g. a pseudo-header) in 32 bits, unfolded.
[[nodiscard]] std::uint16_t internet_checksum(std::span<const std::uint8_t> data, std::uint32_t initial = 0);

// Over `message` exactly as given. With the checksum field zeroed the result is the value to store;
// over a received message (field included) a valid checksum yields 0.
// The pseudo-header destination is the packet's real destination (the peer, in unicast).
[[nodiscard]] std::uint16_t vrrp_checksum(std::span<const std::uint8_t> message, ChecksumScope scope,
                                          const IpAddress& source, const IpAddress& destination);

}  // namespace vigil::vrrp
