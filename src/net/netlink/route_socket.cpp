#include "net/netlink/route_socket.hpp"

#include <linux/netlink.h>
#include <sys/socket.h>

#include <cstring>
#include <string>

namespace vigil::net::netlink {

namespace {

Result<void> set_option(RouteProtocol::socket& socket, int level, int name, int value, const char* what) {
  if (::setsockopt(socket.native_handle(), level, name, &value, sizeof value) != 0) {
    return fail(errno_error(std::string("netlink socket: setsockopt ") + what));
  }
  return {};
}

RouteProtocol::endpoint make_endpoint() {
  sockaddr_nl address{};
  address.nl_family = AF_NETLINK;
  return {&address, sizeof address, NETLINK_ROUTE};
}

}  // namespace

RouteProtocol::endpoint kernel_endpoint() { return make_endpoint(); }

std::optional<std::uint32_t> sender_port(const RouteProtocol::endpoint& from) {
  if (from.size() < sizeof(sockaddr_nl)) return std::nullopt;
  sockaddr_nl address{};
  std::memcpy(&address, from.data(), sizeof address);
  if (address.nl_family != AF_NETLINK) return std::nullopt;
  return address.nl_pid;
}

Result<RouteProtocol::socket> open_route_socket(const asio::any_io_executor& executor, int receive_buffer_bytes,
                                                int protocol) {
  RouteProtocol::socket socket(executor);
  asio::error_code ec;
  socket.open(RouteProtocol(AF_NETLINK, protocol), ec);
  if (ec) return fail(make_error(ec, "netlink socket: open"));
  socket.bind(make_endpoint(), ec);  // port id 0: the kernel picks a unique one
  if (ec) return fail(make_error(ec, "netlink socket: bind"));
  if (auto r = set_option(socket, SOL_NETLINK, NETLINK_EXT_ACK, 1, "NETLINK_EXT_ACK"); !r) return fail(r.error());
  if (auto r = set_option(socket, SOL_NETLINK, NETLINK_CAP_ACK, 1, "NETLINK_CAP_ACK"); !r) return fail(r.error());
  if (receive_buffer_bytes > 0) {
    // FORCE passes net.core.rmem_max (needs CAP_NET_ADMIN); plain SO_RCVBUF is the fallback.
    if (!set_option(socket, SOL_SOCKET, SO_RCVBUFFORCE, receive_buffer_bytes, "SO_RCVBUFFORCE")) {
      if (auto r = set_option(socket, SOL_SOCKET, SO_RCVBUF, receive_buffer_bytes, "SO_RCVBUF"); !r) {
        return fail(r.error());
      }
    }
  }
  return socket;
}

Result<void> join_groups(RouteProtocol::socket& socket, std::span<const unsigned> groups) {
  for (const unsigned group : groups) {
    if (auto r =
            set_option(socket, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, static_cast<int>(group), "NETLINK_ADD_MEMBERSHIP");
        !r) {
      return r;
    }
  }
  return {};
}

}  // namespace vigil::net::netlink
