#include "vrrp/packet.hpp"

#include <algorithm>

namespace vigil::vrrp {

const char* to_string(DecodeError error) {
  switch (error) {
    case DecodeError::kTooShort: return "too-short";
    case DecodeError::kAddressCountTooLarge: return "address-count-too-large";
    case DecodeError::kUnknownVersion: return "unknown-version";
    case DecodeError::kNotAdvertisement: return "not-advertisement";
    case DecodeError::kUnknownAuthType: return "unknown-auth-type";
    case DecodeError::kBadChecksum: return "bad-checksum";
  }
  return "?";
}

std::optional<RawHeader> peek_header(std::span<const std::uint8_t> message) {
  if (message.size() < kHeaderLength) return std::nullopt;
  RawHeader header;
  header.version = static_cast<std::uint8_t>(message[0] >> 4);  // RFC 5798 §5.2.1
  header.type = static_cast<std::uint8_t>(message[0] & 0x0f);   // RFC 5798 §5.2.2
  header.vrid = message[1];
  header.priority = message[2];
  header.address_count = message[3];
  header.v2_auth_type = message[4];                                                                 // RFC 3768 §5.3.6
  header.v2_interval_seconds = message[5];                                                          // RFC 3768 §5.3.7
  header.v3_interval_centisec = static_cast<std::uint16_t>((message[4] & 0x0f) << 8 | message[5]);  // RFC 5798 §5.2.7
  header.checksum = static_cast<std::uint16_t>(message[6] << 8 | message[7]);
  return header;
}

std::size_t message_length(Version version, Family family, std::size_t address_count) {
  std::size_t length = kHeaderLength + address_count * address_length(family);
  if (version == Version::kV2 && family == Family::kIPv4) length += kAuthDataLength;  // RFC 3768 §5.3.10
  return length;
}

std::vector<std::uint8_t> encode(const Advert& advert, const EncodeContext& context) {
  std::vector<const IpAddress*> addresses;
  for (const auto& address : advert.addresses) {
    if (address.family() == advert.family && addresses.size() < kMaxAddresses) addresses.push_back(&address);
  }
  std::vector<std::uint8_t> out(message_length(advert.version, advert.family, addresses.size()), 0);
  out[0] = static_cast<std::uint8_t>(static_cast<std::uint8_t>(advert.version) << 4 | kTypeAdvertisement);
  out[1] = advert.vrid;
  out[2] = advert.priority;
  out[3] = static_cast<std::uint8_t>(addresses.size());
  if (advert.version == Version::kV2) {
    const auto seconds = std::clamp<std::int64_t>((advert.interval.count() + 50) / 100, 0, 255);
    out[4] = static_cast<std::uint8_t>(advert.auth_type);
    out[5] = static_cast<std::uint8_t>(seconds);
  } else {
    // RFC 5798 §5.2.7: 4 reserved bits (zero) then 12 bits of centiseconds.
    const auto centisec = std::clamp<std::int64_t>(advert.interval.count(), 0, kMaxV3Interval.count());
    out[4] = static_cast<std::uint8_t>(centisec >> 8);
    out[5] = static_cast<std::uint8_t>(centisec & 0xff);
  }
  std::size_t offset = kHeaderLength;
  for (const auto* address : addresses) {
    const auto bytes = address->bytes();
    std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<std::ptrdiff_t>(offset));
    offset += bytes.size();
  }
  if (advert.version == Version::kV2 && advert.family == Family::kIPv4) {
    // RFC 3768 §5.3.10: zero unless PASS.
    if (advert.auth_type == AuthType::kPass) {
      std::copy(advert.auth_data.begin(), advert.auth_data.end(), out.begin() + static_cast<std::ptrdiff_t>(offset));
    }
  }
  const auto scope = checksum_scope(advert.version, advert.family, context.v3_checksum_as_v2);
  const std::uint16_t checksum = vrrp_checksum(out, scope, context.source, context.destination);
  out[6] = static_cast<std::uint8_t>(checksum >> 8);
  out[7] = static_cast<std::uint8_t>(checksum & 0xff);
  return out;
}

tl::expected<Advert, DecodeError> decode(std::span<const std::uint8_t> message, const DecodeContext& context) {
  const auto header = peek_header(message);
  if (!header) return tl::unexpected(DecodeError::kTooShort);
  if (header->version != 2 && header->version != 3) return tl::unexpected(DecodeError::kUnknownVersion);
  Advert advert;
  advert.version = header->version == 2 ? Version::kV2 : Version::kV3;
  advert.family = context.family;
  const std::size_t length = message_length(advert.version, advert.family, header->address_count);
  if (message.size() < length) return tl::unexpected(DecodeError::kAddressCountTooLarge);
  if (header->type != kTypeAdvertisement) return tl::unexpected(DecodeError::kNotAdvertisement);  // RFC 5798 §5.2.2
  if (advert.version == Version::kV2 && header->v2_auth_type > static_cast<std::uint8_t>(AuthType::kAh)) {
    return tl::unexpected(DecodeError::kUnknownAuthType);
  }
  const auto body = message.first(length);
  if (context.verify_checksum) {
    const auto scope = checksum_scope(advert.version, advert.family, context.v3_checksum_as_v2);
    if (vrrp_checksum(body, scope, context.source, context.destination) != 0) {
      return tl::unexpected(DecodeError::kBadChecksum);
    }
  }
  advert.vrid = header->vrid;
  advert.priority = header->priority;
  if (advert.version == Version::kV2) {
    advert.auth_type = static_cast<AuthType>(header->v2_auth_type);
    advert.interval = Centiseconds{header->v2_interval_seconds * 100};
  } else {
    advert.interval = Centiseconds{header->v3_interval_centisec};
  }
  const std::size_t step = address_length(advert.family);
  std::size_t offset = kHeaderLength;
  advert.addresses.reserve(header->address_count);
  for (std::size_t i = 0; i < header->address_count; ++i, offset += step) {
    advert.addresses.push_back(*IpAddress::from_bytes(body.subspan(offset, step)));
  }
  if (advert.version == Version::kV2 && advert.family == Family::kIPv4) {
    std::copy_n(body.begin() + static_cast<std::ptrdiff_t>(offset), kAuthDataLength, advert.auth_data.begin());
    // Only PASS gives the field meaning; normalising keeps decode(encode(x)) == x.
    if (advert.auth_type != AuthType::kPass) advert.auth_data = {};
  }
  return advert;
}

AuthData auth_data_from_password(std::string_view password) {
  AuthData data{};
  const std::size_t n = std::min(password.size(), data.size());
  for (std::size_t i = 0; i < n; ++i) data[i] = static_cast<std::uint8_t>(password[i]);
  return data;
}

bool auth_data_equal(const AuthData& a, const AuthData& b) {
  std::uint8_t difference = 0;
  for (std::size_t i = 0; i < a.size(); ++i) difference = static_cast<std::uint8_t>(difference | (a[i] ^ b[i]));
  return difference == 0;
}

}  // namespace vigil::vrrp
