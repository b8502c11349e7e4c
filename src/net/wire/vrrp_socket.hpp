#pragma once
// VrrpSocket: a raw IP protocol-112 socket on one interface that moves VRRP messages as bytes.
// It knows nothing of VRRP fields; the codec (src/vrrp) builds and checks them. What it does:
//  * multicast mode joins 224.0.0.18 / ff02::12 on the interface (RFC 5798 §5.1.1.2, §5.1.2.2);
//    unicast mode sends to each peer the caller names.
//  * every advert leaves with TTL / hop limit 255 (RFC 5798 §5.1.1.3, §5.1.2.3), from the chosen
//    source: mcast_src_ip / unicast_src_ip, else the interface's primary IPv4 address, else its IPv6
//    link-local (RFC 5798 §5.1.2.1). Traffic class / TOS 0xc0 and no DF, as keepalived sends.
//  * multicast loop is off, so a node does not hear its own adverts.
//  * receive() reports the bytes plus the TTL / hop limit, source, destination and interface, so the
//    codec can apply its own checks in keepalived's order and count each rejection, and when the
//    kernel received the datagram (SO_TIMESTAMPNS), so a master-down timer counts from the
//    advert's arrival rather than from whenever the daemon got to read it.
//
// Checksums: the socket never sets IPV6_CHECKSUM. With it the kernel would fill the VRRPv3/IPv6
// checksum (fine) but also silently drop adverts with a bad one before we see them, so "bad
// checksum" would never reach our counters and hostile-input tests could not tell a drop from a
// loss. The codec computes and verifies v3 checksums for both families instead.
//
// Everything is coroutine-based on the caller's executor (single-threaded io_context). Errors are
// values; a cancelled or closed socket makes a pending receive() return operation_aborted.
#include <sys/socket.h>
#include <time.h>

#include <algorithm>
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/generic/raw_protocol.hpp>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "base/duration.hpp"
#include "base/ip_address.hpp"
#include "base/result.hpp"

namespace vigil::net::wire {

inline constexpr int kVrrpProtocol = 112;           // RFC 5798 §5.1.1.4
inline constexpr std::uint8_t kVrrpHopLimit = 255;  // RFC 5798 §5.1.1.3
inline constexpr std::size_t kDefaultDrainLimit = 4096;
// Datagrams one recvmmsg reads at most, and the room for each: the longest advert is an IPv4
// header with options (60) + VRRPv2 with 255 addresses and auth (1036), or VRRPv3/IPv6 with 255
// addresses (4088). A longer datagram is cut and cannot be an advert.
inline constexpr std::size_t kReceiveRound = 16;
// A kernel receive stamp further back than this is not trusted as an arrival time (a clock
// step, or a stamp from another clock); the read time stands in.
inline constexpr Duration kArrivalStampPlausible = std::chrono::seconds(1);
inline constexpr std::size_t kReceiveSlotBytes = 4096 + 512;

enum class AdvertMode : std::uint8_t { kMulticast, kUnicast };
[[nodiscard]] const char* to_string(AdvertMode mode);

// 224.0.0.18 or ff02::12 (RFC 5798 §5.1.1.2, §5.1.2.2).
[[nodiscard]] IpAddress vrrp_multicast_group(Family family);

struct VrrpSocketOptions {
  std::string interface;
  Family family = Family::kIPv4;
  AdvertMode mode = AdvertMode::kMulticast;
  // mcast_src_ip / unicast_src_ip; must be local to the host. On a VMAC, which usually has no
  // address of its own, pass the parent's primary address (keepalived sends from it).
  std::optional<IpAddress> source;
  std::uint8_t hop_limit = kVrrpHopLimit;
  int protocol = kVrrpProtocol;
};

struct ReceivedPacket {
  std::vector<std::uint8_t> bytes;  // as read: IPv4 includes the IP header, IPv6 does not
  std::size_t payload_offset = 0;   // where the VRRP message starts in bytes
  IpAddress source;
  IpAddress destination;
  std::uint8_t hop_limit = 0;  // IPv4 TTL or IPv6 hop limit; 0 when the kernel did not say
  int interface_index = 0;
  bool truncated = false;  // larger than the receive buffer (cannot be a valid advert)
  // When the kernel received it, on the steady clock; nullopt when it gave no plausible stamp
  // (none, in the future, or more than kArrivalStampPlausible before the read).
  std::optional<TimePoint> arrived;

