#pragma once
// Interface addresses: what to add or remove (AddressSpec) and what the kernel reports (AddressInfo).
#include <cstdint>
#include <optional>
#include <string>

#include "base/ip_address.hpp"

namespace vigil::net::netlink {

// rtnetlink scopes (RT_SCOPE_*), shared by addresses and routes.
enum class Scope : std::uint8_t { kUniverse = 0, kSite = 200, kLink = 253, kHost = 254, kNowhere = 255 };
[[nodiscard]] const char* to_string(Scope scope);

struct AddressSpec {
  int ifindex = 0;
  IpPrefix prefix{};    // the address itself and its prefix length (not masked)
  std::string label{};  // IPv4 only ("eth0:vip"); empty: none
  Scope scope = Scope::kUniverse;
  std::optional<IpAddress> broadcast{};  // IPv4 only
  bool nodad = false;                    // IPv6: usable at once, no duplicate address detection (VIPs)
};

struct AddressInfo {
  int ifindex = 0;
  IpPrefix prefix{};
  std::uint8_t scope = 0;  // raw RT_SCOPE_* value
  std::string label{};
  std::uint32_t flags = 0;  // IFA_F_*

  friend bool operator==(const AddressInfo&, const AddressInfo&) = default;
};

}  // namespace vigil::net::netlink
