#include "engine/advert_channel.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>

#include "sys/log.hpp"
#include "vrrp/packet.hpp"

namespace vigil::engine {

Result<std::shared_ptr<AdvertChannel>> AdvertChannel::open(const asio::any_io_executor& executor, ChannelKey key) {
  net::wire::VrrpSocketOptions options;
  options.interface = key.interface;
  options.family = key.family;
  options.mode = key.mode;
  options.source = key.source;
  auto socket = net::wire::VrrpSocket::open(executor, options);
  if (!socket) return fail(std::move(socket.error()));
  return std::shared_ptr<AdvertChannel>(new AdvertChannel(executor, std::move(key), std::move(*socket)));
}

AdvertChannel::AdvertChannel(asio::any_io_executor executor, ChannelKey key, net::wire::VrrpSocket socket)
    : executor_(std::move(executor)), key_(std::move(key)), socket_(std::move(socket)) {}

void AdvertChannel::attach(std::uint8_t vrid, Receiver receiver) { receivers_[vrid] = std::move(receiver); }

void AdvertChannel::detach(std::uint8_t vrid) { receivers_.erase(vrid); }

void AdvertChannel::start() {
  if (started_ || closed_) return;
  started_ = true;
  asio::co_spawn(executor_, receive_loop(shared_from_this()), asio::detached);
}

void AdvertChannel::close() {
  closed_ = true;
  socket_.close();
}

void AdvertChannel::drain() {
  if (closed_ || drained_) return;
  // Handlers already queued (the other timers that expired with this one) run before the posted
  // reset, so they skip the read; whatever the loop collects from the kernel after it reads again.
  drained_ = true;
  asio::post(executor_, [weak = weak_from_this()] {
    if (auto channel = weak.lock()) channel->drained_ = false;
  });
  auto packets = socket_.try_receive_all();
  if (!packets) return;  // the receive loop reports socket errors
  for (auto& packet : *packets) dispatch(std::move(packet));
}

rt::Task<Result<void>> AdvertChannel::send(std::span<const std::uint8_t> message, IpAddress destination) {
  co_return co_await socket_.send(message, destination);
}

rt::Task<void> AdvertChannel::receive_loop([[maybe_unused]] std::shared_ptr<AdvertChannel> self) {
  while (!closed_) {
    auto packet = co_await socket_.receive();
    if (closed_) break;
    if (!packet) {
      sys::log_warning("VRRP socket on {}: {}", key_.interface, packet.error().to_string());
      continue;
    }
    dispatch(std::move(*packet));
  }
}

void AdvertChannel::dispatch(net::wire::ReceivedPacket&& packet) {
  // Only the VRID is read here; the owning instance checks everything else in keepalived's order.
  const auto header = vrrp::peek_header(packet.payload());
  if (!header) {
    // Too short to name a VRID: every instance listening here saw a malformed advert, and each
    // counts it (as too-short) when it checks it.
    for (auto& [vrid, receive] : receivers_) {
      auto copy = packet;
      receive(std::move(copy));
    }
    return;
  }
  const auto receiver = receivers_.find(header->vrid);
  if (receiver == receivers_.end()) {
    ++unknown_vrid_;  // another router's VRID on this link: normal, not an error
    return;
  }
  receiver->second(std::move(packet));
}

Result<std::shared_ptr<AdvertChannel>> ChannelRegistry::acquire(const ChannelKey& key) {
  if (auto found = channels_.find(key); found != channels_.end()) return found->second;
  auto channel = AdvertChannel::open(executor_, key);
  if (!channel) return channel;
  channels_.emplace(key, *channel);
  return channel;
}

void ChannelRegistry::release(const ChannelKey& key, std::uint8_t vrid) {
  auto found = channels_.find(key);
  if (found == channels_.end()) return;
  found->second->detach(vrid);
  if (found->second->empty()) {
    found->second->close();
    channels_.erase(found);
  }
}

void ChannelRegistry::close_all() {
  for (auto& [key, channel] : channels_) channel->close();
  channels_.clear();
}

}  // namespace vigil::engine
