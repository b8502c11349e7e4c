#pragma once
// What the wire drivers need to know about one interface, read from the kernel of the calling
// thread's network namespace: index, MAC, the primary IPv4 address and the IPv6 link-local.
#include <optional>
#include <string>
#include <string_view>

#include "base/ip_address.hpp"
#include "base/result.hpp"

namespace vigil::net::wire {

struct InterfaceInfo {
  std::string name;
  int index = 0;
  std::optional<MacAddress> mac;           // none on interfaces without a link-layer address
  std::optional<IpAddress> primary_v4;     // first (primary) IPv4 address, as keepalived picks it
  std::optional<IpAddress> link_local_v6;  // first fe80::/10 address that finished DAD
  bool link_local_tentative = false;       // a link-local exists but DAD has not finished yet
  bool running = false;                    // IFF_RUNNING: up with carrier
};

[[nodiscard]] Result<int> interface_index(std::string_view name);
[[nodiscard]] Result<InterfaceInfo> query_interface(std::string_view name);

}  // namespace vigil::net::wire
