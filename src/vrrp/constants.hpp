#pragma once
// Protocol constants and the small enums every part of the VRRP core shares.
#include <chrono>
#include <cstdint>

#include "base/ip_address.hpp"

namespace vigil::vrrp {

// Advert intervals travel in seconds (v2) or centiseconds (v3); one unit for both keeps the maths exact.
using Centiseconds = std::chrono::duration<std::int64_t, std::centi>;

enum class Version : std::uint8_t { kV2 = 2, kV3 = 3 };
[[nodiscard]] const char* to_string(Version version);

// RFC 3768 §5.3.6: only v2 carries an authentication type; AH (2) is recognised but not implemented.
enum class AuthType : std::uint8_t { kNone = 0, kPass = 1, kAh = 2 };
[[nodiscard]] const char* to_string(AuthType type);

inline constexpr std::uint8_t kIpProtocolVrrp = 112;   // RFC 5798 §5.1.1.3
inline constexpr std::uint8_t kRequiredTtl = 255;      // RFC 5798 §5.1.1.3 / §5.1.2.3
inline constexpr std::uint8_t kPriorityOwner = 255;    // RFC 5798 §5.2.4
inline constexpr std::uint8_t kPriorityDefault = 100;  // RFC 5798 §5.2.4
inline constexpr std::uint8_t kPriorityStop = 0;       // RFC 5798 §5.2.4
inline constexpr std::uint8_t kTypeAdvertisement = 1;  // RFC 5798 §5.2.2
inline constexpr std::size_t kHeaderLength = 8;
inline constexpr std::size_t kAuthDataLength = 8;         // RFC 3768 §5.3.10 (v2 over IPv4 only)
inline constexpr std::size_t kMaxAddresses = 255;         // the count field is one byte
inline constexpr Centiseconds kMaxV3Interval{0x0fff};     // RFC 5798 §5.2.7: 12 bits of centiseconds
inline constexpr Centiseconds kMaxV2Interval{255 * 100};  // RFC 3768 §5.3.7: one byte of seconds
inline constexpr Centiseconds kDefaultInterval{100};

// 224.0.0.18 and ff02::12 (RFC 5798 §5.1.1.2, §5.1.2.2).
[[nodiscard]] IpAddress multicast_group(Family family);
[[nodiscard]] inline std::size_t address_length(Family family) { return family == Family::kIPv4 ? 4 : 16; }

}  // namespace vigil::vrrp
