#pragma once
// What an instance asks its driver to do: imperative, one variant, executed in order.
#include <cstdint>
#include <variant>
#include <vector>

#include "base/ip_address.hpp"
#include "vrrp/packet.hpp"
#include "vrrp/state.hpp"

namespace vigil::vrrp {

// Encode with encode() and send to the multicast group, or once per unicast peer (each with its
// own checksum: the pseudo-header destination is the peer).
struct SendAdvert {
  Advert advert;
};

// Add the addresses (one kernel transaction) and answer with VipsAdded{request}.
struct AddVips {
  std::uint64_t request = 0;
  std::vector<IpPrefix> vips;
};

struct RemoveVips {
  std::vector<IpPrefix> vips;
};

enum class GratuitousReason : std::uint8_t {
  kBecameMaster,         // first burst, once the kernel holds the VIPs
  kSecondBurst,          // garp_master_delay later
  kRefresh,              // every garp_master_refresh
  kLowerPriorityMaster,  // a lower-priority master appeared (garp_lower_prio_repeat)
  kVipsAdded,            // VIPs added in place while master
};
[[nodiscard]] const char* to_string(GratuitousReason reason);

// Gratuitous ARP (IPv4) / unsolicited NA (IPv6) for each address, `repeat` times.
struct SendGratuitous {
  std::vector<IpPrefix> vips;
  std::uint32_t repeat = 1;
  GratuitousReason reason = GratuitousReason::kBecameMaster;
};

// Run the notify scripts / FIFO line for a new reported state.
struct RunNotify {
  State state = State::kBackup;
  std::uint8_t priority = 0;
};

using Action = std::variant<SendAdvert, AddVips, RemoveVips, SendGratuitous, RunNotify>;
using Actions = std::vector<Action>;
[[nodiscard]] const char* action_name(const Action& action);

}  // namespace vigil::vrrp
