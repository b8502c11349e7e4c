#pragma once
// Network interfaces as rtnetlink reports them (LinkInfo) and the macvlan interfaces Vigil creates
// for VMACs (MacvlanSpec).
#include <cstdint>
#include <optional>
#include <string>

#include "base/ip_address.hpp"

namespace vigil::net::netlink {

struct LinkInfo {
  int ifindex = 0;
  std::string name{};
  bool up = false;       // IFF_UP: administratively up
  bool running = false;  // IFF_RUNNING: up and has carrier
  std::optional<MacAddress> mac{};
  std::uint16_t arp_type = 0;  // ARPHRD_* (1 = Ethernet)
  std::string kind{};          // IFLA_INFO_KIND: "veth", "macvlan", "dummy"; empty for physical NICs
  int parent_ifindex = 0;      // IFLA_LINK (macvlan parent, veth peer); 0 when absent
  std::uint32_t mtu = 0;

  friend bool operator==(const LinkInfo&, const LinkInfo&) = default;
};

enum class MacvlanMode : std::uint8_t { kPrivate, kVepa, kBridge, kPassthru };
[[nodiscard]] const char* to_string(MacvlanMode mode);

struct MacvlanSpec {
  std::string name{};
  int parent_ifindex = 0;
  std::optional<MacAddress> mac{};  // the kernel picks a random one when absent
  MacvlanMode mode = MacvlanMode::kPrivate;
};

}  // namespace vigil::net::netlink
