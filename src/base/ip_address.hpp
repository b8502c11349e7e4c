#pragma once
// Address vocabulary without any socket or Asio dependency, so pure cores can use it.
#include <array>
#include <compare>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vigil {

enum class Family : std::uint8_t { kIPv4, kIPv6 };
[[nodiscard]] const char* to_string(Family family);

class IpAddress {
 public:
  IpAddress() = default;  // 0.0.0.0
  static IpAddress v4(std::array<std::uint8_t, 4> bytes);
  static IpAddress v6(std::array<std::uint8_t, 16> bytes);
  // Network byte order, 4 or 16 bytes; anything else is nullopt.
  static std::optional<IpAddress> from_bytes(std::span<const std::uint8_t> bytes);
  // "192.0.2.1" or "2001:db8::1" (no prefix, no zone).
  static std::optional<IpAddress> parse(std::string_view text);

  [[nodiscard]] Family family() const { return family_; }
  [[nodiscard]] bool is_v4() const { return family_ == Family::kIPv4; }
  [[nodiscard]] bool is_v6() const { return family_ == Family::kIPv6; }
  // 4 bytes for IPv4, 16 for IPv6, network byte order.
  [[nodiscard]] std::span<const std::uint8_t> bytes() const;
  [[nodiscard]] std::size_t size() const { return is_v4() ? 4 : 16; }
  [[nodiscard]] bool is_multicast() const;
  [[nodiscard]] bool is_link_local() const;  // fe80::/10 or 169.254/16
  [[nodiscard]] bool is_unspecified() const;
  [[nodiscard]] std::string to_string() const;

  friend auto operator<=>(const IpAddress&, const IpAddress&) = default;
  friend bool operator==(const IpAddress&, const IpAddress&) = default;

 private:
  Family family_ = Family::kIPv4;
  std::array<std::uint8_t, 16> bytes_{};  // IPv4 uses the first 4
};

struct IpPrefix {
  IpAddress address;
  std::uint8_t length = 0;

  // "192.0.2.1/24" or "2001:db8::1/64"; without "/len" the host length (32/128) is used.
  static std::optional<IpPrefix> parse(std::string_view text);
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] bool contains(const IpAddress& other) const;
  friend auto operator<=>(const IpPrefix&, const IpPrefix&) = default;
  friend bool operator==(const IpPrefix&, const IpPrefix&) = default;
};

struct MacAddress {
  std::array<std::uint8_t, 6> bytes{};
  static std::optional<MacAddress> parse(std::string_view text);  // "00:00:5e:00:01:37"
  [[nodiscard]] std::string to_string() const;
  friend auto operator<=>(const MacAddress&, const MacAddress&) = default;
  friend bool operator==(const MacAddress&, const MacAddress&) = default;
};

}  // namespace vigil
