#include "base/ip_address.hpp"

#include <doctest/doctest.h>

using vigil::IpAddress;
using vigil::IpPrefix;
using vigil::MacAddress;

TEST_CASE("IPv4 and IPv6 addresses parse and print") {
  const auto v4 = IpAddress::parse("192.0.2.1");
  REQUIRE(v4);
  CHECK(v4->is_v4());
  CHECK(v4->to_string() == "192.0.2.1");
  CHECK(v4->bytes().size() == 4);

  const auto v6 = IpAddress::parse("2001:db8::1");
  REQUIRE(v6);
  CHECK(v6->is_v6());
  CHECK(v6->to_string() == "2001:db8::1");

  CHECK_FALSE(IpAddress::parse("192.0.2.256"));
  CHECK_FALSE(IpAddress::parse(""));
  CHECK_FALSE(IpAddress::parse("192.0.2.1/24"));
  CHECK(IpAddress::parse("224.0.0.18")->is_multicast());
  CHECK(IpAddress::parse("fe80::1")->is_link_local());
}

TEST_CASE("prefixes parse with and without length") {
  const auto p = IpPrefix::parse("192.0.2.100/24");
  REQUIRE(p);
  CHECK(p->length == 24);
  CHECK(p->contains(*IpAddress::parse("192.0.2.7")));
  CHECK_FALSE(p->contains(*IpAddress::parse("198.51.100.7")));
  CHECK(IpPrefix::parse("2001:db8::5")->length == 128);
  CHECK_FALSE(IpPrefix::parse("192.0.2.1/33"));
  CHECK_FALSE(IpPrefix::parse("192.0.2.1/"));
  CHECK_FALSE(IpPrefix::parse("192.0.2.1/2x"));
}

TEST_CASE("MAC addresses parse and print") {
  const auto mac = MacAddress::parse("00:00:5E:00:01:37");
  REQUIRE(mac);
  CHECK(mac->to_string() == "00:00:5e:00:01:37");
  CHECK_FALSE(MacAddress::parse("00:00:5e:00:01"));
  CHECK_FALSE(MacAddress::parse("00:00:5e:00:01:zz"));
}
