#include "net/wire/vrrp_socket.hpp"

#include <net/if.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>

#include "net/wire/asio_error.hpp"
#include "net/wire/interface_info.hpp"
#include "net/wire/ipv4_header.hpp"
#include "rt/tokens.hpp"

namespace vigil::net::wire {
namespace {

constexpr int kTrafficClassInternetControl = 0xc0;

Result<void> set_option(int fd, int level, int name, const void* value, socklen_t length, const char* what) {
  if (::setsockopt(fd, level, name, value, length) != 0) return fail(errno_error(std::string("setsockopt ") + what));
  return {};
}

Result<void> set_int_option(int fd, int level, int name, int value, const char* what) {
  return set_option(fd, level, name, &value, sizeof value, what);
}

Result<void> configure_ipv4(int fd, const VrrpSocketOptions& options, int interface_index) {
  const int ttl = options.hop_limit;
  Result<void> result = set_int_option(fd, IPPROTO_IP, IP_TTL, ttl, "IP_TTL");
  if (result) result = set_int_option(fd, IPPROTO_IP, IP_MULTICAST_TTL, ttl, "IP_MULTICAST_TTL");
  if (result) result = set_int_option(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
  if (result) result = set_int_option(fd, IPPROTO_IP, IP_TOS, kTrafficClassInternetControl, "IP_TOS");
  // keepalived sends without DF; a raw socket would otherwise set it (path MTU discovery).
  if (result) result = set_int_option(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT, "IP_MTU_DISCOVER");
  if (result) result = set_int_option(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
  if (!result) return result;
  ip_mreqn request{};
  request.imr_ifindex = interface_index;
  result = set_option(fd, IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof request, "IP_MULTICAST_IF");
  if (result && options.mode == AdvertMode::kMulticast) {
    const IpAddress group = vrrp_multicast_group(Family::kIPv4);
    std::memcpy(&request.imr_multiaddr, group.bytes().data(), 4);
    result = set_option(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request, "IP_ADD_MEMBERSHIP");
  }
  return result;
}

Result<void> configure_ipv6(int fd, const VrrpSocketOptions& options, int interface_index) {
  const int hops = options.hop_limit;
  Result<void> result = set_int_option(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, hops, "IPV6_UNICAST_HOPS");
  if (result) result = set_int_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, hops, "IPV6_MULTICAST_HOPS");
  if (result) result = set_int_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
  if (result) result = set_int_option(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, interface_index, "IPV6_MULTICAST_IF");
  if (result) result = set_int_option(fd, IPPROTO_IPV6, IPV6_TCLASS, kTrafficClassInternetControl, "IPV6_TCLASS");
  // The IPv6 raw socket returns no IP header: hop limit and destination come as ancillary data.
  if (result) result = set_int_option(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
  if (result) result = set_int_option(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
  if (result && options.mode == AdvertMode::kMulticast) {
    ipv6_mreq request{};
    const IpAddress group = vrrp_multicast_group(Family::kIPv6);
    std::memcpy(&request.ipv6mr_multiaddr, group.bytes().data(), 16);
    request.ipv6mr_interface = static_cast<unsigned>(interface_index);
    result = set_option(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &request, sizeof request, "IPV6_ADD_MEMBERSHIP");
  }
  return result;
}

Result<IpAddress> choose_source(const VrrpSocketOptions& options, const InterfaceInfo& info) {
  if (options.source) {
    if (options.source->family() != options.family) {
      return fail(make_error(std::errc::invalid_argument,
                             "source address " + options.source->to_string() + " is not " + to_string(options.family)));
    }
    return *options.source;
  }
  if (options.family == Family::kIPv4) {
    if (info.primary_v4) return *info.primary_v4;
    return fail(make_error(std::errc::address_not_available, "interface " + info.name + " has no IPv4 address"));
  }
  if (info.link_local_v6) return *info.link_local_v6;
  if (info.link_local_tentative) {
    return fail(make_error(std::errc::resource_unavailable_try_again,
                           "the IPv6 link-local address of " + info.name + " is still tentative (DAD running)"));
  }
  return fail(
      make_error(std::errc::address_not_available, "interface " + info.name + " has no IPv6 link-local address"));
}

IpAddress address_from_sockaddr(const sockaddr_storage& storage) {
  if (storage.ss_family == AF_INET6) {
    sockaddr_in6 in6{};
    std::memcpy(&in6, &storage, sizeof in6);
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), &in6.sin6_addr, 16);
    return IpAddress::v6(bytes);
  }
  sockaddr_in in{};
  std::memcpy(&in, &storage, sizeof in);
  std::array<std::uint8_t, 4> bytes{};
  std::memcpy(bytes.data(), &in.sin_addr, 4);
  return IpAddress::v4(bytes);
}

}  // namespace

const char* to_string(AdvertMode mode) {
  switch (mode) {
    case AdvertMode::kMulticast: return "multicast";
    case AdvertMode::kUnicast: return "unicast";
  }
  return "?";
}

IpAddress vrrp_multicast_group(Family family) {
  switch (family) {
    case Family::kIPv4: return IpAddress::v4({224, 0, 0, 18});
    case Family::kIPv6: return IpAddress::v6({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12});
  }
  return {};
}

Result<VrrpSocket> VrrpSocket::open(const asio::any_io_executor& executor, VrrpSocketOptions options) {
  auto info = query_interface(options.interface);
  if (!info) return fail(info.error());
  auto source = choose_source(options, *info);
  if (!source) return fail(source.error());

  const int domain = options.family == Family::kIPv4 ? AF_INET : AF_INET6;
  asio::generic::raw_protocol::socket socket(executor);
  std::error_code ec;
  socket.open(asio::generic::raw_protocol(domain, options.protocol), ec);
  if (ec) return fail(asio_error(ec, "raw socket for VRRP on " + options.interface));
  socket.non_blocking(true, ec);
  if (ec) return fail(asio_error(ec, "non-blocking VRRP socket"));

  const int fd = socket.native_handle();
  // Receive only what arrives on this interface and send only through it.
  auto bound = set_option(fd, SOL_SOCKET, SO_BINDTODEVICE, options.interface.c_str(),
                          static_cast<socklen_t>(options.interface.size()), "SO_BINDTODEVICE");
  if (!bound) return fail(bound.error());
  auto configured = options.family == Family::kIPv4 ? configure_ipv4(fd, options, info->index)
                                                    : configure_ipv6(fd, options, info->index);
  // Every datagram then carries when the kernel received it (see ReceivedPacket::arrived).
  if (configured) configured = set_int_option(fd, SOL_SOCKET, SO_TIMESTAMPNS, 1, "SO_TIMESTAMPNS");
  if (!configured) {
    Error error = configured.error();
    error.message += " on " + options.interface;
    return fail(std::move(error));
  }
  const int index = info->index;
  return VrrpSocket(std::move(socket), std::move(options), index, *source);
}

VrrpSocket::VrrpSocket(asio::generic::raw_protocol::socket socket, VrrpSocketOptions options, int interface_index,
                       IpAddress source)
    : socket_(std::move(socket)), options_(std::move(options)), interface_index_(interface_index), source_(source) {}

// One sendmsg's header with its destination and PKTINFO, built in place (the header points into
// the struct, so it is filled where it stays until the send).
// No initialisers: a batch holds 64 of them, and fill_header clears only what one send uses.
struct VrrpSocket::OutHeader {
  sockaddr_storage to;
  alignas(cmsghdr) std::array<std::byte, CMSG_SPACE(sizeof(in6_pktinfo))> control;
  iovec vector;
};

void VrrpSocket::fill_header(OutHeader& out, msghdr& header, std::span<const std::uint8_t> message,
                             const IpAddress& destination) const {
  // The source goes into per-packet PKTINFO instead of bind(): a bound IPv4 raw socket would only
  // receive packets addressed to that address, never the multicast group.
  header = msghdr{};
  out.to = sockaddr_storage{};
  out.control.fill(std::byte{0});
  header.msg_control = out.control.data();
  socklen_t to_length = 0;
  if (options_.family == Family::kIPv4) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    std::memcpy(&in.sin_addr, destination.bytes().data(), 4);
    std::memcpy(&out.to, &in, sizeof in);
    to_length = sizeof in;
    header.msg_controllen = CMSG_SPACE(sizeof(in_pktinfo));
    cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
    cmsg->cmsg_level = IPPROTO_IP;
    cmsg->cmsg_type = IP_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_ifindex = interface_index_;
    std::memcpy(&info.ipi_spec_dst, source_.bytes().data(), 4);
    std::memcpy(CMSG_DATA(cmsg), &info, sizeof info);
  } else {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    std::memcpy(&in6.sin6_addr, destination.bytes().data(), 16);
    if (destination.is_link_local() || destination.is_multicast()) {
      in6.sin6_scope_id = static_cast<std::uint32_t>(interface_index_);
    }
    std::memcpy(&out.to, &in6, sizeof in6);
    to_length = sizeof in6;
    header.msg_controllen = CMSG_SPACE(sizeof(in6_pktinfo));
    cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
    cmsg->cmsg_level = IPPROTO_IPV6;
    cmsg->cmsg_type = IPV6_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo info{};
    info.ipi6_ifindex = static_cast<unsigned>(interface_index_);
    std::memcpy(&info.ipi6_addr, source_.bytes().data(), 16);
    std::memcpy(CMSG_DATA(cmsg), &info, sizeof info);
  }
  out.vector = {const_cast<std::uint8_t*>(message.data()), message.size()};  // sendmsg does not write
  header.msg_name = &out.to;
  header.msg_namelen = to_length;
  header.msg_iov = &out.vector;
  header.msg_iovlen = 1;
}

Result<void> VrrpSocket::check_destination(const IpAddress& destination) const {
  if (destination.family() == options_.family) return {};
  return fail(
      make_error(std::errc::address_family_not_supported,
                 "VRRP destination " + destination.to_string() + " on a " + to_string(options_.family) + " socket"));
}

Result<void> VrrpSocket::send_now(std::span<const std::uint8_t> message, const IpAddress& destination) {
  OutHeader out;
  msghdr header{};
  fill_header(out, header, message, destination);
  const ssize_t sent = ::sendmsg(socket_.native_handle(), &header, MSG_DONTWAIT | MSG_NOSIGNAL);
  if (sent < 0) return fail(errno_error("send VRRP to " + destination.to_string() + " on " + options_.interface));
  return {};
}

Result<std::size_t> VrrpSocket::try_send_batch(std::span<const OutMessage> messages) {
  // A slot's adverts rarely exceed a few dozen; larger batches go in rounds.
  constexpr std::size_t kRound = 64;
  std::array<OutHeader, kRound> outs;  // each one filled before use (not cleared: 16 KB a slot)
  std::array<mmsghdr, kRound> headers;
  std::size_t done = 0;
  while (done < messages.size()) {
    const std::size_t n = std::min(kRound, messages.size() - done);
    for (std::size_t i = 0; i < n; ++i) {
      const auto& message = messages[done + i];
      if (auto usable = check_destination(message.destination); !usable) return fail(std::move(usable.error()));
      headers[i] = mmsghdr{};
      fill_header(outs[i], headers[i].msg_hdr, message.bytes, message.destination);
    }
    const int sent =
        ::sendmmsg(socket_.native_handle(), headers.data(), static_cast<unsigned>(n), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (sent < 0) {
      if (done > 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) return done;
      return fail(errno_error("send VRRP to " + messages[done].destination.to_string() + " on " + options_.interface));
    }
    done += static_cast<std::size_t>(sent);
    if (static_cast<std::size_t>(sent) < n) break;  // the rest would block or fail: the caller sends it alone
  }
  return done;
}

Result<void> VrrpSocket::try_send(std::span<const std::uint8_t> message, const IpAddress& destination) {
  if (auto usable = check_destination(destination); !usable) return usable;
  return send_now(message, destination);
}

asio::awaitable<Result<void>> VrrpSocket::send(std::span<const std::uint8_t> message, IpAddress destination) {
  for (;;) {
    auto sent = try_send(message, destination);
    if (sent || (sent.error().code != std::errc::resource_unavailable_try_again &&
                 sent.error().code != std::errc::operation_would_block)) {
      co_return sent;
    }
    auto [ec] = co_await socket_.async_wait(asio::socket_base::wait_write, rt::use_nothrow);
    if (ec) co_return fail(asio_error(ec, "waiting to send on " + options_.interface));
  }
}

// One recvmmsg's worth of receive slots. Allocated on the first read and left uninitialised: the
// kernel writes only what arrives, so an idle socket's slots cost no memory.
struct VrrpSocket::ReceiveSlots {
  std::array<mmsghdr, kReceiveRound> headers;
  std::array<iovec, kReceiveRound> vectors;
  std::array<sockaddr_storage, kReceiveRound> sources;
  struct alignas(cmsghdr) Control {
    std::array<std::byte, CMSG_SPACE(sizeof(in6_pktinfo)) + CMSG_SPACE(sizeof(int)) + CMSG_SPACE(sizeof(in_pktinfo)) +
                              CMSG_SPACE(sizeof(timespec))>
        bytes;
  };
  std::array<Control, kReceiveRound> controls;
  std::array<std::array<std::uint8_t, kReceiveSlotBytes>, kReceiveRound> data;
};

VrrpSocket::VrrpSocket(VrrpSocket&&) noexcept = default;
VrrpSocket& VrrpSocket::operator=(VrrpSocket&&) noexcept = default;
VrrpSocket::~VrrpSocket() = default;

ReceivedPacket VrrpSocket::unpack(const msghdr& header, std::size_t length, const ReadTime& read_at) const {
  ReceivedPacket packet;
  const auto* data = static_cast<const std::uint8_t*>(header.msg_iov[0].iov_base);
  packet.bytes.assign(data, data + std::min(length, kReceiveSlotBytes));
  packet.truncated = (header.msg_flags & MSG_TRUNC) != 0;
  packet.source = address_from_sockaddr(*static_cast<const sockaddr_storage*>(header.msg_name));
  packet.interface_index = interface_index_;

  for (const cmsghdr* cmsg = CMSG_FIRSTHDR(&header); cmsg != nullptr;
       cmsg = CMSG_NXTHDR(const_cast<msghdr*>(&header), const_cast<cmsghdr*>(cmsg))) {
    if (cmsg->cmsg_level == IPPROTO_IPV6 && cmsg->cmsg_type == IPV6_HOPLIMIT) {
      int hops = 0;
      std::memcpy(&hops, CMSG_DATA(cmsg), sizeof hops);
      packet.hop_limit = static_cast<std::uint8_t>(hops);
    } else if (cmsg->cmsg_level == IPPROTO_IPV6 && cmsg->cmsg_type == IPV6_PKTINFO) {
      in6_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(cmsg), sizeof info);
      std::array<std::uint8_t, 16> bytes{};
      std::memcpy(bytes.data(), &info.ipi6_addr, 16);
      packet.destination = IpAddress::v6(bytes);
      packet.interface_index = static_cast<int>(info.ipi6_ifindex);
    } else if (cmsg->cmsg_level == IPPROTO_IP && cmsg->cmsg_type == IP_PKTINFO) {
      in_pktinfo info{};
      std::memcpy(&info, CMSG_DATA(cmsg), sizeof info);
      packet.interface_index = info.ipi_ifindex;
    } else if (cmsg->cmsg_level == SOL_SOCKET && cmsg->cmsg_type == SCM_TIMESTAMPNS) {
      timespec stamp{};
      std::memcpy(&stamp, CMSG_DATA(cmsg), sizeof stamp);
      const auto age = std::chrono::seconds(read_at.real.tv_sec - stamp.tv_sec) +
                       std::chrono::nanoseconds(read_at.real.tv_nsec - stamp.tv_nsec);
      if (age >= Duration::zero() && age <= kArrivalStampPlausible) {
        packet.arrived = read_at.steady - std::chrono::duration_cast<Duration>(age);
      }
    }
  }

  if (packet.truncated) {
    // Longer than a receive slot, so longer than any advert can be: handed on with no payload,
    // which every instance rejects (counted as too short) without reading a cut message.
    packet.payload_offset = packet.bytes.size();
  } else if (options_.family == Family::kIPv4) {
    // The kernel hands a raw IPv4 socket the whole datagram; a header it cannot parse leaves an
    // empty payload, which every instance on the socket then rejects and counts as too short.
    if (const auto ip = parse_ipv4_header(packet.bytes)) {
      packet.payload_offset = ip->header_length;
      packet.hop_limit = ip->ttl;
      packet.source = ip->source;
      packet.destination = ip->destination;
    } else {
      packet.payload_offset = packet.bytes.size();
    }
  }
  return packet;
}

Result<std::size_t> VrrpSocket::receive_round(std::size_t wanted, std::vector<ReceivedPacket>& packets) {
  if (!slots_) slots_ = std::make_unique_for_overwrite<ReceiveSlots>();
  auto& slots = *slots_;
  const std::size_t n = std::min(wanted, kReceiveRound);
  for (std::size_t i = 0; i < n; ++i) {
    slots.vectors[i] = {slots.data[i].data(), slots.data[i].size()};
    auto& header = slots.headers[i];
    header = mmsghdr{};
    header.msg_hdr.msg_name = &slots.sources[i];
    header.msg_hdr.msg_namelen = sizeof(sockaddr_storage);
    header.msg_hdr.msg_iov = &slots.vectors[i];
    header.msg_hdr.msg_iovlen = 1;
    header.msg_hdr.msg_control = slots.controls[i].bytes.data();
    header.msg_hdr.msg_controllen = slots.controls[i].bytes.size();
  }
  const int received =
      ::recvmmsg(socket_.native_handle(), slots.headers.data(), static_cast<unsigned>(n), MSG_DONTWAIT, nullptr);
  if (received < 0) {
    if (errno == EAGAIN || errno == EWOULDBLOCK) return std::size_t{0};
    return fail(errno_error("receive VRRP on " + options_.interface));
  }
  ReadTime read_at{Clock::now(), {}};
  ::clock_gettime(CLOCK_REALTIME, &read_at.real);
  for (int i = 0; i < received; ++i) {
    const auto& header = slots.headers[static_cast<std::size_t>(i)];
    packets.push_back(unpack(header.msg_hdr, header.msg_len, read_at));
  }
  return static_cast<std::size_t>(received);
}

asio::awaitable<Result<ReceivedPacket>> VrrpSocket::receive() {
  for (;;) {
    std::vector<ReceivedPacket> packets;
    auto got = receive_round(1, packets);
    if (!got) co_return fail(got.error());
    if (*got == 1) co_return std::move(packets.front());
    auto ready = co_await wait_readable();
    if (!ready) co_return fail(ready.error());
  }
}

asio::awaitable<Result<void>> VrrpSocket::wait_readable() {
  // Asio's receive cannot return ancillary data (hop limit, destination), so callers wait for
  // readability and read with recvmmsg; a spurious wake-up just finds nothing.
  auto [ec] = co_await socket_.async_wait(asio::socket_base::wait_read, rt::use_nothrow);
  if (ec) co_return fail(asio_error(ec, "receive VRRP on " + options_.interface));
  co_return Result<void>{};
}

Result<std::optional<ReceivedPacket>> VrrpSocket::try_receive() {
  std::vector<ReceivedPacket> packets;
  auto got = receive_round(1, packets);
  if (!got) return fail(got.error());
  if (*got == 0) return std::optional<ReceivedPacket>();
  return std::optional<ReceivedPacket>(std::move(packets.front()));
}

Result<std::vector<ReceivedPacket>> VrrpSocket::try_receive_all(std::size_t limit) {
  std::vector<ReceivedPacket> packets;
  while (packets.size() < limit) {
    const std::size_t wanted = std::min(kReceiveRound, limit - packets.size());
    auto got = receive_round(wanted, packets);
    if (!got) {
      if (packets.empty()) return fail(got.error());
      break;  // hand over what was read; the error repeats on the next call
    }
    // A short round found the queue empty (or an error behind the datagrams it returned, which
    // the next call reports).
    if (*got < wanted) break;
  }
  return packets;
}

void VrrpSocket::cancel() {
  std::error_code ignored;
  socket_.cancel(ignored);
}

void VrrpSocket::close() {
  std::error_code ignored;
  socket_.close(ignored);
}

}  // namespace vigil::net::wire
