// Every rejection reason of the receive check, each from a crafted packet, and keepalived's order.
#include "vrrp/receive_check.hpp"

#include <doctest/doctest.h>

#include <vector>

using namespace vigil;
using namespace vigil::vrrp;

namespace {

using Bytes = std::vector<std::uint8_t>;

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

const IpAddress kPeer = ip("192.0.2.1");
const IpAddress kGroup = ip("224.0.0.18");
const IpAddress kSelf = ip("192.0.2.2");

InstanceConfig v2_config() {
  InstanceConfig c;
  c.name = "VI_1";
  c.vrid = 51;
  c.version = Version::kV2;
  c.vips = {*IpPrefix::parse("192.0.2.50/24")};
  return c;
}

Advert advert_for(const InstanceConfig& c) {
  Advert a;
  a.version = c.version;
  a.family = c.family;
  a.vrid = c.vrid;
  a.priority = 100;
  a.interval = c.advert_interval;
  a.auth_type = c.version == Version::kV2 ? c.auth_type : AuthType::kNone;
  if (a.auth_type == AuthType::kPass) a.auth_data = auth_data_from_password(c.auth_pass);
  for (const auto& vip : c.vips) a.addresses.push_back(vip.address);
  return a;
}

struct Probe {
  Bytes bytes;
  IpAddress source = kPeer;
  IpAddress destination = kGroup;
  std::uint8_t ttl = 255;

  [[nodiscard]] tl::expected<AcceptedAdvert, RejectReason> check(const InstanceConfig& c) const {
    return check_advert(ReceivedPacket{bytes, source, destination, ttl, false}, c);
  }
};

Probe probe(const InstanceConfig& /*config*/, const Advert& a, IpAddress destination = kGroup, bool as_v2 = false) {
  return Probe{encode(a, {kPeer, destination, as_v2}), kPeer, destination};
}

void fix_checksum(Bytes& b, const InstanceConfig& c, const IpAddress& dst) {
  b[6] = b[7] = 0;
  const auto sum = vrrp_checksum(b, checksum_scope(c.version, c.family, c.v3_checksum_as_v2), kPeer, dst);
  b[6] = static_cast<std::uint8_t>(sum >> 8);
  b[7] = static_cast<std::uint8_t>(sum & 0xff);
}

}  // namespace

TEST_CASE("receive check: a good v2 advert is accepted") {
  const auto c = v2_config();
  const auto result = probe(c, advert_for(c)).check(c);
  REQUIRE(result.has_value());
  CHECK(result->advert.priority == 100);
  CHECK(result->source == kPeer);
  CHECK_FALSE(result->interval_differs);
  CHECK_FALSE(result->address_list_mismatch);
}

TEST_CASE("receive check: each rejection reason") {
  auto c = v2_config();
  const auto a = advert_for(c);
  SUBCASE("too short") {
    Probe p = probe(c, a);
    p.bytes.resize(7);
    CHECK(p.check(c).error() == RejectReason::kTooShort);
  }
  SUBCASE("not our VRID") {
    auto other = a;
    other.vrid = 52;
    CHECK(probe(c, other).check(c).error() == RejectReason::kVridMismatch);
  }
  SUBCASE("oversized address count") {
    Probe p = probe(c, a);
    p.bytes[3] = 200;
    CHECK(p.check(c).error() == RejectReason::kAddressCountTooLarge);
  }
  SUBCASE("truncated auth data") {
    Probe p = probe(c, a);
    p.bytes.resize(16);
    CHECK(p.check(c).error() == RejectReason::kAddressCountTooLarge);
  }
  SUBCASE("TTL not 255 in multicast") {
    Probe p = probe(c, a);
    p.ttl = 254;
    CHECK(p.check(c).error() == RejectReason::kBadTtl);
  }
  SUBCASE("wrong version") {
    auto v3 = a;
    v3.version = Version::kV3;
    CHECK(probe(c, v3).check(c).error() == RejectReason::kVersionMismatch);
  }
  SUBCASE("unknown auth type") {
    Probe p = probe(c, a);
    p.bytes[4] = 7;
    fix_checksum(p.bytes, c, kGroup);
    CHECK(p.check(c).error() == RejectReason::kUnknownAuthType);
  }
  SUBCASE("auth type mismatch") {
    c.auth_type = AuthType::kPass;
    c.auth_pass = "secret";
    CHECK(probe(c, a).check(c).error() == RejectReason::kAuthTypeMismatch);
  }
  SUBCASE("wrong password") {
    c.auth_type = AuthType::kPass;
    c.auth_pass = "secret";
    auto wrong = advert_for(c);
    wrong.auth_data = auth_data_from_password("secreT");
    CHECK(probe(c, wrong).check(c).error() == RejectReason::kAuthFailure);
    CHECK(probe(c, advert_for(c)).check(c).has_value());
  }
  SUBCASE("v2 interval mismatch drops the advert") {
    auto slow = a;
    slow.interval = Centiseconds{200};
    CHECK(probe(c, slow).check(c).error() == RejectReason::kIntervalMismatch);
  }
  SUBCASE("not an advertisement") {
    Probe p = probe(c, a);
    p.bytes[0] = 0x22;
    fix_checksum(p.bytes, c, kGroup);
    CHECK(p.check(c).error() == RejectReason::kNotAdvertisement);
  }
  SUBCASE("bad checksum") {
    Probe p = probe(c, a);
    p.bytes[7] ^= 1;
    CHECK(p.check(c).error() == RejectReason::kBadChecksum);
  }
  SUBCASE("unicast packet for a multicast instance") {
    CHECK(probe(c, a, kSelf).check(c).error() == RejectReason::kWrongDestination);
  }
  SUBCASE("multicast packet for a unicast instance") {
    c.unicast_peers = {kPeer};
    c.unicast_source = kSelf;
    CHECK(probe(c, a).check(c).error() == RejectReason::kWrongDestination);
  }
  SUBCASE("unicast source not a configured peer") {
    c.unicast_peers = {ip("192.0.2.3")};
    c.unicast_source = kSelf;
    CHECK(probe(c, a, kSelf).check(c).error() == RejectReason::kUnknownUnicastSource);
  }
}

