#pragma once
// Builds rtnetlink request messages with libnl (nlmsg_alloc_simple + nla_put). Pure: no socket, no
// sequence number, no NLM_F_ACK (the transport adds those). Used by Netlink and by byte-level tests.
#include <memory>
#include <optional>
#include <string_view>

#include "base/result.hpp"
#include "net/netlink/address.hpp"
#include "net/netlink/link.hpp"
#include "net/netlink/route.hpp"

struct nl_msg;

namespace vigil::net::netlink {

struct MessageFree {
  void operator()(nl_msg* message) const noexcept;
};
using Message = std::unique_ptr<nl_msg, MessageFree>;

[[nodiscard]] Result<Message> build_add_address(const AddressSpec& spec);
[[nodiscard]] Result<Message> build_remove_address(const AddressSpec& spec);
[[nodiscard]] Result<Message> build_add_route(const RouteSpec& spec);
[[nodiscard]] Result<Message> build_remove_route(const RouteSpec& spec);
[[nodiscard]] Result<Message> build_add_rule(const RuleSpec& spec);
[[nodiscard]] Result<Message> build_remove_rule(const RuleSpec& spec);
[[nodiscard]] Result<Message> build_create_macvlan(const MacvlanSpec& spec);
[[nodiscard]] Result<Message> build_delete_link(int ifindex);
[[nodiscard]] Result<Message> build_set_link_up(int ifindex, bool up);
[[nodiscard]] Result<Message> build_set_link_mac(int ifindex, const MacAddress& mac);
[[nodiscard]] Result<Message> build_get_link(std::string_view name);
[[nodiscard]] Result<Message> build_dump_links();
[[nodiscard]] Result<Message> build_dump_addresses(std::optional<Family> family);

// The message's bytes (header included), for sending and for tests.
[[nodiscard]] std::span<const std::uint8_t> message_bytes(const Message& message);

}  // namespace vigil::net::netlink
