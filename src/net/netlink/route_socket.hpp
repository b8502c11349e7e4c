#pragma once
// Opening NETLINK_ROUTE sockets on the io_context (shared by the request client and the monitor).
#include <asio/any_io_executor.hpp>
#include <asio/generic/raw_protocol.hpp>
#include <cstdint>
#include <optional>
#include <span>

#include "base/result.hpp"

namespace vigil::net::netlink {

using RouteProtocol = asio::generic::raw_protocol;

// Room for the largest datagram the kernel sends (dump parts grow up to 32 KiB); asio does not
// report MSG_TRUNC, so the buffer must never be the limit.
inline constexpr std::size_t kReceiveBufferSize = std::size_t{64} * 1024;

// A bound socket (the kernel assigns the port id) with NETLINK_EXT_ACK and NETLINK_CAP_ACK on.
// `receive_buffer_bytes` sets SO_RCVBUFFORCE (SO_RCVBUF without CAP_NET_ADMIN); 0 keeps the default.
// `protocol`: NETLINK_ROUTE (0), or NETLINK_GENERIC (16) for generic netlink families such as IPVS.
[[nodiscard]] Result<RouteProtocol::socket> open_route_socket(const asio::any_io_executor& executor,
                                                              int receive_buffer_bytes, int protocol = 0);

// Joins RTNLGRP_* multicast groups.
[[nodiscard]] Result<void> join_groups(RouteProtocol::socket& socket, std::span<const unsigned> groups);

[[nodiscard]] RouteProtocol::endpoint kernel_endpoint();

// The sender's port id (0 = the kernel); nullopt when `from` is not a netlink address.
[[nodiscard]] std::optional<std::uint32_t> sender_port(const RouteProtocol::endpoint& from);

}  // namespace vigil::net::netlink
