#include "net/wire/interface_info.hpp"

#include <ifaddrs.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>

#include <cstdio>
#include <cstring>
#include <fstream>
#include <memory>
#include <sstream>

namespace vigil::net::wire {
namespace {

constexpr unsigned kIfaFlagTentative = 0x40;  // IFA_F_TENTATIVE
constexpr unsigned kIfaFlagDadFailed = 0x08;  // IFA_F_DADFAILED

struct IfaddrsDeleter {
  void operator()(ifaddrs* list) const { ::freeifaddrs(list); }
};

// getifaddrs() does not report IPv6 address flags, but DAD state decides whether the link-local
// can be a source yet; /proc/net/if_inet6 has it (columns: address, ifindex, prefix, scope, flags, name).
void read_link_local(InterfaceInfo& info) {
  // thread-self: the namespace of this thread, which tests switch with setns().
  std::ifstream file("/proc/thread-self/net/if_inet6");
  std::string line;
  while (std::getline(file, line)) {
    std::istringstream fields(line);
    std::string hex, index, prefix, scope, flags, name;
    if (!(fields >> hex >> index >> prefix >> scope >> flags >> name) || name != info.name || hex.size() != 32)
      continue;
    std::array<std::uint8_t, 16> bytes{};
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      bytes[i] = static_cast<std::uint8_t>(std::stoul(hex.substr(i * 2, 2), nullptr, 16));
    }
    const IpAddress address = IpAddress::v6(bytes);
    if (!address.is_link_local()) continue;
    const unsigned flag_bits = static_cast<unsigned>(std::stoul(flags, nullptr, 16));
    if ((flag_bits & (kIfaFlagTentative | kIfaFlagDadFailed)) != 0) {
      info.link_local_tentative = true;
      continue;
    }
    if (!info.link_local_v6) info.link_local_v6 = address;
  }
  if (info.link_local_v6) info.link_local_tentative = false;
}

}  // namespace

Result<int> interface_index(std::string_view name) {
  const std::string nul_terminated(name);
  const unsigned index = ::if_nametoindex(nul_terminated.c_str());
  if (index == 0) return fail(errno_error("interface " + nul_terminated));
  return static_cast<int>(index);
}

Result<InterfaceInfo> query_interface(std::string_view name) {
  InterfaceInfo info;
  info.name = std::string(name);
  auto index = interface_index(name);
  if (!index) return fail(index.error());
  info.index = *index;

  ifaddrs* raw_list = nullptr;
  if (::getifaddrs(&raw_list) != 0) return fail(errno_error("getifaddrs"));
  const std::unique_ptr<ifaddrs, IfaddrsDeleter> list(raw_list);
  for (const ifaddrs* entry = raw_list; entry != nullptr; entry = entry->ifa_next) {
    if (entry->ifa_name == nullptr || info.name != entry->ifa_name || entry->ifa_addr == nullptr) continue;
    info.running = (entry->ifa_flags & IFF_RUNNING) != 0;
    switch (entry->ifa_addr->sa_family) {
      case AF_PACKET: {
        sockaddr_ll link{};
        std::memcpy(&link, entry->ifa_addr, sizeof link);
        if (link.sll_halen == 6) {
          MacAddress mac;
          std::memcpy(mac.bytes.data(), link.sll_addr, 6);
          info.mac = mac;
        }
        break;
      }
      case AF_INET: {
        // The kernel lists primary addresses before secondaries, so the first one is the primary.
        if (info.primary_v4) break;
        sockaddr_in in{};
        std::memcpy(&in, entry->ifa_addr, sizeof in);
        std::array<std::uint8_t, 4> bytes{};
        std::memcpy(bytes.data(), &in.sin_addr, 4);
        info.primary_v4 = IpAddress::v4(bytes);
        break;
      }
      default: break;
    }
  }
  read_link_local(info);
  return info;
}

}  // namespace vigil::net::wire
