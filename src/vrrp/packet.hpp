#pragma once
// VRRP advertisement codec: VRRPv2 (RFC 3768) and VRRPv3 (RFC 5798 / RFC 9568), IPv4 and IPv6.
// Pure functions on bytes: the message starts at the VRRP header (no IP header; see ip_header.hpp).
#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "vrrp/checksum.hpp"
#include "vrrp/constants.hpp"

namespace vigil::vrrp {

using AuthData = std::array<std::uint8_t, kAuthDataLength>;

struct Advert {
  Version version = Version::kV2;
  Family family = Family::kIPv4;
  std::uint8_t vrid = 0;
  std::uint8_t priority = kPriorityDefault;
  // v2 carries whole seconds (RFC 3768 §5.3.7), v3 centiseconds in 12 bits (RFC 5798 §5.2.7).
  Centiseconds interval = kDefaultInterval;
  AuthType auth_type = AuthType::kNone;  // v2 only; always kNone in v3
  AuthData auth_data{};                  // v2 over IPv4 only: the PASS password, zero-padded
  std::vector<IpAddress> addresses;      // of `family`

  friend bool operator==(const Advert&, const Advert&) = default;
};

// The addresses the checksum pseudo-header needs; the destination is the real one (peer in unicast).
struct EncodeContext {
  IpAddress source;
  IpAddress destination;
  bool v3_checksum_as_v2 = false;
};

struct DecodeContext {
  Family family = Family::kIPv4;
  IpAddress source;
  IpAddress destination;
  bool v3_checksum_as_v2 = false;
  // IPv6 raw sockets with IPV6_CHECKSUM have the kernel verify it; tests and IPv4 verify here.
  bool verify_checksum = true;
};

enum class DecodeError : std::uint8_t {
  kTooShort,              // fewer bytes than the fixed header
  kAddressCountTooLarge,  // the count claims more addresses (and auth data) than the bytes hold
  kUnknownVersion,        // neither 2 nor 3
  kNotAdvertisement,      // type other than 1 (RFC 5798 §5.2.2)
  kUnknownAuthType,       // v2 auth type above 2
  kBadChecksum,
};
[[nodiscard]] const char* to_string(DecodeError error);

// The fixed 8 bytes, uninterpreted: the receive check looks at them in keepalived's order.
struct RawHeader {
  std::uint8_t version = 0;  // high nibble of byte 0
  std::uint8_t type = 0;     // low nibble of byte 0
  std::uint8_t vrid = 0;
  std::uint8_t priority = 0;
  std::uint8_t address_count = 0;
  std::uint8_t v2_auth_type = 0;           // byte 4 (v2)
  std::uint8_t v2_interval_seconds = 0;    // byte 5 (v2)
  std::uint16_t v3_interval_centisec = 0;  // low 12 bits of bytes 4-5 (v3)
  std::uint16_t checksum = 0;
};
[[nodiscard]] std::optional<RawHeader> peek_header(std::span<const std::uint8_t> message);

// Header + addresses (+ the 8-byte auth field for v2 over IPv4). Anything after it is link padding.
[[nodiscard]] std::size_t message_length(Version version, Family family, std::size_t address_count);

// Encodes `advert`, computing its checksum. Fields the wire cannot carry are clamped (v2 interval to
// whole seconds 0..255, v3 to 0..4095 cs, at most 255 addresses); addresses of the other family are left out.
[[nodiscard]] std::vector<std::uint8_t> encode(const Advert& advert, const EncodeContext& context);

// Decodes one advert; trailing bytes (Ethernet minimum-frame padding) are ignored.
[[nodiscard]] tl::expected<Advert, DecodeError> decode(std::span<const std::uint8_t> message,
                                                       const DecodeContext& context);

// The PASS field for a password: first 8 bytes, zero-padded (longer ones are truncated, as keepalived does).
[[nodiscard]] AuthData auth_data_from_password(std::string_view password);
// Compares in time independent of where the first difference is.
[[nodiscard]] bool auth_data_equal(const AuthData& a, const AuthData& b);

}  // namespace vigil::vrrp
