#pragma once
// What the link/address monitor tells its subscribers: past-tense facts about kernel state.
#include <string>
#include <variant>

#include "base/ip_address.hpp"

namespace vigil::net::netlink {

// A link appeared, or its name, up or running flag changed.
struct LinkChanged {
  int ifindex = 0;
  std::string name;
  bool up = false;
  bool running = false;
  friend bool operator==(const LinkChanged&, const LinkChanged&) = default;
};

struct LinkRemoved {
  int ifindex = 0;
  std::string name;
  friend bool operator==(const LinkRemoved&, const LinkRemoved&) = default;
};

struct AddressAdded {
  int ifindex = 0;
  IpPrefix prefix;
  friend bool operator==(const AddressAdded&, const AddressAdded&) = default;
};

struct AddressRemoved {
  int ifindex = 0;
  IpPrefix prefix;
  friend bool operator==(const AddressRemoved&, const AddressRemoved&) = default;
};

using MonitorEvent = std::variant<LinkChanged, LinkRemoved, AddressAdded, AddressRemoved>;

// "link 3 veth0 up running", "address added 192.0.2.1/24 on 3", ...
[[nodiscard]] std::string to_string(const MonitorEvent& event);

}  // namespace vigil::net::netlink
