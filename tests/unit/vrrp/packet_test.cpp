// Codec vectors: known bytes (keepalived's, as captured), RFC field rules, round trips, every DecodeError.
#include "vrrp/packet.hpp"

#include <doctest/doctest.h>

#include <vector>

#include "vrrp/checksum.hpp"
#include "vrrp/ip_header.hpp"

using namespace vigil;
using namespace vigil::vrrp;

namespace {

using Bytes = std::vector<std::uint8_t>;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const IpAddress kSource4 = ip("192.0.2.1");
const IpAddress kGroup4 = ip("224.0.0.18");
const IpAddress kSource6 = ip("fe80::ff:fe00:100");
const IpAddress kGroup6 = ip("ff02::12");

Advert advert(Version version, Family family, std::vector<IpAddress> addresses,
              Centiseconds interval = Centiseconds{100}) {
  Advert a;
  a.version = version;
  a.family = family;
  a.vrid = 51;
  a.priority = 100;
  a.interval = interval;
  a.addresses = std::move(addresses);
  return a;
}

DecodeContext context4(bool as_v2 = false) { return {Family::kIPv4, kSource4, kGroup4, as_v2, true}; }
DecodeContext context6() { return {Family::kIPv6, kSource6, kGroup6, false, true}; }

}  // namespace

TEST_CASE("codec: VRRPv2/IPv4 advert encodes to keepalived's bytes") {
  // RFC 3768 §5.1: version 2, type 1, VRID 51, priority 100, one address, no auth, 1 s, 8 zero auth bytes.
  const Bytes expected = {0x21, 0x33, 0x64, 0x01, 0x00, 0x01, 0xb8, 0x97, 0xc0, 0x00,
                          0x02, 0x32, 0,    0,    0,    0,    0,    0,    0,    0};
  CHECK(encode(advert(Version::kV2, Family::kIPv4, {ip("192.0.2.50")}), {kSource4, kGroup4, false}) == expected);
  CHECK(message_length(Version::kV2, Family::kIPv4, 1) == 20);
}

TEST_CASE("codec: VRRPv3/IPv4 checksum covers the IPv4 pseudo-header by default") {
  const Bytes expected = {0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x05, 0xa4, 0xc0, 0x00, 0x02, 0x32};
  const auto a = advert(Version::kV3, Family::kIPv4, {ip("192.0.2.50")});
  CHECK(encode(a, {kSource4, kGroup4, false}) == expected);
  // 0.1 s = 10 cs (the cs10 capture)
  const Bytes fast = {0x31, 0x33, 0x64, 0x01, 0x00, 0x0a, 0x05, 0xfe, 0xc0, 0x00, 0x02, 0x32};
  CHECK(encode(advert(Version::kV3, Family::kIPv4, {ip("192.0.2.50")}, Centiseconds{10}), {kSource4, kGroup4, false}) ==
        fast);
}

TEST_CASE("codec: v3_checksum_as_v2 leaves the pseudo-header out (RFC 9568)") {
  const auto a = advert(Version::kV3, Family::kIPv4, {ip("192.0.2.50")});
  const auto plain = encode(a, {kSource4, kGroup4, true});
  CHECK(internet_checksum(plain) == 0);  // the plain sum over the message verifies
  CHECK(decode(plain, context4(true)).value() == a);
  CHECK(decode(plain, context4(false)).error() == DecodeError::kBadChecksum);
  // Unicast: the pseudo-header destination is the peer, so the checksum differs per peer.
  const auto to_peer_a = encode(a, {kSource4, ip("192.0.2.2"), false});
  const auto to_peer_b = encode(a, {kSource4, ip("192.0.2.3"), false});
  CHECK(to_peer_a != to_peer_b);
  CHECK(decode(to_peer_a, {Family::kIPv4, kSource4, ip("192.0.2.2"), false, true}).has_value());
  CHECK(decode(to_peer_a, {Family::kIPv4, kSource4, ip("192.0.2.3"), false, true}).error() ==
        DecodeError::kBadChecksum);
}

TEST_CASE("codec: VRRPv3/IPv6 advert with the IPv6 pseudo-header") {
  // 2001:db8::50 is 20 01 0d b8, eleven zero bytes, 50.
  Bytes expected = {0x31, 0x33, 0x64, 0x01, 0x00, 0x64, 0x3e, 0x40, 0x20, 0x01, 0x0d, 0xb8};
  expected.resize(expected.size() + 11, 0);
  expected.push_back(0x50);
  const auto a = advert(Version::kV3, Family::kIPv6, {ip("2001:db8::50")});
  CHECK(encode(a, {kSource6, kGroup6, false}) == expected);
  CHECK(decode(expected, context6()).value() == a);
  CHECK(checksum_scope(Version::kV3, Family::kIPv6, true) == ChecksumScope::kIpv6PseudoHeader);
  // With IPV6_CHECKSUM the kernel verified it; the codec then skips the check.
  Bytes corrupted = expected;
  corrupted[7] ^= 0xff;
  CHECK(decode(corrupted, context6()).error() == DecodeError::kBadChecksum);
  auto trusted = context6();
  trusted.verify_checksum = false;
  CHECK(decode(corrupted, trusted).has_value());
}

