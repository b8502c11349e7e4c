#include "net/wire/neighbour_frames.hpp"

#include <doctest/doctest.h>

#include <vector>

using vigil::IpAddress;
using vigil::MacAddress;
using vigil::net::wire::build_gratuitous_arp;
using vigil::net::wire::build_unsolicited_advert;

const MacAddress kMac = *MacAddress::parse("02:00:00:00:01:00");

TEST_CASE("the gratuitous ARP frame is byte for byte the one keepalived sends") {
  // reference/pcaps/vrrpv2_ipv4_transition.pcap, frame 2
  const std::vector<std::uint8_t> keepalived = {0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02, 0x00, 0x00, 0x00, 0x01,
                                                0x00, 0x08, 0x06, 0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,
                                                0x02, 0x00, 0x00, 0x00, 0x01, 0x00, 0xc0, 0x00, 0x02, 0x32, 0xff,
                                                0xff, 0xff, 0xff, 0xff, 0xff, 0xc0, 0x00, 0x02, 0x32};
  const auto frame = build_gratuitous_arp(kMac, *IpAddress::parse("192.0.2.50"));
  CHECK(std::vector<std::uint8_t>(frame.begin(), frame.end()) == keepalived);
}

TEST_CASE("the unsolicited NA is keepalived's, checksum left to the kernel") {
  // reference/pcaps/vrrpv3_ipv6_transition.pcap, frame 2, ICMPv6 part with the checksum zeroed
  const std::vector<std::uint8_t> keepalived = {0x88, 0x00, 0x00, 0x00, 0x20, 0x00, 0x00, 0x00, 0x20, 0x01, 0x0d,
                                                0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
                                                0x00, 0x50, 0x02, 0x01, 0x02, 0x00, 0x00, 0x00, 0x01, 0x00};
  const auto message = build_unsolicited_advert(kMac, *IpAddress::parse("2001:db8::50"), /*router=*/false);
  CHECK(std::vector<std::uint8_t>(message.begin(), message.end()) == keepalived);
  const auto as_router = build_unsolicited_advert(kMac, *IpAddress::parse("2001:db8::50"), /*router=*/true);
  CHECK(as_router[4] == 0xa0);
}
