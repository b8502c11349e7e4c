#pragma once
// Opening a probe socket with the checker's fwmark (SO_MARK), bind_if (SO_BINDTODEVICE) and
// bindto / bind_port.
#include <sys/socket.h>

#include <asio/ip/address.hpp>
#include <cerrno>
#include <cstring>
#include <string>

#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "checker/checker_spec.hpp"

namespace vigil::checker {

[[nodiscard]] asio::ip::address to_asio(const IpAddress& address);

// Sets fwmark and bind_if on an open descriptor.
[[nodiscard]] Result<void> apply_socket_options(int fd, const SocketOptions& options);

// Opens `socket` for `protocol`, applies the options and binds when bindto/bind_port are set.
template <class Socket, class Protocol>
Result<void> open_probe_socket(Socket& socket, const Protocol& protocol, const SocketOptions& options) {
  asio::error_code ec;
  socket.open(protocol, ec);
  if (ec) return fail(make_error(ec, "cannot open a socket"));
  if (auto applied = apply_socket_options(socket.native_handle(), options); !applied) return applied;
  if (options.bindto || options.bind_port) {
    socket.set_option(asio::socket_base::reuse_address(true), ec);
    const auto address = options.bindto                  ? to_asio(*options.bindto)
                         : protocol.family() == AF_INET6 ? asio::ip::address(asio::ip::address_v6::any())
                                                         : asio::ip::address(asio::ip::address_v4::any());
    socket.bind(typename Protocol::endpoint(address, options.bind_port.value_or(0)), ec);
    if (ec)
      return fail(make_error(
          ec, "cannot bind to " + address.to_string() + ":" + std::to_string(options.bind_port.value_or(0))));
  }
  return {};
}

}  // namespace vigil::checker