TEST_CASE("codec: PASS authentication field (RFC 3768 §5.3.10)") {
  auto a = advert(Version::kV2, Family::kIPv4, {ip("192.0.2.50")});
  a.auth_type = AuthType::kPass;
  a.auth_data = auth_data_from_password("secret123");  // 9 characters: keepalived keeps 8
  const auto bytes = encode(a, {kSource4, kGroup4, false});
  REQUIRE(bytes.size() == 20);
  CHECK(bytes[4] == 1);
  const Bytes field(bytes.begin() + 12, bytes.end());
  CHECK(field == Bytes{'s', 'e', 'c', 'r', 'e', 't', '1', '2'});
  CHECK(decode(bytes, context4()).value() == a);

  const auto short_pass = auth_data_from_password("ab");
  CHECK(short_pass == AuthData{'a', 'b', 0, 0, 0, 0, 0, 0});
  CHECK(auth_data_equal(short_pass, auth_data_from_password("ab")));
  CHECK_FALSE(auth_data_equal(short_pass, auth_data_from_password("ac")));
  CHECK_FALSE(auth_data_equal(short_pass, auth_data_from_password("ab\x01")));
}

TEST_CASE("codec: advert interval units and limits") {
  // v2: whole seconds in one byte (RFC 3768 §5.3.7)
  auto v2 = advert(Version::kV2, Family::kIPv4, {ip("192.0.2.50")}, Centiseconds{300});
  CHECK(encode(v2, {kSource4, kGroup4, false})[5] == 3);
  // v3: 12 bits of centiseconds, the 4 reserved bits zero (RFC 5798 §5.2.7)
  auto v3 = advert(Version::kV3, Family::kIPv4, {ip("192.0.2.50")}, Centiseconds{4095});
  auto bytes = encode(v3, {kSource4, kGroup4, false});
  CHECK(bytes[4] == 0x0f);
  CHECK(bytes[5] == 0xff);
  CHECK(decode(bytes, context4()).value().interval == kMaxV3Interval);
  v3.interval = Centiseconds{5000};  // 50 s does not fit: clamped to 40.95 s
  bytes = encode(v3, {kSource4, kGroup4, false});
  CHECK(decode(bytes, context4()).value().interval == kMaxV3Interval);
  // Reserved bits set by a sender are ignored on receive.
  v3.interval = Centiseconds{100};
  bytes = encode(v3, {kSource4, kGroup4, true});
  bytes[4] |= 0xf0;
  bytes[6] = bytes[7] = 0;
  const auto sum = internet_checksum(bytes);
  bytes[6] = static_cast<std::uint8_t>(sum >> 8);
  bytes[7] = static_cast<std::uint8_t>(sum & 0xff);
  CHECK(decode(bytes, context4(true)).value().interval == Centiseconds{100});
}

TEST_CASE("codec: Ethernet padding after the message is ignored") {
  const auto a = advert(Version::kV3, Family::kIPv4, {ip("192.0.2.50")});
  auto bytes = encode(a, {kSource4, kGroup4, false});
  bytes.resize(bytes.size() + 14, 0);  // a 12-byte advert padded up to a minimum frame
  CHECK(decode(bytes, context4()).value() == a);
}

TEST_CASE("codec: round trips over versions, families and address counts") {
  struct Case {
    Version version;
    Family family;
    std::size_t addresses;
  };
  for (const Case c : {Case{Version::kV2, Family::kIPv4, 0}, Case{Version::kV2, Family::kIPv4, 1},
                       Case{Version::kV2, Family::kIPv4, 255}, Case{Version::kV3, Family::kIPv4, 3},
                       Case{Version::kV3, Family::kIPv4, 255}, Case{Version::kV3, Family::kIPv6, 1},
                       Case{Version::kV3, Family::kIPv6, 40}, Case{Version::kV2, Family::kIPv6, 2}}) {
    CAPTURE(to_string(c.version));
    CAPTURE(to_string(c.family));
    CAPTURE(c.addresses);
    std::vector<IpAddress> addresses;
    for (std::size_t i = 0; i < c.addresses; ++i) {
      std::array<std::uint8_t, 16> b{};
      b[0] = 0x20;
      b[1] = 0x01;
      b[14] = static_cast<std::uint8_t>(i >> 8);
      b[15] = static_cast<std::uint8_t>(i);
      addresses.push_back(c.family == Family::kIPv4 ? IpAddress::v4({198, 51, 100, static_cast<std::uint8_t>(i)})
                                                    : IpAddress::v6(b));
    }
    auto a = advert(c.version, c.family, addresses);
    a.priority = static_cast<std::uint8_t>(1 + c.addresses % 254);
    const IpAddress src = c.family == Family::kIPv4 ? kSource4 : kSource6;
    const IpAddress dst = c.family == Family::kIPv4 ? kGroup4 : kGroup6;
    const auto bytes = encode(a, {src, dst, false});
    CHECK(bytes.size() == message_length(c.version, c.family, c.addresses));
    CHECK(decode(bytes, {c.family, src, dst, false, true}).value() == a);
  }
}