  [[nodiscard]] std::span<const std::uint8_t> payload() const {
    return std::span<const std::uint8_t>(bytes).subspan(std::min(payload_offset, bytes.size()));
  }
};

class VrrpSocket {
 public:
  // Opens, binds to the interface, sets the options above and (multicast mode) joins the group.
  // Fails when the interface is missing or has no usable source address: an IPv6 link-local that
  // is still tentative (DAD) is reported as such, the caller retries after DAD. The source is
  // chosen once, here: after the interface's addresses change, open a new socket (a Rebind).
  // Pending operations refer to the socket, so do not move it while a coroutine awaits on it.
  [[nodiscard]] static Result<VrrpSocket> open(const asio::any_io_executor& executor, VrrpSocketOptions options);
  VrrpSocket(VrrpSocket&&) noexcept;
  VrrpSocket& operator=(VrrpSocket&&) noexcept;
  VrrpSocket(const VrrpSocket&) = delete;
  VrrpSocket& operator=(const VrrpSocket&) = delete;
  ~VrrpSocket();

  [[nodiscard]] Family family() const { return options_.family; }
  [[nodiscard]] AdvertMode mode() const { return options_.mode; }
  [[nodiscard]] const std::string& interface_name() const { return options_.interface; }
  [[nodiscard]] int interface_index() const { return interface_index_; }
  // The address adverts leave from: the codec needs it for the v3 pseudo-header checksum.
  [[nodiscard]] const IpAddress& source_address() const { return source_; }
  [[nodiscard]] IpAddress multicast_group() const { return vrrp_multicast_group(options_.family); }

  // Sends one VRRP message (no IP header: the kernel builds it) to the group or to one peer.
  asio::awaitable<Result<void>> send(std::span<const std::uint8_t> message, IpAddress destination);
  // The same without waiting: a full send buffer is an error with code
  // resource_unavailable_try_again (then await send()). The engine's common path: no coroutine
  // frame per advert.
  [[nodiscard]] Result<void> try_send(std::span<const std::uint8_t> message, const IpAddress& destination);
  // Several messages in one sendmmsg, in order, without waiting: how many left (the first ones);
  // an error only when none did. The rest is for try_send / send, one at a time.
  struct OutMessage {
    std::span<const std::uint8_t> bytes;
    IpAddress destination;
  };
  [[nodiscard]] Result<std::size_t> try_send_batch(std::span<const OutMessage> messages);

  // Waits for the next packet.
  asio::awaitable<Result<ReceivedPacket>> receive();
  // Waits until a read would find something (or a spurious wake-up): the engine then reads all
  // of it with try_receive_all, one recvmmsg per kReceiveRound packets.
  asio::awaitable<Result<void>> wait_readable();
  // Never waits: nullopt when nothing is queued.
  [[nodiscard]] Result<std::optional<ReceivedPacket>> try_receive();
  // Reads everything queued right now (up to `limit`), oldest first. The engine calls it before it
  // acts on an expired timer, so adverts that arrived while the process was stalled count first,
  // and after each wait_readable.
  [[nodiscard]] Result<std::vector<ReceivedPacket>> try_receive_all(std::size_t limit = kDefaultDrainLimit);

  // Makes a pending receive() return operation_aborted; the socket stays usable.
  void cancel();
  void close();

 private:
  VrrpSocket(asio::generic::raw_protocol::socket socket, VrrpSocketOptions options, int interface_index,
             IpAddress source);
  // A destination of the socket's own family, else the error every send path reports.
  [[nodiscard]] Result<void> check_destination(const IpAddress& destination) const;
  struct OutHeader;
  void fill_header(OutHeader& out, msghdr& header, std::span<const std::uint8_t> message,
                   const IpAddress& destination) const;
  [[nodiscard]] Result<void> send_now(std::span<const std::uint8_t> message, const IpAddress& destination);
  // Appends up to `wanted` (at most kReceiveRound) queued datagrams with one recvmmsg; how many.
  [[nodiscard]] Result<std::size_t> receive_round(std::size_t wanted, std::vector<ReceivedPacket>& packets);
  // `read_at` holds both clocks read once after the receive: the kernel stamps on the real-time
  // clock, the engine runs on the steady clock.
  struct ReadTime {
    TimePoint steady;
    timespec real;
  };
  [[nodiscard]] ReceivedPacket unpack(const msghdr& header, std::size_t length, const ReadTime& read_at) const;

  asio::generic::raw_protocol::socket socket_;
  VrrpSocketOptions options_;
  int interface_index_ = 0;
  IpAddress source_;
  struct ReceiveSlots;
  std::unique_ptr<ReceiveSlots> slots_;
};

}  // namespace vigil::net::wire
