#pragma once
// StaticNetwork: keeps the config's static_ipaddress / static_routes / static_rules in the kernel,
// independent of any VRRP state. Applied at start; re-applied when the kernel loses them (an
// address removed, a route or rule deleted, a link coming back up, which flushes its routes);
// diffed on reload (static_plan.hpp); removed at stop unless the operator keeps them.
// Runs on one executor (the daemon's main loop) with its own netlink sockets.
#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>
#include <memory>
#include <optional>
#include <string>

#include "base/result.hpp"
#include "config/model.hpp"
#include "engine/static_plan.hpp"
#include "net/netlink/netlink.hpp"
#include "net/netlink/route_socket.hpp"
#include "rt/tokens.hpp"

namespace vigil::engine {

class StaticNetwork {
 public:
  // Opens netlink on the calling coroutine's executor and applies `set`. An entry the kernel
  // refuses is logged and retried on the next link or address change; only failing to open
  // netlink is an error.
  static rt::Task<Result<std::unique_ptr<StaticNetwork>>> start(StaticSet set);
  ~StaticNetwork();
  StaticNetwork(const StaticNetwork&) = delete;
  StaticNetwork& operator=(const StaticNetwork&) = delete;

  // Removes what `next` no longer has, then adds what it gained; entries in both stay untouched.
  rt::Task<void> reload(StaticSet next);
  // Removes every entry (unless `keep`), then closes the sockets.
  rt::Task<void> stop(bool keep);

  [[nodiscard]] const StaticSet& entries() const { return current_; }
  // Completed re-applications (tests, logs).
  [[nodiscard]] std::uint64_t repairs() const { return repairs_; }

 private:
  StaticNetwork(asio::any_io_executor executor, std::unique_ptr<net::netlink::Netlink> netlink);
  rt::Task<void> apply(const StaticSet& add);
  rt::Task<void> withdraw(const StaticSet& remove);
  // Adds whatever of `current_` the kernel lacks; adds of present routes/rules fail with EEXIST.
  rt::Task<void> repair();
  void schedule_repair();
  rt::Task<void> follow_links(net::netlink::Subscription subscription);
  rt::Task<void> follow_routes();
  rt::Task<void> run_repairs();
  rt::Task<std::optional<int>> ifindex(const std::optional<std::string>& dev, const std::string& what);

  asio::any_io_executor executor_;
  std::unique_ptr<net::netlink::Netlink> netlink_;
  std::optional<net::netlink::RouteProtocol::socket> route_events_;
  std::optional<asio::steady_timer> repair_timer_;
  StaticSet current_;
  bool repair_pending_ = false;
  bool repairing_ = false;
  bool stopping_ = false;
  std::size_t followers_ = 0;
  std::uint64_t repairs_ = 0;
};

}  // namespace vigil::engine