TEST_CASE("receive check: unicast ignores the TTL rule, the v3 pseudo-header uses the real destination") {
  auto c = v2_config();
  c.version = Version::kV3;
  c.unicast_peers = {kPeer};
  c.unicast_source = kSelf;
  Probe p = probe(c, advert_for(c), kSelf);
  p.ttl = 64;
  CHECK(p.check(c).has_value());
  // Checksummed for the multicast group (keepalived before 1.3.6): fails at the peer.
  Probe old_style{encode(advert_for(c), {kPeer, kGroup, false}), kPeer, kSelf, 255};
  CHECK(old_style.check(c).error() == RejectReason::kBadChecksum);
}

TEST_CASE("receive check: v3 interval mismatch and address list mismatch are accepted and flagged") {
  auto c = v2_config();
  c.version = Version::kV3;
  auto a = advert_for(c);
  a.interval = Centiseconds{50};
  a.addresses = {ip("192.0.2.60")};
  const auto result = probe(c, a).check(c);
  REQUIRE(result.has_value());
  CHECK(result->interval_differs);
  CHECK(result->address_list_mismatch);
  CHECK(result->advert.interval == Centiseconds{50});
  ReceiveStats stats;
  stats.count(result);
  stats.count(tl::unexpected(RejectReason::kBadTtl));
  CHECK(stats.accepted == 1);
  CHECK(stats.interval_differs == 1);
  CHECK(stats.address_list_mismatch == 1);
  CHECK(stats.rejected_for(RejectReason::kBadTtl) == 1);
}

TEST_CASE("receive check: v3 checksum option must match the sender's") {
  auto c = v2_config();
  c.version = Version::kV3;
  c.v3_checksum_as_v2 = true;
  CHECK(probe(c, advert_for(c), kGroup, true).check(c).has_value());
  CHECK(probe(c, advert_for(c), kGroup, false).check(c).error() == RejectReason::kBadChecksum);
}

TEST_CASE("receive check: keepalived's order decides the reason when several checks fail") {
  auto c = v2_config();
  auto a = advert_for(c);
  a.interval = Centiseconds{300};
  Probe p = probe(c, a);
  p.bytes[7] ^= 1;  // bad checksum too
  p.ttl = 1;        // and a bad TTL
  CHECK(p.check(c).error() == RejectReason::kBadTtl);
  p.ttl = 255;
  CHECK(p.check(c).error() == RejectReason::kIntervalMismatch);  // before the checksum
}

TEST_CASE("receive check: IPv6 with the kernel-verified checksum") {
  InstanceConfig c;
  c.vrid = 51;
  c.version = Version::kV3;
  c.family = Family::kIPv6;
  c.vips = {*IpPrefix::parse("2001:db8::50/64")};
  const IpAddress src = ip("fe80::1");
  const IpAddress group = ip("ff02::12");
  auto bytes = encode(advert_for(c), {src, group, false});
  CHECK(check_advert({bytes, src, group, 255, false}, c).has_value());
  bytes[7] ^= 1;
  CHECK(check_advert({bytes, src, group, 255, false}, c).error() == RejectReason::kBadChecksum);
  CHECK(check_advert({bytes, src, group, 255, true}, c).has_value());
  CHECK(check_advert({bytes, src, group, 64, true}, c).error() == RejectReason::kBadTtl);
}

TEST_CASE("receive check: every reason has a name") {
  for (std::size_t i = 0; i < kRejectReasonCount; ++i) {
    CHECK(std::string(to_string(static_cast<RejectReason>(i))) != "?");
  }
}
