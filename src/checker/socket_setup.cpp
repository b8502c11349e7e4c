#include "checker/socket_setup.hpp"

#include <net/if.h>

namespace vigil::checker {

asio::ip::address to_asio(const IpAddress& address) {
  const auto bytes = address.bytes();
  if (address.is_v4()) {
    asio::ip::address_v4::bytes_type b{};
    std::copy(bytes.begin(), bytes.end(), b.begin());
    return asio::ip::address_v4(b);
  }
  asio::ip::address_v6::bytes_type b{};
  std::copy(bytes.begin(), bytes.end(), b.begin());
  return asio::ip::address_v6(b);
}

Result<void> apply_socket_options(int fd, const SocketOptions& options) {
  if (options.fwmark) {
    const unsigned int mark = *options.fwmark;
    if (::setsockopt(fd, SOL_SOCKET, SO_MARK, &mark, sizeof mark) != 0)
      return fail(errno_error("cannot set fwmark " + std::to_string(mark)));
  }
  if (options.bind_if) {
    const std::string& name = *options.bind_if;
    if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, name.c_str(), static_cast<socklen_t>(name.size())) != 0)
      return fail(errno_error("cannot bind to interface " + name));
  }
  return {};
}

}  // namespace vigil::checker
