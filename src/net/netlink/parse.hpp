#pragma once
// Pure decoding of rtnetlink datagrams: request replies (ACK/error with extended ACK text, dump
// parts) and link/address notifications. No I/O; every length is checked, so arbitrary bytes are
// safe input (tests/fuzz/netlink_parse).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <variant>
#include <vector>

#include "net/netlink/address.hpp"
#include "net/netlink/link.hpp"

namespace vigil::net::netlink {

// One message of a datagram; `bytes` spans the whole message, header included.
struct RawMessage {
  std::uint16_t type = 0;
  std::uint16_t flags = 0;
  std::uint32_t seq = 0;
  std::uint32_t port = 0;
  std::span<const std::uint8_t> bytes;
};

// The messages of one datagram, in order. A malformed header ends the walk (the kernel never sends
// one; what came before it is kept).
[[nodiscard]] std::vector<RawMessage> split_datagram(std::span<const std::uint8_t> datagram);

// The end of a request: NLMSG_ERROR (error 0 is the ACK) or NLMSG_DONE (end of a dump).
struct KernelStatus {
  int error = 0;       // 0 or a positive errno
  std::string extack;  // NLMSGERR_ATTR_MSG, e.g. "ipv4: Address already assigned"
};
// nullopt for other message types or a truncated status.
[[nodiscard]] std::optional<KernelStatus> parse_status(const RawMessage& message);

// RTM_NEWLINK / RTM_DELLINK payloads; nullopt for other types or malformed messages.
[[nodiscard]] std::optional<LinkInfo> parse_link(const RawMessage& message);
// RTM_NEWADDR / RTM_DELADDR payloads (IPv4 and IPv6 only).
[[nodiscard]] std::optional<AddressInfo> parse_address(const RawMessage& message);

// A notification from the monitor's multicast groups.
struct LinkUpdated {
  LinkInfo link;
};
struct LinkDeleted {
  LinkInfo link;
};
struct AddressUpdated {
  AddressInfo address;
};
struct AddressDeleted {
  AddressInfo address;
};
using Notification = std::variant<LinkUpdated, LinkDeleted, AddressUpdated, AddressDeleted>;

// Every link/address notification of a datagram; anything else (routes, malformed parts) is skipped.
[[nodiscard]] std::vector<Notification> parse_notifications(std::span<const std::uint8_t> datagram);

}  // namespace vigil::net::netlink
