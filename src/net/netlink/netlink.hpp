#pragma once
// Vigil's rtnetlink driver: awaitable address/route/rule/link transactions plus the link and
// address monitor. Create one Netlink per daemon on the io_context; every operation resumes with
// success or an Error whose code is the kernel's errno (netlink_category(), compares equal to
// std::errc) and whose message carries the kernel's extended ACK text. stop() (or destruction)
// closes the sockets and resumes everything still waiting with operation_canceled.
//
//   auto netlink = co_await Netlink::open();             // Result<std::unique_ptr<Netlink>>
//   const AddressSpec vip{.ifindex = 3, .prefix = *IpPrefix::parse("192.0.2.1/24")};
//   auto added = co_await (*netlink)->ensure_address_present(vip);
//   auto events = (*netlink)->subscribe();  auto event = co_await events.next();
//
// g++ 12 pitfall: never write the spec as a braced temporary inside the co_await expression
// (`co_await nl.add_address({.ifindex = 3, ...})`). g++ 12 destroys such aggregate temporaries
// twice when they own memory (std::string label): double free. Name the spec first, as above.
#include <asio/any_io_executor.hpp>
#include <asio/awaitable.hpp>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "net/netlink/address.hpp"
#include "net/netlink/error.hpp"
#include "net/netlink/link.hpp"
#include "net/netlink/monitor.hpp"
#include "net/netlink/monitor_event.hpp"
#include "net/netlink/route.hpp"

namespace vigil::net::netlink {

class Client;

struct NetlinkOptions {
  bool monitor = true;  // open the link/address monitor (its own socket)
  MonitorOptions monitor_options;
};

class Netlink {
 public:
  // Opens the request socket (and the monitor, which dumps its initial view) on the calling
  // coroutine's executor.
  static asio::awaitable<Result<std::unique_ptr<Netlink>>> open(NetlinkOptions options = {});
  ~Netlink();
  Netlink(const Netlink&) = delete;
  Netlink& operator=(const Netlink&) = delete;

  void stop();

  // Addresses. add fails with EEXIST if present, remove with EADDRNOTAVAIL if absent; the ensure_
  // variants treat those (and ENODEV for absent: no interface, no address) as done.
  asio::awaitable<Result<void>> add_address(AddressSpec spec);
  asio::awaitable<Result<void>> remove_address(AddressSpec spec);
  asio::awaitable<Result<void>> ensure_address_present(AddressSpec spec);
  asio::awaitable<Result<void>> ensure_address_absent(AddressSpec spec);
  asio::awaitable<Result<std::vector<AddressInfo>>> addresses(std::optional<Family> family = std::nullopt);

  // Routes and rules (EEXIST on add of an existing one; ESRCH / ENOENT on remove of a missing one).
  asio::awaitable<Result<void>> add_route(RouteSpec spec);
  asio::awaitable<Result<void>> remove_route(RouteSpec spec);
  asio::awaitable<Result<void>> add_rule(RuleSpec spec);
  asio::awaitable<Result<void>> remove_rule(RuleSpec spec);

  // Links. create_macvlan returns the new interface's ifindex.
  asio::awaitable<Result<int>> create_macvlan(MacvlanSpec spec);
  asio::awaitable<Result<void>> delete_link(int ifindex);
  asio::awaitable<Result<void>> set_link_up(int ifindex, bool up);
  asio::awaitable<Result<void>> set_link_mac(int ifindex, MacAddress mac);
  asio::awaitable<Result<std::vector<LinkInfo>>> links();
  asio::awaitable<Result<LinkInfo>> link(std::string name);
  asio::awaitable<Result<int>> link_index(std::string name);

  // The monitor (nullptr when NetlinkOptions::monitor is false).
  [[nodiscard]] Monitor* monitor() { return monitor_.get(); }
  // monitor()->subscribe(); a closed subscription when there is no monitor.
  [[nodiscard]] Subscription subscribe();

 private:
  Netlink(asio::any_io_executor executor, std::shared_ptr<Client> client);

  asio::any_io_executor executor_;
  std::shared_ptr<Client> client_;
  std::shared_ptr<Monitor> monitor_;
};

}  // namespace vigil::net::netlink
