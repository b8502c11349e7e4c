#pragma once
// The few IPv4 header fields a VRRP receiver needs (RFC 791), read from the bytes a raw IPv4
// socket returns. Pure: no sockets.
#include <cstdint>
#include <optional>
#include <span>

#include "base/ip_address.hpp"

namespace vigil::net::wire {

struct Ipv4Header {
  std::size_t header_length = 0;  // IHL × 4: where the payload starts
  std::size_t total_length = 0;   // as the header claims it (the codec compares it with what arrived)
  std::uint8_t ttl = 0;
  std::uint8_t protocol = 0;
  IpAddress source;
  IpAddress destination;
};

// nullopt when the bytes cannot be an IPv4 header (too short, version not 4, IHL < 5 or past the end).
[[nodiscard]] std::optional<Ipv4Header> parse_ipv4_header(std::span<const std::uint8_t> packet);

}  // namespace vigil::net::wire
