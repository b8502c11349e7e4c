#pragma once
// PING_CHECK: ICMP / ICMPv6 echo request bytes and recognition of the matching echo reply.
#include <cstdint>
#include <span>
#include <vector>

namespace vigil::check {

// An echo request (type 8, or 128 for ICMPv6) with `payload`. The IPv4 checksum is filled in;
// for ICMPv6 the kernel computes it (it covers the pseudo-header).
[[nodiscard]] std::vector<std::uint8_t> build_echo_request(bool ipv6, std::uint16_t id, std::uint16_t sequence,
                                                           std::span<const std::uint8_t> payload);

// Whether `packet` (starting at the ICMP header; an IPv4 raw socket's IP header must be skipped
// first, see icmp_payload_of_ipv4) is the echo reply to (id, sequence). `check_id` is false for
// datagram ICMP sockets, where the kernel owns the identifier.
[[nodiscard]] bool is_echo_reply(std::span<const std::uint8_t> packet, bool ipv6, std::uint16_t id,
                                 std::uint16_t sequence, bool check_id);

// The ICMP part of an IPv4 packet as a raw socket receives it (empty when malformed).
[[nodiscard]] std::span<const std::uint8_t> icmp_payload_of_ipv4(std::span<const std::uint8_t> packet);

}  // namespace vigil::check
