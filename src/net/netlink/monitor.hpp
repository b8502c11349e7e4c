#pragma once
// The link and address monitor: one netlink socket subscribed to RTNLGRP_LINK and the IPv4/IPv6
// address groups, a cached view of links and addresses, and a stream of MonitorEvents per
// subscriber. When the kernel reports ENOBUFS (notifications were lost) the monitor re-dumps links
// and addresses through the request client and emits the events the loss hid, so a subscriber's
// view always converges on the kernel's.
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "base/result.hpp"
#include "net/netlink/address.hpp"
#include "net/netlink/link.hpp"
#include "net/netlink/monitor_event.hpp"
#include "net/netlink/parse.hpp"
#include "net/netlink/route_socket.hpp"

namespace vigil::net::netlink {

class Client;

namespace detail {
struct EventQueue {
  explicit EventQueue(const asio::any_io_executor& executor) : wake(executor, 1) {}
  std::deque<MonitorEvent> events;
  asio::experimental::channel<void(asio::error_code, bool)> wake;  // holds one token while events wait
  bool closed = false;
  void push(MonitorEvent event);
  void close();
};
}  // namespace detail

// One consumer's view of the event stream: every event published after subscribe(), in order,
// none dropped (the queue is unbounded: keep awaiting next()). Destroying it unsubscribes.
class Subscription {
 public:
  // The next event; an Error (operation_canceled) once the monitor has stopped and the queue is empty.
  asio::awaitable<Result<MonitorEvent>> next();
  // An already queued event, without waiting.
  [[nodiscard]] std::optional<MonitorEvent> try_next();

 private:
  friend class Monitor;
  friend class Netlink;
  explicit Subscription(std::shared_ptr<detail::EventQueue> queue) : queue_(std::move(queue)) {}
  std::shared_ptr<detail::EventQueue> queue_;
};

struct MonitorOptions {
  // SO_RCVBUFFORCE on the monitor socket: bursts of notifications wait here while the io_context
  // is busy. Overflow is recovered (re-dump), this only makes it rarer. Tests shrink it to force it.
  int receive_buffer_bytes = 4 * 1024 * 1024;
};

class Monitor : public std::enable_shared_from_this<Monitor> {
 public:
  // Subscribes, dumps links and addresses into the cache, then starts following notifications.
  static asio::awaitable<Result<std::shared_ptr<Monitor>>> open(std::shared_ptr<Client> client,
                                                                MonitorOptions options = {});
  Monitor(const Monitor&) = delete;
  Monitor& operator=(const Monitor&) = delete;
  ~Monitor();

  [[nodiscard]] Subscription subscribe();

  // The cached view (what subscribers have been told so far).
  [[nodiscard]] std::vector<LinkInfo> links() const;
  [[nodiscard]] std::vector<AddressInfo> addresses() const;
  [[nodiscard]] std::optional<LinkInfo> link(int ifindex) const;

  // Re-dumps after lost notifications (ENOBUFS) or request_resync().
  [[nodiscard]] std::uint64_t resync_count() const { return resync_count_; }
  // Takes the ENOBUFS path now, as if notifications had been lost (tests, and a manual "resync").
  void request_resync();

  // Closes the socket; subscribers drain what is queued and then get an Error.
  void stop();

 private:
  Monitor(std::shared_ptr<Client> client, RouteProtocol::socket socket);
  asio::awaitable<void> run();
  asio::awaitable<Result<void>> resync();
  void drain_socket();
  void apply(const Notification& notification);
  void reconcile(std::map<int, LinkInfo> links, std::map<std::pair<int, IpPrefix>, AddressInfo> addresses);
  void publish(const MonitorEvent& event);

  std::shared_ptr<Client> client_;
  RouteProtocol::socket socket_;
  asio::steady_timer retry_timer_;
  std::vector<std::weak_ptr<detail::EventQueue>> subscribers_;
  std::map<int, LinkInfo> links_;
  std::map<std::pair<int, IpPrefix>, AddressInfo> addresses_;
  std::uint64_t resync_count_ = 0;
  bool resync_requested_ = false;
  bool stopped_ = false;
};

}  // namespace vigil::net::netlink
