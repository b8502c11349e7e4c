// The golden captures of keepalived 2.2.7: every advert decodes, and re-encodes byte for byte.
#include <doctest/doctest.h>

#include <filesystem>
#include <string>

#include "pcap_reader.hpp"
#include "test_support.hpp"
#include "vrrp/ip_header.hpp"
#include "vrrp/packet.hpp"

using namespace vigil;
using namespace vigil::vrrp;

namespace {

const std::filesystem::path kPcapDir = "/work/shared/reference/pcaps";

}  // namespace

TEST_CASE("golden pcaps: every keepalived advert decodes and re-encodes byte-identical") {
  if (!std::filesystem::is_directory(kPcapDir)) VIGIL_SKIP("no golden captures at " + kPcapDir.string());
  int files = 0;
  int adverts = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kPcapDir)) {
    if (entry.path().extension() != ".pcap") continue;
    const std::string name = entry.path().filename().string();
    CAPTURE(name);
    const auto frames = test::read_vrrp_frames(entry.path());
    REQUIRE(frames.has_value());
    REQUIRE(!frames->empty());
    ++files;
    const bool v3 = name.find("vrrpv3") != std::string::npos;
    const bool cs10 = name.find("cs10") != std::string::npos;
    for (const auto& frame : *frames) {
      ++adverts;
      CHECK(frame.ttl == 255);
      DecodeContext context;
      context.family = frame.family;
      context.source = frame.source;
      context.destination = frame.destination;
      const auto advert = decode(frame.message, context);
      REQUIRE_MESSAGE(advert.has_value(), to_string(advert.error()));
      CHECK(advert->version == (v3 ? Version::kV3 : Version::kV2));
      CHECK(advert->vrid == 51);
      CHECK((advert->priority == 100 || advert->priority == 0));
      CHECK(advert->interval == Centiseconds{cs10 ? 10 : 100});
      CHECK(advert->auth_type == AuthType::kNone);
      REQUIRE(advert->addresses.size() == 1);
      CHECK(advert->addresses[0].to_string() == (frame.family == Family::kIPv4 ? "192.0.2.50" : "2001:db8::50"));

      const auto bytes = encode(*advert, EncodeContext{frame.source, frame.destination, false});
      REQUIRE(bytes.size() <= frame.message.size());
      CHECK(std::equal(bytes.begin(), bytes.end(), frame.message.begin()));

      if (frame.family == Family::kIPv4) {
        const auto received = parse_ipv4_packet(frame.ip_packet);
        REQUIRE(received.has_value());
        CHECK(received->header.tos == kVrrpTos);
        CHECK(received->header.protocol == kIpProtocolVrrp);
        const auto header = build_ipv4_header(received->header, bytes.size());
        CHECK(std::equal(header.begin(), header.end(), frame.ip_packet.begin()));
      }
    }
  }
  CHECK(files == 8);
  CHECK(adverts >= 40);
  MESSAGE("checked " << adverts << " adverts in " << files << " captures");
}

TEST_CASE("golden pcaps: the v3/IPv4 checksum includes the pseudo-header (keepalived default)") {
  if (!std::filesystem::is_directory(kPcapDir)) VIGIL_SKIP("no golden captures at " + kPcapDir.string());
  const auto frames = test::read_vrrp_frames(kPcapDir / "vrrpv3_ipv4_advert.pcap");
  REQUIRE(frames.has_value());
  REQUIRE(!frames->empty());
  const auto& frame = frames->front();
  DecodeContext context{Family::kIPv4, frame.source, frame.destination, false, true};
  CHECK(decode(frame.message, context).has_value());
  context.v3_checksum_as_v2 = true;
  CHECK(decode(frame.message, context).error() == DecodeError::kBadChecksum);
  // A unicast receiver puts its own address in the pseudo-header: keepalived's multicast checksum fails there.
  context.v3_checksum_as_v2 = false;
  context.destination = *IpAddress::parse("192.0.2.2");
  CHECK(decode(frame.message, context).error() == DecodeError::kBadChecksum);
}