TEST_CASE("codec: encode leaves out addresses of the other family and caps the count at 255") {
  auto a = advert(Version::kV3, Family::kIPv4, {ip("192.0.2.50"), ip("2001:db8::1"), ip("192.0.2.51")});
  const auto decoded = decode(encode(a, {kSource4, kGroup4, false}), context4()).value();
  CHECK(decoded.addresses == std::vector<IpAddress>{ip("192.0.2.50"), ip("192.0.2.51")});
  std::vector<IpAddress> many(300, ip("192.0.2.9"));
  const auto bytes = encode(advert(Version::kV3, Family::kIPv4, many), {kSource4, kGroup4, false});
  CHECK(bytes[3] == 255);
  CHECK(bytes.size() == message_length(Version::kV3, Family::kIPv4, 255));
}

TEST_CASE("codec: every DecodeError") {
  const auto good = encode(advert(Version::kV2, Family::kIPv4, {ip("192.0.2.50")}), {kSource4, kGroup4, false});
  auto with = [&](auto&& change) {
    Bytes b = good;
    change(b);
    return decode(b, context4());
  };
  CHECK(decode(Bytes(good.begin(), good.begin() + 7), context4()).error() == DecodeError::kTooShort);
  CHECK(decode(Bytes(good.begin(), good.begin() + 19), context4()).error() == DecodeError::kAddressCountTooLarge);
  CHECK(with([](Bytes& b) { b[3] = 2; }).error() == DecodeError::kAddressCountTooLarge);
  CHECK(with([](Bytes& b) { b[0] = 0x41; }).error() == DecodeError::kUnknownVersion);
  CHECK(with([](Bytes& b) { b[0] = 0x22; }).error() == DecodeError::kNotAdvertisement);
  CHECK(with([](Bytes& b) { b[4] = 3; }).error() == DecodeError::kUnknownAuthType);
  CHECK(with([](Bytes& b) { b[2] = 99; }).error() == DecodeError::kBadChecksum);
  for (auto e : {DecodeError::kTooShort, DecodeError::kAddressCountTooLarge, DecodeError::kUnknownVersion,
                 DecodeError::kNotAdvertisement, DecodeError::kUnknownAuthType, DecodeError::kBadChecksum}) {
    CHECK(std::string(to_string(e)) != "?");
  }
}

TEST_CASE("ip header: build and parse the IPv4 header of an advert") {
  const Bytes message = encode(advert(Version::kV2, Family::kIPv4, {ip("192.0.2.50")}), {kSource4, kGroup4, false});
  Ipv4Header header;
  header.identification = 4;
  header.source = kSource4;
  header.destination = kGroup4;
  const auto built = build_ipv4_header(header, message.size());
  // keepalived's first v2 advert in the capture: 45 c0 00 28 00 04 00 00 ff 70 18 8e c0 00 02 01 e0 00 00 12
  const Bytes expected = {0x45, 0xc0, 0x00, 0x28, 0x00, 0x04, 0x00, 0x00, 0xff, 0x70,
                          0x18, 0x8e, 0xc0, 0x00, 0x02, 0x01, 0xe0, 0x00, 0x00, 0x12};
  CHECK(Bytes(built.begin(), built.end()) == expected);

  Bytes packet(built.begin(), built.end());
  packet.insert(packet.end(), message.begin(), message.end());
  packet.resize(packet.size() + 6, 0);  // link padding after the IP total length
  const auto parsed = parse_ipv4_packet(packet).value();
  CHECK(parsed.header == header);
  CHECK(Bytes(parsed.payload.begin(), parsed.payload.end()) == message);

  Bytes bad = packet;
  bad[0] = 0x65;
  CHECK(parse_ipv4_packet(bad).error() == IpHeaderError::kNotIpv4);
  bad = packet;
  bad[0] = 0x44;
  CHECK(parse_ipv4_packet(bad).error() == IpHeaderError::kBadHeaderLength);
  bad = packet;
  bad[3] = 0xff;
  CHECK(parse_ipv4_packet(bad).error() == IpHeaderError::kTotalLengthTooLong);
  bad = packet;
  bad[6] = 0x20;
  CHECK(parse_ipv4_packet(bad).error() == IpHeaderError::kFragment);
  CHECK(parse_ipv4_packet(Bytes(packet.begin(), packet.begin() + 19)).error() == IpHeaderError::kTooShort);
}
