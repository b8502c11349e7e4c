#include "net/netlink/monitor.hpp"

#include <linux/rtnetlink.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <chrono>
#include <exception>

#include "net/netlink/client.hpp"
#include "rt/tokens.hpp"

namespace vigil::net::netlink {

namespace {

constexpr std::array<unsigned, 3> kGroups = {RTNLGRP_LINK, RTNLGRP_IPV4_IFADDR, RTNLGRP_IPV6_IFADDR};
constexpr auto kResyncRetryDelay = std::chrono::milliseconds(200);

LinkChanged link_changed(const LinkInfo& link) { return LinkChanged{link.ifindex, link.name, link.up, link.running}; }

bool visible_change(const LinkInfo& before, const LinkInfo& after) {
  return before.name != after.name || before.up != after.up || before.running != after.running;
}

}  // namespace

void detail::EventQueue::push(MonitorEvent event) {
  events.push_back(std::move(event));
  wake.try_send(asio::error_code{}, true);  // fails harmlessly when a wake-up is already pending
}

void detail::EventQueue::close() {
  closed = true;
  wake.try_send(asio::error_code{}, true);
}

asio::awaitable<Result<MonitorEvent>> Subscription::next() {
  const auto queue = queue_;
  while (queue->events.empty()) {
    if (queue->closed) co_return fail(make_error(std::errc::operation_canceled, "netlink monitor stopped"));
    auto [ec, signalled] = co_await queue->wake.async_receive(rt::use_nothrow);
    if (ec) co_return fail(make_error(ec, "netlink monitor subscription"));
  }
  MonitorEvent event = std::move(queue->events.front());
  queue->events.pop_front();
  co_return event;
}

std::optional<MonitorEvent> Subscription::try_next() {
  if (queue_->events.empty()) return std::nullopt;
  MonitorEvent event = std::move(queue_->events.front());
  queue_->events.pop_front();
  return event;
}

Monitor::Monitor(std::shared_ptr<Client> client, RouteProtocol::socket socket)
    : client_(std::move(client)), socket_(std::move(socket)), retry_timer_(socket_.get_executor()) {}

Monitor::~Monitor() = default;

asio::awaitable<Result<std::shared_ptr<Monitor>>> Monitor::open(std::shared_ptr<Client> client,
                                                                MonitorOptions options) {
  const auto executor = co_await asio::this_coro::executor;
  auto socket = open_route_socket(executor, options.receive_buffer_bytes);
  if (!socket) co_return fail(socket.error());
  // Join before the first dump: a change racing the dump is then seen as a notification too.
  if (auto joined = join_groups(*socket, kGroups); !joined) co_return fail(joined.error());
  std::shared_ptr<Monitor> monitor(new Monitor(std::move(client), std::move(*socket)));
  if (auto seeded = co_await monitor->resync(); !seeded) {
    monitor->stop();
    co_return fail(seeded.error());
  }
  monitor->resync_count_ = 0;  // the initial dump is not a recovery
  asio::co_spawn(executor, monitor->run(), [](const std::exception_ptr& e) {
    if (e) std::rethrow_exception(e);
  });
  co_return monitor;
}

Subscription Monitor::subscribe() {
  auto queue = std::make_shared<detail::EventQueue>(socket_.get_executor());
  if (stopped_) queue->close();
  subscribers_.push_back(queue);
  return Subscription(std::move(queue));
}

std::vector<LinkInfo> Monitor::links() const {
  std::vector<LinkInfo> result;
  for (const auto& [ifindex, link] : links_) result.push_back(link);
  return result;
}

std::vector<AddressInfo> Monitor::addresses() const {
  std::vector<AddressInfo> result;
  for (const auto& [key, address] : addresses_) result.push_back(address);
  return result;
}

std::optional<LinkInfo> Monitor::link(int ifindex) const {
  const auto it = links_.find(ifindex);
  if (it == links_.end()) return std::nullopt;
  return it->second;
}

void Monitor::request_resync() {
  resync_requested_ = true;
  asio::error_code ignored;
  socket_.cancel(ignored);  // wakes run() out of its receive
}

void Monitor::stop() {
  if (stopped_) return;
  stopped_ = true;
  asio::error_code ignored;
  socket_.close(ignored);
  retry_timer_.cancel();
  for (auto& weak : subscribers_) {
    if (auto queue = weak.lock()) queue->close();
  }
  subscribers_.clear();
}

asio::awaitable<void> Monitor::run() {
  const auto self = shared_from_this();
  std::vector<std::uint8_t> buffer(kReceiveBufferSize);
  RouteProtocol::endpoint from;
  while (!stopped_) {
    if (resync_requested_) {
      resync_requested_ = false;
      if (auto done = co_await resync(); !done && !stopped_) {
        // The request socket failed (rare: ENOBUFS there too); try again shortly.
        resync_requested_ = true;
        retry_timer_.expires_after(kResyncRetryDelay);
        co_await retry_timer_.async_wait(rt::use_nothrow);
      }
      continue;
    }
    auto [ec, size] = co_await socket_.async_receive_from(asio::buffer(buffer), from, rt::use_nothrow);
    if (stopped_) break;
    if (ec == asio::error::operation_aborted) continue;  // request_resync()
    if (ec == asio::error::no_buffer_space) {
      resync_requested_ = true;  // notifications were lost: only a dump can tell which
      continue;
    }
    if (ec) break;
    if (sender_port(from) != 0) continue;
    for (const auto& notification : parse_notifications({buffer.data(), size})) apply(notification);
  }
  stop();
}

void Monitor::drain_socket() {
  // Everything queued now predates the dump that follows, which already reflects it; replaying it
  // after the dump could resurrect an address that the dump shows gone.
  std::array<std::uint8_t, 8192> scratch{};
  asio::error_code ec;
  socket_.non_blocking(true, ec);
  if (ec) return;
  for (;;) {
    socket_.receive(asio::buffer(scratch), 0, ec);
    if (ec && ec != asio::error::no_buffer_space) break;
  }
  socket_.non_blocking(false, ec);
}

asio::awaitable<Result<void>> Monitor::resync() {
  const auto self = shared_from_this();
  drain_socket();
  auto link_request = build_dump_links();
  if (!link_request) co_return fail(link_request.error());
  auto link_reply = co_await client_->transact(std::move(*link_request), "dump links");
  if (!link_reply) co_return fail(link_reply.error());
  auto address_request = build_dump_addresses(std::nullopt);
  if (!address_request) co_return fail(address_request.error());
  auto address_reply = co_await client_->transact(std::move(*address_request), "dump addresses");
  if (!address_reply) co_return fail(address_reply.error());
  if (stopped_) co_return fail(make_error(std::errc::operation_canceled, "netlink monitor stopped"));

  std::map<int, LinkInfo> links;
  for (const auto& bytes : link_reply->messages) {
    for (const auto& message : split_datagram(bytes)) {
      if (auto link = parse_link(message)) links[link->ifindex] = std::move(*link);
    }
  }
  std::map<std::pair<int, IpPrefix>, AddressInfo> addresses;
  for (const auto& bytes : address_reply->messages) {
    for (const auto& message : split_datagram(bytes)) {
      if (auto address = parse_address(message)) addresses[{address->ifindex, address->prefix}] = std::move(*address);
    }
  }
  reconcile(std::move(links), std::move(addresses));
  ++resync_count_;
  co_return Result<void>{};
}

void Monitor::reconcile(std::map<int, LinkInfo> links, std::map<std::pair<int, IpPrefix>, AddressInfo> addresses) {
  // Order for consumers: links that exist first, then address removals and additions, then links
  // that are gone (after their addresses).
  for (const auto& [ifindex, link] : links) {
    const auto old = links_.find(ifindex);
    if (old == links_.end() || visible_change(old->second, link)) publish(link_changed(link));
  }
  for (const auto& [key, address] : addresses_) {
    if (!addresses.contains(key)) publish(AddressRemoved{key.first, key.second});
  }
  for (const auto& [key, address] : addresses) {
    if (!addresses_.contains(key)) publish(AddressAdded{key.first, key.second});
  }
  for (const auto& [ifindex, link] : links_) {
    if (!links.contains(ifindex)) publish(LinkRemoved{ifindex, link.name});
  }
  links_ = std::move(links);
  addresses_ = std::move(addresses);
}

void Monitor::apply(const Notification& notification) {
  if (const auto* updated = std::get_if<LinkUpdated>(&notification)) {
    const auto& link = updated->link;
    const auto old = links_.find(link.ifindex);
    const bool changed = old == links_.end() || visible_change(old->second, link);
    links_[link.ifindex] = link;
    if (changed) publish(link_changed(link));
  } else if (const auto* deleted = std::get_if<LinkDeleted>(&notification)) {
    const int ifindex = deleted->link.ifindex;
    const auto old = links_.find(ifindex);
    if (old == links_.end()) return;
    // The kernel normally reports each address first; whatever is left goes now.
    for (auto it = addresses_.begin(); it != addresses_.end();) {
      if (it->first.first == ifindex) {
        publish(AddressRemoved{ifindex, it->first.second});
        it = addresses_.erase(it);
      } else {
        ++it;
      }
    }
    const std::string name = old->second.name;
    links_.erase(old);
    publish(LinkRemoved{ifindex, name});
  } else if (const auto* added = std::get_if<AddressUpdated>(&notification)) {
    const auto& address = added->address;
    const auto [it, inserted] = addresses_.insert_or_assign({address.ifindex, address.prefix}, address);
    if (inserted) publish(AddressAdded{address.ifindex, address.prefix});
  } else if (const auto* removed = std::get_if<AddressDeleted>(&notification)) {
    const auto& address = removed->address;
    if (addresses_.erase({address.ifindex, address.prefix}) > 0) {
      publish(AddressRemoved{address.ifindex, address.prefix});
    }
  }
}

void Monitor::publish(const MonitorEvent& event) {
  std::erase_if(subscribers_, [&](const std::weak_ptr<detail::EventQueue>& weak) {
    const auto queue = weak.lock();
    if (!queue) return true;
    queue->push(event);
    return false;
  });
}

}  // namespace vigil::net::netlink
