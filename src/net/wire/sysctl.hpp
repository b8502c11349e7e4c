#pragma once
// Reading and writing /proc/sys of the calling thread's network namespace. The root is a
// parameter so tests can point it at a scratch directory.
#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vigil::net::wire {

inline constexpr std::string_view kProcSys = "/proc/sys";

// `key` is the path below the root, e.g. "net/ipv4/conf/eth0/arp_ignore" (interface names keep
// their dots here, unlike sysctl(8) keys). The value comes back without the trailing newline.
[[nodiscard]] Result<std::string> read_sysctl(std::string_view key, std::string_view root = kProcSys);
[[nodiscard]] Result<void> write_sysctl(std::string_view key, std::string_view value, std::string_view root = kProcSys);

// keepalived sets the Router flag of its neighbour adverts when the interface forwards IPv6.
[[nodiscard]] Result<bool> ipv6_forwarding_enabled(std::string_view interface, std::string_view root = kProcSys);

}  // namespace vigil::net::wire
