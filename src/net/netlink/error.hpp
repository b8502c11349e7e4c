#pragma once
// Errors from rtnetlink: Error.code carries the kernel's errno in netlink_category() (it compares
// equal to std::errc values), Error.message carries the operation and the kernel's extended ACK text.
#include <string_view>
#include <system_error>

#include "base/error.hpp"

namespace vigil::net::netlink {

// Codes are positive errno values as the kernel reported them in NLMSG_ERROR / NLMSG_DONE.
[[nodiscard]] const std::error_category& netlink_category() noexcept;

// "<what>: <strerror> (kernel: <extack>)"; the extack part is left out when the kernel sent none.
[[nodiscard]] Error kernel_error(int errno_value, std::string_view what, std::string_view extack);

// True when `error` came from the kernel (or a socket) with this errno.
[[nodiscard]] bool has_errno(const Error& error, int errno_value) noexcept;

}  // namespace vigil::net::netlink
