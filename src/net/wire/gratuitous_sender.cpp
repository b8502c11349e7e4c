#include "net/wire/gratuitous_sender.hpp"

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "net/wire/asio_error.hpp"
#include "net/wire/interface_info.hpp"
#include "net/wire/neighbour_frames.hpp"
#include "rt/tokens.hpp"

namespace vigil::net::wire {
namespace {

constexpr int kNeighbourDiscoveryHopLimit = 255;  // RFC 4861 §7.1.2

Result<void> set_option(int fd, int level, int name, const void* value, socklen_t length, const char* what) {
  if (::setsockopt(fd, level, name, value, length) != 0) return fail(errno_error(std::string("setsockopt ") + what));
  return {};
}

// Where a gratuitous ARP goes: the Ethernet broadcast address of the interface.
sockaddr_ll broadcast_link(int interface_index) {
  sockaddr_ll link{};
  link.sll_family = AF_PACKET;
  link.sll_protocol = htons(ETH_P_ARP);
  link.sll_ifindex = interface_index;
  link.sll_halen = 6;
  std::memset(link.sll_addr, 0xff, 6);
  return link;
}

bool would_block(const Error& error) {
  return error.code == std::errc::resource_unavailable_try_again || error.code == std::errc::operation_would_block;
}

}  // namespace

Result<GratuitousSender> GratuitousSender::open(const asio::any_io_executor& executor, std::string interface,
                                                std::optional<MacAddress> source_mac) {
  auto info = query_interface(interface);
  if (!info) return fail(info.error());
  if (!source_mac) source_mac = info->mac;
  if (!source_mac) {
    return fail(make_error(std::errc::address_not_available, "interface " + interface + " has no MAC address"));
  }
  const int index = info->index;
  return GratuitousSender(executor, std::move(interface), index, *source_mac);
}

GratuitousSender::GratuitousSender(const asio::any_io_executor& executor, std::string interface, int interface_index,
                                   MacAddress mac)
    : interface_(std::move(interface)),
      interface_index_(interface_index),
      mac_(mac),
      arp_socket_(executor),
      advert_socket_(executor) {}

Result<void> GratuitousSender::open_arp_socket() {
  if (arp_socket_.is_open()) return {};
  std::error_code ec;
  // Protocol 0: the socket only sends. With ETH_P_ARP the kernel would also queue every ARP
  // packet the host sees on it, for nobody to read.
  arp_socket_.open(asio::generic::raw_protocol(AF_PACKET, 0), ec);
  if (ec) return fail(asio_error(ec, "AF_PACKET socket for gratuitous ARP on " + interface_));
  return {};
}

Result<void> GratuitousSender::open_advert_socket() {
  if (advert_socket_.is_open()) return {};
  std::error_code ec;
  advert_socket_.open(asio::generic::raw_protocol(AF_INET6, IPPROTO_ICMPV6), ec);
  if (!ec) advert_socket_.non_blocking(true, ec);
  if (ec) return fail(asio_error(ec, "ICMPv6 socket for neighbour adverts on " + interface_));
  const int fd = advert_socket_.native_handle();
  // Send-only: block every ICMPv6 type so nothing queues up on the receive side.
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  const int hops = kNeighbourDiscoveryHopLimit;
  Result<void> result = set_option(fd, IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter, "ICMP6_FILTER");
  if (result) result = set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, &hops, sizeof hops, "IPV6_MULTICAST_HOPS");
  if (result) result = set_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, &hops, sizeof hops, "IPV6_UNICAST_HOPS");
  if (result) {
    result = set_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, &interface_index_, sizeof interface_index_,
                        "IPV6_MULTICAST_IF");
  }
  if (result) {
    result = set_option(fd, SOL_SOCKET, SO_BINDTODEVICE, interface_.c_str(), static_cast<socklen_t>(interface_.size()),
                        "SO_BINDTODEVICE");
  }
  if (!result) {
    advert_socket_.close(ec);
    Error error = result.error();
    error.message += " on " + interface_;
    return fail(std::move(error));
  }
  return {};
}

asio::awaitable<Result<void>> GratuitousSender::announce(IpAddress vip) {
  // Not `v4 ? co_await a : co_await b`: g++ 12 destroys the result of such a conditional twice.
  if (vip.is_v4()) co_return co_await send_arp(vip);
  co_return co_await send_neighbour_advert(vip, false);
}

