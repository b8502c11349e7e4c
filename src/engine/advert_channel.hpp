#pragma once
// AdvertChannel: one VRRP socket shared by every instance with the same interface, family, mode
// and source address, as keepalived shares one socket per interface. Packets are handed to the
// instance that owns their VRID, so a host with 1000 instances reads each advert once instead of
// 1000 times.
#include <array>
#include <asio/any_io_executor.hpp>
#include <compare>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>

#include "base/duration.hpp"
#include "base/ip_address.hpp"
#include "base/result.hpp"
#include "engine/advert_lateness.hpp"
#include "net/wire/vrrp_socket.hpp"
#include "rt/tokens.hpp"

namespace vigil::engine {

struct ChannelKey {
  std::string interface;
  Family family = Family::kIPv4;
  net::wire::AdvertMode mode = net::wire::AdvertMode::kMulticast;
  std::optional<IpAddress> source;  // unicast_src_ip / mcast_src_ip; nullopt: the interface's
  friend auto operator<=>(const ChannelKey&, const ChannelKey&) = default;
  friend bool operator==(const ChannelKey&, const ChannelKey&) = default;
};

class AdvertChannel : public std::enable_shared_from_this<AdvertChannel> {
 public:
  using Receiver = std::function<void(net::wire::ReceivedPacket&&)>;

  // `lateness` (may be null) records how late scheduled adverts leave.
  static Result<std::shared_ptr<AdvertChannel>> open(const asio::any_io_executor& executor, ChannelKey key,
                                                     AdvertLateness* lateness = nullptr);

  [[nodiscard]] const ChannelKey& key() const { return key_; }
  [[nodiscard]] const IpAddress& source_address() const { return socket_.source_address(); }
  [[nodiscard]] IpAddress multicast_group() const { return socket_.multicast_group(); }
  [[nodiscard]] int interface_index() const { return socket_.interface_index(); }
  // Packets whose VRID no attached instance owns (keepalived counts these too).
  [[nodiscard]] std::uint64_t unknown_vrid_packets() const { return unknown_vrid_; }
  [[nodiscard]] bool empty() const { return attached_ == 0; }

  void attach(std::uint8_t vrid, Receiver receiver);
  void detach(std::uint8_t vrid);

  // Starts the receive loop (once).
  void start();
  void close();
  // Hands every packet already queued in the socket to its receiver, without waiting. Drivers
  // call it before acting on an expired timer: adverts that queued up during a stall come first.
  // Once per batch of ready handlers: the units of one send-grid slot wake together, and the
  // first one's read serves them all (1000 masters at 1 s made 1000 empty reads a second).
  void drain();

  rt::Task<Result<void>> send(std::span<const std::uint8_t> message, IpAddress destination);
  // Queues an advert for one sendmmsg with the others queued in this batch of ready handlers (the
  // units of one send-grid slot wake together), sent by a handler posted behind them, in order.
  // A slot's adverts then leave back to back, so a backup wakes once for them rather than once
  // each, and the master makes one system call per slot and socket.
  // `slot`: when the advert was scheduled for; its lateness is recorded when it is sent.
  void queue_send(std::vector<std::uint8_t> message, const IpAddress& destination, std::optional<TimePoint> slot);
  // Sends what queue_send queued, now (the posted handler then finds nothing); what the socket
  // does not take at once is sent by send_rest.
  void flush();

 private:
  AdvertChannel(asio::any_io_executor executor, ChannelKey key, net::wire::VrrpSocket socket, AdvertLateness* lateness);
  rt::Task<void> receive_loop(std::shared_ptr<AdvertChannel> self);
  struct Outgoing {
    std::vector<std::uint8_t> bytes;
    IpAddress destination;
    std::optional<TimePoint> slot;
  };
  rt::Task<void> send_rest(std::shared_ptr<AdvertChannel> self, std::vector<Outgoing> rest);
  void dispatch(net::wire::ReceivedPacket&& packet);

  asio::any_io_executor executor_;
  ChannelKey key_;
  net::wire::VrrpSocket socket_;
  // By VRID: a direct index (a map's lookup was a visible share of a backup's time per advert).
  std::array<Receiver, 256> receivers_;
  std::size_t attached_ = 0;
  AdvertLateness* lateness_ = nullptr;
  std::uint64_t unknown_vrid_ = 0;
  bool started_ = false;
  bool closed_ = false;
  bool drained_ = false;            // read in the current batch of handlers; reset by a handler posted behind it
  std::vector<Outgoing> outgoing_;  // queued in this batch of handlers; flush() is posted when it was empty
};

// The channels of one engine, shared by key and closed when the last user detaches.
class ChannelRegistry {
 public:
  explicit ChannelRegistry(asio::any_io_executor executor, AdvertLateness* lateness = nullptr)
      : executor_(std::move(executor)), lateness_(lateness) {}
  Result<std::shared_ptr<AdvertChannel>> acquire(const ChannelKey& key);
  // Detaches `vrid` and closes the channel when no instance uses it any more.
  void release(const ChannelKey& key, std::uint8_t vrid);
  void close_all();

 private:
  asio::any_io_executor executor_;
  AdvertLateness* lateness_ = nullptr;
  std::map<ChannelKey, std::shared_ptr<AdvertChannel>> channels_;
};

}  // namespace vigil::engine
