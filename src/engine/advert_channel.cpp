#include "engine/advert_channel.hpp"

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>

#include "sys/log.hpp"
#include "vrrp/packet.hpp"

namespace vigil::engine {

Result<std::shared_ptr<AdvertChannel>> AdvertChannel::open(const asio::any_io_executor& executor, ChannelKey key,
                                                           AdvertLateness* lateness) {
  net::wire::VrrpSocketOptions options;
  options.interface = key.interface;
  options.family = key.family;
  options.mode = key.mode;
  options.source = key.source;
  auto socket = net::wire::VrrpSocket::open(executor, options);
  if (!socket) return fail(std::move(socket.error()));
  return std::shared_ptr<AdvertChannel>(new AdvertChannel(executor, std::move(key), std::move(*socket), lateness));
}

AdvertChannel::AdvertChannel(asio::any_io_executor executor, ChannelKey key, net::wire::VrrpSocket socket,
                             AdvertLateness* lateness)
    : executor_(std::move(executor)), key_(std::move(key)), socket_(std::move(socket)), lateness_(lateness) {}

void AdvertChannel::attach(std::uint8_t vrid, Receiver receiver) {
  if (!receivers_[vrid]) ++attached_;
  receivers_[vrid] = std::move(receiver);
  if (!receivers_[vrid]) --attached_;
}

void AdvertChannel::detach(std::uint8_t vrid) {
  if (receivers_[vrid]) --attached_;
  receivers_[vrid] = nullptr;
}

void AdvertChannel::start() {
  if (started_ || closed_) return;
  started_ = true;
  asio::co_spawn(executor_, receive_loop(shared_from_this()), asio::detached);
}

void AdvertChannel::close() {
  flush();  // a last priority-0 advert may still be queued
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

void AdvertChannel::queue_send(std::vector<std::uint8_t> message, const IpAddress& destination,
                               std::optional<TimePoint> slot) {
  if (closed_) return;
  if (outgoing_.empty()) {
    asio::post(executor_, [weak = weak_from_this()] {
      if (auto channel = weak.lock()) channel->flush();
    });
  }
  outgoing_.push_back(Outgoing{std::move(message), destination, slot});
}

void AdvertChannel::flush() {
  if (outgoing_.empty() || closed_) return;
  std::vector<net::wire::VrrpSocket::OutMessage> messages;
  messages.reserve(outgoing_.size());
  const auto now = Clock::now();
  for (const auto& out : outgoing_) {
    messages.push_back({out.bytes, out.destination});
    if (out.slot && lateness_) lateness_->record(now - *out.slot);
  }
  std::size_t sent = 0;
  while (sent < outgoing_.size()) {
    auto batch = socket_.try_send_batch(std::span(messages).subspan(sent));
    if (batch && *batch > 0) {
      sent += *batch;
      continue;
    }
    // The first one left failed or would block: a full buffer waits in send_rest (with whatever
    // follows, to keep the order); any other error loses this advert only.
    const auto code = batch ? std::make_error_code(std::errc::resource_unavailable_try_again) : batch.error().code;
    if (code == std::errc::resource_unavailable_try_again || code == std::errc::operation_would_block) break;
    const auto header = vrrp::peek_header(outgoing_[sent].bytes);
    sys::log_warning("VRRP advert (vrid {}) to {} on {} not sent: {}", header ? header->vrid : 0,
                     outgoing_[sent].destination.to_string(), key_.interface, batch.error().to_string());
    ++sent;
  }
  if (sent < outgoing_.size()) {
    std::vector<Outgoing> rest(std::make_move_iterator(outgoing_.begin() + static_cast<std::ptrdiff_t>(sent)),
                               std::make_move_iterator(outgoing_.end()));
    asio::co_spawn(executor_, send_rest(shared_from_this(), std::move(rest)), asio::detached);
  }
  outgoing_.clear();
}

rt::Task<void> AdvertChannel::send_rest([[maybe_unused]] std::shared_ptr<AdvertChannel> self,
                                        std::vector<Outgoing> rest) {
  for (const auto& out : rest) {
    if (closed_) co_return;
    const auto sent = co_await socket_.send(out.bytes, out.destination);
    if (!sent) {
      const auto header = vrrp::peek_header(out.bytes);
      sys::log_warning("VRRP advert (vrid {}) to {} on {} not sent: {}", header ? header->vrid : 0,
                       out.destination.to_string(), key_.interface, sent.error().to_string());
    }
  }
}

rt::Task<void> AdvertChannel::receive_loop([[maybe_unused]] std::shared_ptr<AdvertChannel> self) {
  // One wait and one recvmmsg per burst of adverts (a send-grid slot's worth arrives together),
  // not a recvmsg per advert plus one that finds the queue empty.
  while (!closed_) {
    auto packets = socket_.try_receive_all(net::wire::kReceiveRound);
    if (!packets) {
      sys::log_warning("VRRP socket on {}: {}", key_.interface, packets.error().to_string());
    } else {
      for (auto& packet : *packets) {
        if (closed_) co_return;
        dispatch(std::move(packet));
      }
      if (packets->size() == net::wire::kReceiveRound) continue;  // there may be more
    }
    if (closed_) break;
    auto ready = co_await socket_.wait_readable();
    if (!ready && !closed_) sys::log_warning("VRRP socket on {}: {}", key_.interface, ready.error().to_string());
  }
}

void AdvertChannel::dispatch(net::wire::ReceivedPacket&& packet) {
  // Only the VRID is read here; the owning instance checks everything else in keepalived's order.
  const auto header = vrrp::peek_header(packet.payload());
  if (!header) {
    // Too short to name a VRID: every instance listening here saw a malformed advert, and each
    // counts it (as too-short) when it checks it.
    for (auto& receive : receivers_) {
      if (!receive) continue;
      auto copy = packet;
      receive(std::move(copy));
    }
    return;
  }
  auto& receiver = receivers_[header->vrid];
  if (!receiver) {
    ++unknown_vrid_;  // another router's VRID on this link: normal, not an error
    return;
  }
  receiver(std::move(packet));
}

Result<std::shared_ptr<AdvertChannel>> ChannelRegistry::acquire(const ChannelKey& key) {
  if (auto found = channels_.find(key); found != channels_.end()) return found->second;
  auto channel = AdvertChannel::open(executor_, key, lateness_);
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