Result<void> GratuitousSender::send_arp_now(std::span<const std::uint8_t> frame, const IpAddress& vip) {
  // A plain sendto() with MSG_DONTWAIT, as for the NA: Asio's send on this blocking socket would
  // queue an io_uring SENDMSG, a pass of the event loop more before the first GARP of a new master.
  const sockaddr_ll link = broadcast_link(interface_index_);
  ssize_t sent = 0;
  do {
    sent = ::sendto(arp_socket_.native_handle(), frame.data(), frame.size(), MSG_DONTWAIT,
                    reinterpret_cast<const sockaddr*>(&link), sizeof link);
  } while (sent < 0 && errno == EINTR);
  if (sent < 0) return fail(errno_error("gratuitous ARP for " + vip.to_string() + " on " + interface_));
  return {};
}

asio::awaitable<Result<void>> GratuitousSender::send_arp(IpAddress vip) {
  if (!vip.is_v4()) {
    co_return fail(make_error(std::errc::address_family_not_supported, "gratuitous ARP for " + vip.to_string()));
  }
  if (auto opened = open_arp_socket(); !opened) co_return opened;
  const auto frame = build_gratuitous_arp(mac_, vip);
  for (;;) {
    auto sent = send_arp_now(frame, vip);
    if (sent || !would_block(sent.error())) co_return sent;
    auto [ec] = co_await arp_socket_.async_wait(asio::socket_base::wait_write, rt::use_nothrow);
    if (ec) co_return fail(asio_error(ec, "waiting to send a gratuitous ARP on " + interface_));
  }
}

Result<void> GratuitousSender::send_advert_now(std::span<const std::uint8_t> message, const IpAddress& vip) {
  sockaddr_in6 to{};
  to.sin6_family = AF_INET6;
  to.sin6_addr.s6_addr[0] = 0xff;  // ff02::1, all nodes (RFC 4861 §7.2.6)
  to.sin6_addr.s6_addr[1] = 0x02;
  to.sin6_addr.s6_addr[15] = 0x01;
  to.sin6_scope_id = static_cast<std::uint32_t>(interface_index_);
  // The source is chosen per packet (PKTINFO) because one socket announces many VIPs.
  alignas(cmsghdr) std::array<std::byte, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
  msghdr header{};
  header.msg_control = control.data();
  header.msg_controllen = control.size();
  cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
  cmsg->cmsg_level = IPPROTO_IPV6;
  cmsg->cmsg_type = IPV6_PKTINFO;
  cmsg->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
  in6_pktinfo info{};
  info.ipi6_ifindex = static_cast<unsigned>(interface_index_);
  std::memcpy(&info.ipi6_addr, vip.bytes().data(), 16);
  std::memcpy(CMSG_DATA(cmsg), &info, sizeof info);
  iovec vector{const_cast<std::uint8_t*>(message.data()), message.size()};  // sendmsg does not write
  header.msg_name = &to;
  header.msg_namelen = sizeof to;
  header.msg_iov = &vector;
  header.msg_iovlen = 1;
  if (::sendmsg(advert_socket_.native_handle(), &header, MSG_DONTWAIT | MSG_NOSIGNAL) < 0) {
    const bool bad_source = errno == EINVAL || errno == EADDRNOTAVAIL;
    return fail(errno_error("neighbour advert for " + vip.to_string() + " on " + interface_ +
                            (bad_source ? " (is the VIP on this host and past DAD? add VIPs with nodad)" : "")));
  }
  return {};
}

asio::awaitable<Result<void>> GratuitousSender::send_neighbour_advert(IpAddress vip, bool router) {
  if (!vip.is_v6()) {
    co_return fail(
        make_error(std::errc::address_family_not_supported, "neighbour advertisement for " + vip.to_string()));
  }
  if (auto opened = open_advert_socket(); !opened) co_return opened;
  const auto message = build_unsolicited_advert(mac_, vip, router);
  for (;;) {
    auto sent = send_advert_now(message, vip);
    if (sent || !would_block(sent.error())) co_return sent;
    auto [ec] = co_await advert_socket_.async_wait(asio::socket_base::wait_write, rt::use_nothrow);
    if (ec) co_return fail(asio_error(ec, "waiting to send a neighbour advert on " + interface_));
  }
}

}  // namespace vigil::net::wire
