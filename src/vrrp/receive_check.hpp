#pragma once
// Receive validation of one advert for one instance, in keepalived's order (vrrp_check_packet),
// so that a packet with several faults is counted under the same reason keepalived would count it.
// The driver calls check_advert() for every packet, counts the outcome in ReceiveStats, logs the
// notes of accepted adverts, and feeds only accepted ones to the instance as AdvertReceived.
#include <array>
#include <cstdint>
#include <span>

#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "vrrp/config.hpp"
#include "vrrp/packet.hpp"

namespace vigil::vrrp {

enum class RejectReason : std::uint8_t {
  kTooShort,              // shorter than the fixed header
  kVridMismatch,          // not this instance's VRID
  kAddressCountTooLarge,  // the address count runs past the received bytes
  kBadTtl,                // TTL / hop limit not 255 (multicast only)
  kVersionMismatch,
  kUnknownAuthType,   // v2 auth type above 2
  kAuthTypeMismatch,  // v2 auth type differs from ours
  kAuthFailure,       // v2 PASS password differs
  kIntervalMismatch,  // v2 advert interval differs from ours (v3 only notes it)
  kNotAdvertisement,  // type other than 1
  kBadChecksum,
  kWrongDestination,      // multicast packet for a unicast instance or the reverse
  kUnknownUnicastSource,  // unicast: the source is not a configured peer
};
inline constexpr std::size_t kRejectReasonCount = 13;
[[nodiscard]] const char* to_string(RejectReason reason);

struct ReceivedPacket {
  std::span<const std::uint8_t> message;  // from the VRRP header on; link padding may follow
  IpAddress source;
  IpAddress destination;
  std::uint8_t ttl = 0;  // IPv4 TTL or IPv6 hop limit
  // IPv6 raw sockets with IPV6_CHECKSUM drop bad checksums in the kernel.
  bool checksum_verified = false;
};

struct AcceptedAdvert {
  Advert advert;
  IpAddress source;
  bool interval_differs = false;       // v3: the master advertises another interval (adopted, logged)
  bool address_list_mismatch = false;  // logged and counted, still accepted (keepalived)
};

[[nodiscard]] tl::expected<AcceptedAdvert, RejectReason> check_advert(const ReceivedPacket& packet,
                                                                      const InstanceConfig& config);

struct ReceiveStats {
  std::uint64_t accepted = 0;
  std::uint64_t interval_differs = 0;
  std::uint64_t address_list_mismatch = 0;
  std::array<std::uint64_t, kRejectReasonCount> rejected{};

  void count(const tl::expected<AcceptedAdvert, RejectReason>& outcome);
  [[nodiscard]] std::uint64_t rejected_for(RejectReason reason) const {
    return rejected[static_cast<std::size_t>(reason)];
  }
};

}  // namespace vigil::vrrp
