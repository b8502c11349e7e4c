#pragma once
// The bytes that tell a LAN an address moved to us: a gratuitous ARP request (RFC 5227 §3 calls
// it an ARP Announcement) and an unsolicited neighbour advertisement (RFC 4861 §7.2.6). Pure.
#include <array>
#include <cstdint>

#include "base/ip_address.hpp"

namespace vigil::net::wire {

inline constexpr std::size_t kGratuitousArpFrameLength = 42;       // Ethernet 14 + ARP 28, unpadded
inline constexpr std::size_t kUnsolicitedAdvertLength = 32;        // ICMPv6 NA 24 + target link-layer option 8
inline constexpr std::uint32_t kAdvertFlagRouter = 0x80000000U;    // RFC 4861 §4.4 R
inline constexpr std::uint32_t kAdvertFlagOverride = 0x20000000U;  // RFC 4861 §4.4 O

// A whole Ethernet frame: broadcast, ARP request with sender and target protocol address both the
// VIP and sender hardware address `mac`. The target hardware address is all ones, as keepalived
// sends it (RFC 5227 says it is ignored).
[[nodiscard]] std::array<std::uint8_t, kGratuitousArpFrameLength> build_gratuitous_arp(const MacAddress& mac,
                                                                                       const IpAddress& vip);

// The ICMPv6 message only (the kernel adds the IPv6 header and the checksum): type 136, Override
// set, Solicited clear (unsolicited, RFC 4861 §7.2.6), Router as asked, target = VIP, and a target
// link-layer address option carrying `mac`.
[[nodiscard]] std::array<std::uint8_t, kUnsolicitedAdvertLength> build_unsolicited_advert(const MacAddress& mac,
                                                                                          const IpAddress& vip,
                                                                                          bool router);

}  // namespace vigil::net::wire
