#pragma once
// GratuitousSender: announces VIPs on one interface after a takeover. IPv4 gets a gratuitous ARP
// sent as a whole Ethernet frame through an AF_PACKET socket, so its Ethernet and ARP sender
// addresses are the MAC we choose (the VMAC with use_vmac). IPv6 gets an unsolicited neighbour
// advertisement to ff02::1 through a raw ICMPv6 socket with hop limit 255 (receivers drop NAs
// with any other, RFC 4861 §7.1.2); the kernel builds the Ethernet header, so its source is the
// interface's own MAC, and the target link-layer option carries the chosen MAC. With use_vmac,
// send on the VMAC interface and both agree.
//
// Timing (garp_master_delay, repeat, refresh) is the engine's; this only sends one packet per call.
// Sockets open on first use, so an IPv4-only instance never needs IPv6 and the other way round.
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/generic/raw_protocol.hpp>
#include <optional>
#include <string>

#include "base/ip_address.hpp"
#include "base/result.hpp"

namespace vigil::net::wire {

class GratuitousSender {
 public:
  // `source_mac`: the VMAC with use_vmac; by default the interface's own MAC.
  [[nodiscard]] static Result<GratuitousSender> open(const asio::any_io_executor& executor, std::string interface,
                                                     std::optional<MacAddress> source_mac = std::nullopt);

  [[nodiscard]] const std::string& interface_name() const { return interface_; }
  [[nodiscard]] const MacAddress& source_mac() const { return mac_; }

  // Opens the socket that announcements for `vip`'s family leave on (otherwise the first send
  // opens it), so that a new master's first GARP or NA does not wait for it.
  [[nodiscard]] Result<void> open_socket_for(const IpAddress& vip) {
    return vip.is_v4() ? open_arp_socket() : open_advert_socket();
  }

  // One announcement for `vip`: a gratuitous ARP, or an unsolicited NA without the R flag. Sent
  // at once, without suspending, unless the device queue is full (then it waits for room).
  asio::awaitable<Result<void>> announce(IpAddress vip);

  // One gratuitous ARP for an IPv4 VIP.
  asio::awaitable<Result<void>> send_arp(IpAddress vip);
  // One unsolicited NA for an IPv6 VIP. `router`: set the R flag (keepalived does when IPv6
  // forwarding is on for the interface, see ipv6_forwarding_enabled()). The IPv6 source is the VIP
  // itself, as keepalived 2.2 sends it, so the VIP must not be tentative (add VIPs with nodad).
  asio::awaitable<Result<void>> send_neighbour_advert(IpAddress vip, bool router);

 private:
  GratuitousSender(const asio::any_io_executor& executor, std::string interface, int interface_index, MacAddress mac);
  [[nodiscard]] Result<void> open_arp_socket();
  [[nodiscard]] Result<void> open_advert_socket();
  [[nodiscard]] Result<void> send_arp_now(std::span<const std::uint8_t> frame, const IpAddress& vip);
  [[nodiscard]] Result<void> send_advert_now(std::span<const std::uint8_t> message, const IpAddress& vip);

  std::string interface_;
  int interface_index_ = 0;
  MacAddress mac_;
  asio::generic::raw_protocol::socket arp_socket_;
  asio::generic::raw_protocol::socket advert_socket_;
};

}  // namespace vigil::net::wire
