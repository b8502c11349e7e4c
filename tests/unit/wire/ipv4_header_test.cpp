#include "net/wire/ipv4_header.hpp"

#include <doctest/doctest.h>

#include <vector>

using vigil::IpAddress;
using vigil::net::wire::parse_ipv4_header;

// The first advert of reference/pcaps/vrrpv2_ipv4_advert.pcap (keepalived 2.2.7), from the IP header on.
const std::vector<std::uint8_t> kKeepalivedAdvert = {0x45, 0xc0, 0x00, 0x28, 0x00, 0x04, 0x00, 0x00, 0xff, 0x70,
                                                     0x18, 0x8e, 0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x12,
                                                     0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0xb8, 0x97, 0xc0, 0x00,
                                                     0x02, 0x32, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00};

TEST_CASE("the IPv4 header of a keepalived advert gives TTL, protocol, addresses and payload offset") {
  const auto header = parse_ipv4_header(kKeepalivedAdvert);
  REQUIRE(header);
  CHECK(header->header_length == 20);
  CHECK(header->total_length == 40);
  CHECK(header->ttl == 255);
  CHECK(header->protocol == 112);
  CHECK(header->source == *IpAddress::parse("192.0.2.1"));
  CHECK(header->destination == *IpAddress::parse("224.0.0.18"));
}

TEST_CASE("IPv4 options move the payload offset") {
  auto with_options = kKeepalivedAdvert;
  with_options[0] = 0x46;  // IHL 6: one 4-byte option word
  with_options.insert(with_options.begin() + 20, {0x01, 0x01, 0x01, 0x00});
  const auto header = parse_ipv4_header(with_options);
  REQUIRE(header);
  CHECK(header->header_length == 24);
  CHECK(header->destination == *IpAddress::parse("224.0.0.18"));
}

TEST_CASE("bytes that cannot be an IPv4 header are refused") {
  CHECK_FALSE(parse_ipv4_header({}));
  CHECK_FALSE(parse_ipv4_header(std::span(kKeepalivedAdvert).first(19)));
  auto wrong_version = kKeepalivedAdvert;
  wrong_version[0] = 0x65;
  CHECK_FALSE(parse_ipv4_header(wrong_version));
  auto short_ihl = kKeepalivedAdvert;
  short_ihl[0] = 0x44;
  CHECK_FALSE(parse_ipv4_header(short_ihl));
  auto ihl_past_end = std::vector<std::uint8_t>(kKeepalivedAdvert.begin(), kKeepalivedAdvert.begin() + 20);
  ihl_past_end[0] = 0x4f;
  CHECK_FALSE(parse_ipv4_header(ihl_past_end));
}
