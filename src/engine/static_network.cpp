#include "engine/static_network.hpp"

#include <linux/netlink.h>
#include <linux/rtnetlink.h>

#include <algorithm>
#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/this_coro.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <variant>
#include <vector>

#include "engine/core_config.hpp"
#include "net/netlink/error.hpp"
#include "sys/log.hpp"

namespace vigil::engine {

namespace {

// Changes come in bursts (a link going down flushes many routes): one repair per burst.
constexpr auto kRepairDelay = std::chrono::milliseconds(100);
constexpr int kRouteEventBuffer = 1024 * 1024;
constexpr std::array<unsigned, 4> kRouteGroups = {RTNLGRP_IPV4_ROUTE, RTNLGRP_IPV6_ROUTE, RTNLGRP_IPV4_RULE,
                                                  RTNLGRP_IPV6_RULE};

template <class T>
bool contains(const std::vector<T>& entries, const T& entry) {
  return std::find(entries.begin(), entries.end(), entry) != entries.end();
}

bool already_there(const Result<void>& added) { return !added && net::netlink::has_errno(added.error(), EEXIST); }

bool already_gone(const Result<void>& removed) {
  return !removed &&
         (net::netlink::has_errno(removed.error(), ESRCH) || net::netlink::has_errno(removed.error(), ENOENT) ||
          net::netlink::has_errno(removed.error(), EADDRNOTAVAIL) || net::netlink::has_errno(removed.error(), ENODEV));
}

// Whether a datagram from the route/rule groups reports a deletion.
bool reports_deletion(const std::uint8_t* data, std::size_t size) {
  std::size_t offset = 0;
  while (offset + sizeof(nlmsghdr) <= size) {
    nlmsghdr header{};
    std::memcpy(&header, data + offset, sizeof header);
    if (header.nlmsg_len < sizeof(nlmsghdr) || offset + header.nlmsg_len > size) break;
    if (header.nlmsg_type == RTM_DELROUTE || header.nlmsg_type == RTM_DELRULE) return true;
    offset += NLMSG_ALIGN(header.nlmsg_len);
  }
  return false;
}

}  // namespace

StaticNetwork::StaticNetwork(asio::any_io_executor executor, std::unique_ptr<net::netlink::Netlink> netlink)
    : executor_(std::move(executor)), netlink_(std::move(netlink)) {}

StaticNetwork::~StaticNetwork() = default;

rt::Task<Result<std::unique_ptr<StaticNetwork>>> StaticNetwork::start(StaticSet set) {
  auto executor = co_await asio::this_coro::executor;
  auto netlink = co_await net::netlink::Netlink::open();
  if (!netlink) co_return fail(std::move(netlink.error()));
  std::unique_ptr<StaticNetwork> self(new StaticNetwork(executor, std::move(*netlink)));
  auto socket = net::netlink::open_route_socket(executor, kRouteEventBuffer);
  if (socket) {
    if (auto joined = net::netlink::join_groups(*socket, kRouteGroups); joined) {
      self->route_events_.emplace(std::move(*socket));
    } else {
      sys::log_warning("static routes: cannot follow route changes ({}); re-applied on link changes only",
                       joined.error().to_string());
    }
  } else {
    sys::log_warning("static routes: cannot follow route changes ({}); re-applied on link changes only",
                     socket.error().to_string());
  }
  self->current_ = std::move(set);
  co_await self->apply(self->current_);
  ++self->followers_;
  asio::co_spawn(executor, self->follow_links(self->netlink_->subscribe()), asio::detached);
  if (self->route_events_) {
    ++self->followers_;
    asio::co_spawn(executor, self->follow_routes(), asio::detached);
  }
  co_return std::move(self);
}

rt::Task<std::optional<int>> StaticNetwork::ifindex(const std::optional<std::string>& dev, const std::string& what) {
  if (!dev) co_return 0;
  auto index = co_await netlink_->link_index(*dev);
  if (!index) {
    sys::log_error("static {}: no interface {} ({})", what, *dev, index.error().to_string());
    co_return std::nullopt;
  }
  co_return *index;
}

rt::Task<void> StaticNetwork::apply(const StaticSet& add) {
  // Addresses first: a route's `src` or gateway may need one of them.
  for (const auto& entry : add.addresses) {
    const std::string what = "address " + describe(entry);
    const auto index = co_await ifindex(entry.dev, what);
    if (!index) continue;
    auto spec = to_address_spec(entry, *index);
    if (auto added = co_await netlink_->add_address(std::move(spec)); added || already_there(added)) {
      sys::log_info("static {} added", what);
    } else {
      sys::log_error("static {}: {}", what, added.error().to_string());
    }
  }
  for (const auto& entry : add.routes) {
    const std::string what = "route " + describe(entry);
    const auto index = co_await ifindex(entry.dev, what);
    if (!index) continue;
    auto spec = to_route_spec(entry, *index);
    if (auto added = co_await netlink_->add_route(std::move(spec)); added || already_there(added)) {
      sys::log_info("static {} added", what);
    } else {
      sys::log_error("static {}: {}", what, added.error().to_string());
    }
  }
  for (const auto& entry : add.rules) {
    const std::string what = "rule " + describe(entry);
    auto spec = to_rule_spec(entry);
    if (auto added = co_await netlink_->add_rule(std::move(spec)); added || already_there(added)) {
      sys::log_info("static {} added", what);
    } else {
      sys::log_error("static {}: {}", what, added.error().to_string());
    }
  }
}

rt::Task<void> StaticNetwork::withdraw(const StaticSet& remove) {
  // The reverse of apply: rules, routes, then the addresses they may rely on.
  for (const auto& entry : remove.rules) {
    const std::string what = "rule " + describe(entry);
    auto spec = to_rule_spec(entry);
    if (auto removed = co_await netlink_->remove_rule(std::move(spec)); removed || already_gone(removed)) {
      sys::log_info("static {} removed", what);
    } else {
      sys::log_error("static {}: cannot remove: {}", what, removed.error().to_string());
    }
  }
  for (const auto& entry : remove.routes) {
    const std::string what = "route " + describe(entry);
    const auto index = co_await ifindex(entry.dev, what);
    if (!index) continue;
    auto spec = to_route_spec(entry, *index);
    if (auto removed = co_await netlink_->remove_route(std::move(spec)); removed || already_gone(removed)) {
      sys::log_info("static {} removed", what);
    } else {
      sys::log_error("static {}: cannot remove: {}", what, removed.error().to_string());
    }
  }
  for (const auto& entry : remove.addresses) {
    const std::string what = "address " + describe(entry);
    const auto index = co_await ifindex(entry.dev, what);
    if (!index) continue;
    auto spec = to_address_spec(entry, *index);
    if (auto removed = co_await netlink_->remove_address(std::move(spec)); removed || already_gone(removed)) {
      sys::log_info("static {} removed", what);
    } else {
      sys::log_error("static {}: cannot remove: {}", what, removed.error().to_string());
    }
  }
}

rt::Task<void> StaticNetwork::reload(StaticSet next) {
  const StaticPlan plan = plan_static_reload(current_, next);
  current_ = std::move(next);
  const auto count = [](const StaticSet& set) { return set.addresses.size() + set.routes.size() + set.rules.size(); };
  sys::log_info("static entries: {} removed, {} added, {} unchanged", count(plan.remove), count(plan.add),
                count(plan.keep));
  co_await withdraw(plan.remove);
  co_await apply(plan.add);
}

rt::Task<void> StaticNetwork::repair() {
  // A copy: a reload may replace current_ while this waits for the kernel. An entry the reload
  // dropped meanwhile is skipped rather than brought back.
  const StaticSet wanted = current_;
  std::uint64_t restored = 0;
  for (const auto& entry : wanted.addresses) {
    if (stopping_ || !contains(current_.addresses, entry)) continue;
    auto index = co_await netlink_->link_index(entry.dev.value_or(""));
    if (!index) continue;  // the interface is gone; a new link brings another repair
    auto spec = to_address_spec(entry, *index);
    if (auto added = co_await netlink_->add_address(std::move(spec)); added) {
      sys::log_notice("static address {} was removed; re-applied", describe(entry));
      ++restored;
    }
  }
  for (const auto& entry : wanted.routes) {
    if (stopping_ || !contains(current_.routes, entry)) continue;
    int index = 0;
    if (entry.dev) {
      auto found = co_await netlink_->link_index(*entry.dev);
      if (!found) continue;
      index = *found;
    }
    auto spec = to_route_spec(entry, index);
    if (auto added = co_await netlink_->add_route(std::move(spec)); added) {
      sys::log_notice("static route {} was removed; re-applied", describe(entry));
      ++restored;
    }
  }
  for (const auto& entry : wanted.rules) {
    if (stopping_ || !contains(current_.rules, entry)) continue;
    auto spec = to_rule_spec(entry);
    if (auto added = co_await netlink_->add_rule(std::move(spec)); added) {
      sys::log_notice("static rule {} was removed; re-applied", describe(entry));
      ++restored;
    }
  }
  if (restored > 0) ++repairs_;
}

void StaticNetwork::schedule_repair() {
  if (repair_pending_ || stopping_) return;
  repair_pending_ = true;
  ++followers_;
  asio::co_spawn(executor_, run_repairs(), asio::detached);
}

rt::Task<void> StaticNetwork::run_repairs() {
  asio::steady_timer delay(co_await asio::this_coro::executor, kRepairDelay);
  co_await delay.async_wait(rt::use_nothrow);
  repair_pending_ = false;
  if (!stopping_) co_await repair();
  --followers_;
}

rt::Task<void> StaticNetwork::follow_links(net::netlink::Subscription subscription) {
  for (;;) {
    auto event = co_await subscription.next();
    if (!event) break;
    // Every change that can take a static entry away, or make a failed one possible: a link
    // coming (back) up has lost its routes; an address removed may be ours.
    const bool relevant = std::visit(
        [](const auto& change) {
          using Change = std::decay_t<decltype(change)>;
          if constexpr (std::is_same_v<Change, net::netlink::LinkChanged>) return change.up;
          return !std::is_same_v<Change, net::netlink::LinkRemoved>;
        },
        *event);
    if (relevant) schedule_repair();
  }
  --followers_;
}

rt::Task<void> StaticNetwork::follow_routes() {
  std::vector<std::uint8_t> buffer(net::netlink::kReceiveBufferSize);
  for (;;) {
    auto [ec, size] = co_await route_events_->async_receive(asio::buffer(buffer), rt::use_nothrow);
    if (stopping_) break;
    if (ec == asio::error::operation_aborted || ec == asio::error::bad_descriptor) break;
    // ENOBUFS: deletions may have been lost, so look at everything.
    if (ec || reports_deletion(buffer.data(), size)) schedule_repair();
  }
  --followers_;
}

rt::Task<void> StaticNetwork::stop(bool keep) {
  stopping_ = true;
  if (keep) {
    sys::log_info("static entries left in place (static_keep_on_stop)");
  } else {
    co_await withdraw(current_);
  }
  netlink_->stop();
  if (route_events_) {
    asio::error_code ignored;
    route_events_->close(ignored);
  }
  asio::steady_timer poll(co_await asio::this_coro::executor);
  while (followers_ > 0) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(rt::use_nothrow);
  }
}

}  // namespace vigil::engine
