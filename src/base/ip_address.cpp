#include "base/ip_address.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <charconv>
#include <cstdio>

namespace vigil {

const char* to_string(Family family) {
  switch (family) {
    case Family::kIPv4: return "ipv4";
    case Family::kIPv6: return "ipv6";
  }
  return "?";
}

IpAddress IpAddress::v4(std::array<std::uint8_t, 4> bytes) {
  IpAddress address;
  address.family_ = Family::kIPv4;
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

IpAddress IpAddress::v6(std::array<std::uint8_t, 16> bytes) {
  IpAddress address;
  address.family_ = Family::kIPv6;
  address.bytes_ = bytes;
  return address;
}

std::optional<IpAddress> IpAddress::from_bytes(std::span<const std::uint8_t> bytes) {
  IpAddress address;
  if (bytes.size() == 4) {
    address.family_ = Family::kIPv4;
  } else if (bytes.size() == 16) {
    address.family_ = Family::kIPv6;
  } else {
    return std::nullopt;
  }
  std::copy(bytes.begin(), bytes.end(), address.bytes_.begin());
  return address;
}

std::optional<IpAddress> IpAddress::parse(std::string_view text) {
  if (text.empty() || text.size() > INET6_ADDRSTRLEN) return std::nullopt;
  const std::string nul_terminated(text);
  IpAddress address;
  if (::inet_pton(AF_INET, nul_terminated.c_str(), address.bytes_.data()) == 1) {
    address.family_ = Family::kIPv4;
    return address;
  }
  if (::inet_pton(AF_INET6, nul_terminated.c_str(), address.bytes_.data()) == 1) {
    address.family_ = Family::kIPv6;
    return address;
  }
  return std::nullopt;
}

std::span<const std::uint8_t> IpAddress::bytes() const { return {bytes_.data(), size()}; }

bool IpAddress::is_multicast() const { return is_v4() ? (bytes_[0] & 0xf0) == 0xe0 : bytes_[0] == 0xff; }

bool IpAddress::is_link_local() const {
  return is_v4() ? (bytes_[0] == 169 && bytes_[1] == 254) : (bytes_[0] == 0xfe && (bytes_[1] & 0xc0) == 0x80);
}

bool IpAddress::is_unspecified() const {
  return std::all_of(bytes_.begin(), bytes_.begin() + static_cast<std::ptrdiff_t>(size()),
                     [](std::uint8_t b) { return b == 0; });
}

std::string IpAddress::to_string() const {
  char text[INET6_ADDRSTRLEN] = {};
  ::inet_ntop(is_v4() ? AF_INET : AF_INET6, bytes_.data(), text, sizeof text);
  return text;
}

std::optional<IpPrefix> IpPrefix::parse(std::string_view text) {
  const auto slash = text.find('/');
  const auto address = IpAddress::parse(text.substr(0, slash));
  if (!address) return std::nullopt;
  const unsigned max_length = address->is_v4() ? 32 : 128;
  unsigned length = max_length;
  if (slash != std::string_view::npos) {
    const std::string_view digits = text.substr(slash + 1);
    const auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), length);
    if (digits.empty() || ec != std::errc{} || end != digits.data() + digits.size() || length > max_length) {
      return std::nullopt;
    }
  }
  return IpPrefix{*address, static_cast<std::uint8_t>(length)};
}

std::string IpPrefix::to_string() const { return address.to_string() + "/" + std::to_string(length); }

bool IpPrefix::contains(const IpAddress& other) const {
  if (other.family() != address.family()) return false;
  const auto mine = address.bytes();
  const auto theirs = other.bytes();
  unsigned bits = length;
  for (std::size_t i = 0; i < mine.size() && bits > 0; ++i) {
    const unsigned take = bits >= 8 ? 8 : bits;
    const auto mask = static_cast<std::uint8_t>(0xff << (8 - take));
    if ((mine[i] & mask) != (theirs[i] & mask)) return false;
    bits -= take;
  }
  return true;
}

std::optional<MacAddress> MacAddress::parse(std::string_view text) {
  MacAddress mac;
  if (text.size() != 17) return std::nullopt;
  for (std::size_t i = 0; i < 6; ++i) {
    const std::string_view octet = text.substr(i * 3, 2);
    if (i < 5 && text[i * 3 + 2] != ':' && text[i * 3 + 2] != '-') return std::nullopt;
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(octet.data(), octet.data() + 2, value, 16);
    if (ec != std::errc{} || end != octet.data() + 2) return std::nullopt;
    mac.bytes[i] = static_cast<std::uint8_t>(value);
  }
  return mac;
}

std::string MacAddress::to_string() const {
  char text[18];
  std::snprintf(text, sizeof text, "%02x:%02x:%02x:%02x:%02x:%02x", bytes[0], bytes[1], bytes[2], bytes[3], bytes[4],
                bytes[5]);
  return text;
}

}  // namespace vigil
