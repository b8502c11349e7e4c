#pragma once
// The IPVS vocabulary Vigil programs into the kernel: virtual services (address:port+protocol or
// firewall mark, IPv4/IPv6) and their destinations (real servers). Plain values with ==, so the
// reconciler can diff what the config wants against what the kernel reports.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/ip_address.hpp"

namespace vigil::ipvs {

enum class Protocol : std::uint16_t { kTcp = 6, kUdp = 17, kSctp = 132 };
[[nodiscard]] const char* to_string(Protocol protocol);

// The kernel's IP_VS_CONN_F_FWD_MASK values.
enum class Forward : std::uint32_t { kMasq = 0, kLocal = 1, kTunnel = 2, kRoute = 3, kBypass = 4 };
[[nodiscard]] const char* to_string(Forward forward);

// IP_VS_CONN_F_TUNNEL_TYPE_* and IP_VS_TUNNEL_ENCAP_FLAG_* values.
enum class TunnelType : std::uint8_t { kIpip = 0, kGue = 1, kGre = 2 };
enum class TunnelChecksum : std::uint16_t { kNone = 0, kCsum = 1, kRemCsum = 2 };

// Service flags (IP_VS_SVC_F_*). kHashed is the kernel's own bookkeeping: never sent, ignored in dumps.
inline constexpr std::uint32_t kFlagPersistent = 0x0001;
inline constexpr std::uint32_t kFlagHashed = 0x0002;
inline constexpr std::uint32_t kFlagOnePacket = 0x0004;
inline constexpr std::uint32_t kFlagSched1 = 0x0008;  // sh-fallback, mh-fallback
inline constexpr std::uint32_t kFlagSched2 = 0x0010;  // sh-port, mh-port
inline constexpr std::uint32_t kFlagSched3 = 0x0020;

// What identifies a service in the kernel: fwmark (+family), or family+protocol+address+port.
struct ServiceKey {
  Family family = Family::kIPv4;
  std::uint32_t fwmark = 0;  // 0: an address service
  Protocol protocol = Protocol::kTcp;
  IpAddress address;
  std::uint16_t port = 0;

  static ServiceKey for_address(IpAddress address, std::uint16_t port, Protocol protocol);
  static ServiceKey for_fwmark(std::uint32_t fwmark, Family family);
  [[nodiscard]] bool is_fwmark() const { return fwmark != 0; }
  // "TCP 192.0.2.10:80", "UDP [2001:db8::1]:53", "FWM 7 (inet6)"
  [[nodiscard]] std::string to_string() const;
  friend auto operator<=>(const ServiceKey&, const ServiceKey&) = default;
  friend bool operator==(const ServiceKey&, const ServiceKey&) = default;
};

struct Service {
  ServiceKey key;
  std::string scheduler = "wlc";
  std::uint32_t flags = 0;    // without kHashed
  std::uint32_t timeout = 0;  // persistence timeout in seconds (0: none)
  // IPv4: the persistence netmask in network byte order as the kernel stores it (0xffffffff = /32);
  // IPv6: the prefix length (128).
  std::uint32_t netmask = 0xffffffff;
  std::string persistence_engine;  // "" or e.g. "sip"
  // The netmask value for a persistence prefix length of `family`.
  static std::uint32_t netmask_for(Family family, unsigned prefix_length);
  friend bool operator==(const Service&, const Service&) = default;
};

struct Destination {
  IpAddress address;
  std::uint16_t port = 0;
  Forward forward = Forward::kMasq;
  std::uint32_t weight = 1;
  std::uint32_t upper_threshold = 0;
  std::uint32_t lower_threshold = 0;
  TunnelType tunnel_type = TunnelType::kIpip;
  std::uint16_t tunnel_port = 0;
  TunnelChecksum tunnel_checksum = TunnelChecksum::kNone;
  // "192.0.2.11:80 (masq, weight 1)"
  [[nodiscard]] std::string to_string() const;
  // Same endpoint: the kernel's identity of a destination within its service.
  [[nodiscard]] bool same_endpoint(const Destination& other) const {
    return address == other.address && port == other.port;
  }
  friend bool operator==(const Destination&, const Destination&) = default;
};

// A service with its destinations, as desired or as dumped from the kernel.
struct ServiceState {
  Service service;
  std::vector<Destination> destinations;
  friend bool operator==(const ServiceState&, const ServiceState&) = default;
};

// The kernel's traffic counters of a service or destination (since it was added) and its rate
// estimates (per second, averaged by the kernel's estimator). Kept apart from Service and
// Destination: they are not configuration and never take part in a diff.
struct Stats {
  std::uint64_t connections = 0;
  std::uint64_t packets_in = 0;
  std::uint64_t packets_out = 0;
  std::uint64_t bytes_in = 0;
  std::uint64_t bytes_out = 0;
  std::uint64_t connections_per_second = 0;
  std::uint64_t packets_in_per_second = 0;
  std::uint64_t packets_out_per_second = 0;
  std::uint64_t bytes_in_per_second = 0;
  std::uint64_t bytes_out_per_second = 0;
  friend bool operator==(const Stats&, const Stats&) = default;
};

struct DestinationStats {
  IpAddress address;
  std::uint16_t port = 0;
  Stats stats;
  friend bool operator==(const DestinationStats&, const DestinationStats&) = default;
};

// One service's counters and its destinations' (an IPVS statistics dump).
struct ServiceStats {
  ServiceKey key;
  Stats stats;
  std::vector<DestinationStats> destinations;
  friend bool operator==(const ServiceStats&, const ServiceStats&) = default;
};

// Daemon-wide connection timeouts in seconds (0 = leave unchanged), IPVS_CMD_SET_CONFIG.
struct Timeouts {
  std::uint32_t tcp = 0;
  std::uint32_t tcp_fin = 0;
  std::uint32_t udp = 0;
  friend bool operator==(const Timeouts&, const Timeouts&) = default;
};

}  // namespace vigil::ipvs
