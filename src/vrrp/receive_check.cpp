#include "vrrp/receive_check.hpp"

#include <algorithm>

namespace vigil::vrrp {

const char* to_string(RejectReason reason) {
  switch (reason) {
    case RejectReason::kTooShort: return "too-short";
    case RejectReason::kVridMismatch: return "vrid-mismatch";
    case RejectReason::kAddressCountTooLarge: return "address-count-too-large";
    case RejectReason::kBadTtl: return "bad-ttl";
    case RejectReason::kVersionMismatch: return "version-mismatch";
    case RejectReason::kUnknownAuthType: return "unknown-auth-type";
    case RejectReason::kAuthTypeMismatch: return "auth-type-mismatch";
    case RejectReason::kAuthFailure: return "auth-failure";
    case RejectReason::kIntervalMismatch: return "interval-mismatch";
    case RejectReason::kNotAdvertisement: return "not-advertisement";
    case RejectReason::kBadChecksum: return "bad-checksum";
    case RejectReason::kWrongDestination: return "wrong-destination";
    case RejectReason::kUnknownUnicastSource: return "unknown-unicast-source";
  }
  return "?";
}

namespace {

bool same_address_set(const std::vector<IpAddress>& advertised, const std::vector<IpPrefix>& configured) {
  if (advertised.size() != configured.size()) return false;
  return std::all_of(configured.begin(), configured.end(), [&](const IpPrefix& vip) {
    return std::find(advertised.begin(), advertised.end(), vip.address) != advertised.end();
  });
}

}  // namespace

tl::expected<AcceptedAdvert, RejectReason> check_advert(const ReceivedPacket& packet, const InstanceConfig& config) {
  using tl::unexpected;
  const auto header = peek_header(packet.message);
  if (!header) return unexpected(RejectReason::kTooShort);                          // RFC 5798 §7.1
  if (header->vrid != config.vrid) return unexpected(RejectReason::kVridMismatch);  // RFC 5798 §7.1
  // An unknown version is judged below; until then measure the packet by ours.
  const Version length_version = header->version == 2   ? Version::kV2
                                 : header->version == 3 ? Version::kV3
                                                        : config.version;
  if (packet.message.size() < message_length(length_version, config.family, header->address_count)) {
    return unexpected(RejectReason::kAddressCountTooLarge);  // RFC 5798 §7.1 (length); padding tolerated
  }
  if (!config.unicast() && packet.ttl != kRequiredTtl) return unexpected(RejectReason::kBadTtl);  // RFC 5798 §7.1
  if (header->version != static_cast<std::uint8_t>(config.version)) {
    return unexpected(RejectReason::kVersionMismatch);  // RFC 5798 §7.1
  }
  if (config.version == Version::kV2) {
    if (header->v2_auth_type > static_cast<std::uint8_t>(AuthType::kAh)) {
      return unexpected(RejectReason::kUnknownAuthType);  // RFC 3768 §7.1
    }
    if (header->v2_auth_type != static_cast<std::uint8_t>(config.auth_type)) {
      return unexpected(RejectReason::kAuthTypeMismatch);  // RFC 3768 §7.1
    }
    if (config.auth_type == AuthType::kPass && config.family == Family::kIPv4) {
      const std::size_t offset = message_length(Version::kV2, config.family, header->address_count) - kAuthDataLength;
      AuthData received{};
      std::copy_n(packet.message.begin() + static_cast<std::ptrdiff_t>(offset), kAuthDataLength, received.begin());
      if (!auth_data_equal(received, auth_data_from_password(config.auth_pass))) {
        return unexpected(RejectReason::kAuthFailure);  // RFC 3768 §5.3.10
      }
    }
    if (Centiseconds{header->v2_interval_seconds * 100} != config.advert_interval) {
      return unexpected(RejectReason::kIntervalMismatch);  // RFC 3768 §7.1
    }
  }
  if (header->type != kTypeAdvertisement) return unexpected(RejectReason::kNotAdvertisement);  // RFC 5798 §5.2.2
  DecodeContext context;
  context.family = config.family;
  context.source = packet.source;
  context.destination = packet.destination;
  context.v3_checksum_as_v2 = config.v3_checksum_as_v2;
  context.verify_checksum = !packet.checksum_verified;
  auto decoded = decode(packet.message, context);
  if (!decoded) {
    // Every structural fault was ruled out above; what is left is the checksum.
    return unexpected(decoded.error() == DecodeError::kBadChecksum ? RejectReason::kBadChecksum
                                                                   : RejectReason::kNotAdvertisement);
  }
  const bool multicast_destination = packet.destination.is_multicast();
  if (multicast_destination == config.unicast()) return unexpected(RejectReason::kWrongDestination);
  if (config.unicast() && std::find(config.unicast_peers.begin(), config.unicast_peers.end(), packet.source) ==
                              config.unicast_peers.end()) {
    return unexpected(RejectReason::kUnknownUnicastSource);
  }
  AcceptedAdvert accepted;
  accepted.source = packet.source;
  accepted.interval_differs = config.version == Version::kV3 && decoded->interval != config.advert_interval;
  accepted.address_list_mismatch = !same_address_set(decoded->addresses, config.vips);  // RFC 5798 §7.1 (MAY log)
  accepted.advert = std::move(*decoded);
  return accepted;
}

void ReceiveStats::count(const tl::expected<AcceptedAdvert, RejectReason>& outcome) {
  if (!outcome) {
    ++rejected[static_cast<std::size_t>(outcome.error())];
    return;
  }
  ++accepted;
  if (outcome->interval_differs) ++interval_differs;
  if (outcome->address_list_mismatch) ++address_list_mismatch;
}

}  // namespace vigil::vrrp
