// The link/address monitor against a real kernel, each case in its own network namespace.
#include <doctest/doctest.h>

#include <unistd.h>

#include <algorithm>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <ostream>  // doctest prints std::error_code
#include <set>

#include "net/netlink/netlink.hpp"
#include "netns_sandbox.hpp"
#include "rt/with_timeout.hpp"
#include "test_support.hpp"

using namespace vigil;
using namespace vigil::net::netlink;
using vigil::test::run_command;
using vigil::test::run_coroutine_in_netns;

namespace {

// A bound that only a broken monitor reaches; the kernel answers in microseconds.
constexpr auto kPatience = std::chrono::seconds(20);

IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }

asio::awaitable<std::unique_ptr<Netlink>> open_netlink(int monitor_receive_buffer = 0) {
  NetlinkOptions options;
  if (monitor_receive_buffer > 0) options.monitor_options.receive_buffer_bytes = monitor_receive_buffer;
  auto netlink = co_await Netlink::open(options);
  INFO((netlink ? std::string() : netlink.error().to_string()));
  REQUIRE(netlink);
  co_return std::move(*netlink);
}

// Awaits events until one matches; every event seen on the way is handed to `seen` too.
asio::awaitable<std::optional<MonitorEvent>> wait_for(Subscription& events,
                                                      std::function<bool(const MonitorEvent&)> match,
                                                      std::function<void(const MonitorEvent&)> seen = {}) {
  for (;;) {
    auto event = co_await rt::with_timeout(events.next(), kPatience);
    if (!event) {
      MESSAGE("no matching event: " << event.error().to_string());
      co_return std::nullopt;
    }
    if (seen) seen(*event);
    if (match(*event)) co_return *event;
  }
}

std::function<bool(const MonitorEvent&)> link_state(int ifindex, bool up, bool running) {
  return [=](const MonitorEvent& e) {
    const auto* link = std::get_if<LinkChanged>(&e);
    return link != nullptr && link->ifindex == ifindex && link->up == up && link->running == running;
  };
}

template <class Event>
std::function<bool(const MonitorEvent&)> address_event(int ifindex, IpPrefix expected) {
  return [=](const MonitorEvent& e) {
    const auto* address = std::get_if<Event>(&e);
    return address != nullptr && address->ifindex == ifindex && address->prefix == expected;
  };
}

}  // namespace

TEST_CASE("the monitor sees a veth go down and up and addresses come and go") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(true);
    auto nl = co_await open_netlink();
    const int veth0 = test::ifindex_of("veth0");
    auto events = nl->subscribe();

    // The initial dump filled the cache.
    const auto cached = nl->monitor()->link(veth0);
    REQUIRE(cached);
    CHECK(cached->name == "veth0");
    CHECK(cached->up);

    REQUIRE(run_command("ip link set veth0 down").status == 0);
    auto step1 = co_await wait_for(events, link_state(veth0, false, false));
    CHECK(static_cast<bool>(step1));
    REQUIRE(run_command("ip link set veth0 up").status == 0);
    auto step2 = co_await wait_for(events, link_state(veth0, true, true));
    CHECK(static_cast<bool>(step2));

    REQUIRE(run_command("ip addr add 192.0.2.5/24 dev veth0").status == 0);
    auto step3 = co_await wait_for(events, address_event<AddressAdded>(veth0, prefix("192.0.2.5/24")));
    CHECK(static_cast<bool>(step3));
    const AddressSpec added6_spec{.ifindex = veth0, .prefix = prefix("2001:db8::5/64"), .nodad = true};
    auto added6 = co_await nl->add_address(added6_spec);
    REQUIRE(added6);
    auto step4 = co_await wait_for(events, address_event<AddressAdded>(veth0, prefix("2001:db8::5/64")));
    CHECK(static_cast<bool>(step4));
    REQUIRE(run_command("ip addr del 192.0.2.5/24 dev veth0").status == 0);
    auto step5 = co_await wait_for(events, address_event<AddressRemoved>(veth0, prefix("192.0.2.5/24")));
    CHECK(static_cast<bool>(step5));
    const AddressSpec step6_spec{.ifindex = veth0, .prefix = prefix("2001:db8::5/64")};
    auto step6 = co_await nl->remove_address(step6_spec);
    REQUIRE(static_cast<bool>(step6));
    auto step7 = co_await wait_for(events, address_event<AddressRemoved>(veth0, prefix("2001:db8::5/64")));
    CHECK(static_cast<bool>(step7));

    // A second subscriber gets the same stream from the moment it subscribes.
    auto late = nl->subscribe();
    REQUIRE(run_command("ip link add vg-extra type veth peer name vg-extra-p").status == 0);
    const int extra = test::ifindex_of("vg-extra");
    auto is_extra = [extra](const MonitorEvent& e) {
      const auto* link = std::get_if<LinkChanged>(&e);
      return link != nullptr && link->ifindex == extra && link->name == "vg-extra";
    };
    auto step8 = co_await wait_for(events, is_extra);
    CHECK(static_cast<bool>(step8));
    auto step9 = co_await wait_for(late, is_extra);
    CHECK(static_cast<bool>(step9));
    REQUIRE(run_command("ip link del vg-extra").status == 0);
    auto removed = [extra](const MonitorEvent& e) {
      const auto* link = std::get_if<LinkRemoved>(&e);
      return link != nullptr && link->ifindex == extra && link->name == "vg-extra";
    };
    auto step10 = co_await wait_for(late, removed);
    CHECK(static_cast<bool>(step10));
    CHECK_FALSE(nl->monitor()->link(extra));
    CHECK(nl->monitor()->resync_count() == 0);
  });
}

TEST_CASE("after ENOBUFS the monitor re-dumps and no change is lost") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(true);
    // The smallest receive buffer the kernel allows: a burst overflows it at once.
    auto nl = co_await open_netlink(1);
    const int veth0 = test::ifindex_of("veth0");
    auto events = nl->subscribe();

    // What a consumer believes, built only from the events it is given.
    std::set<IpPrefix> believed;
    for (const auto& address : nl->monitor()->addresses()) {
      if (address.ifindex == veth0) believed.insert(address.prefix);
    }
    bool veth0_up = nl->monitor()->link(veth0).value_or(LinkInfo{}).up;
    REQUIRE(veth0_up);
    auto apply = [&](const MonitorEvent& e) {
      if (const auto* a = std::get_if<AddressAdded>(&e); a != nullptr && a->ifindex == veth0)
        believed.insert(a->prefix);
      if (const auto* r = std::get_if<AddressRemoved>(&e); r != nullptr && r->ifindex == veth0)
        believed.erase(r->prefix);
      if (const auto* l = std::get_if<LinkChanged>(&e); l != nullptr && l->ifindex == veth0) veth0_up = l->up;
    };

    // The burst runs while this thread is blocked in system(): the monitor cannot read.
    const std::string batch = "/tmp/vg-netlink-burst-" + std::to_string(::getpid()) + ".txt";
    {
      std::ofstream out(batch);
      out << "link set veth0 down\n";
      for (int i = 1; i <= 80; ++i) out << "addr add 192.0.2." << i << "/32 dev veth0\n";
      for (int i = 1; i <= 80; i += 3) out << "addr del 192.0.2." << i << "/32 dev veth0\n";
      for (int i = 1; i <= 20; ++i) out << "addr add 2001:db8::" << i << "/128 dev veth0 nodad\n";
    }
    const auto burst = run_command("ip -batch " + batch);
    std::remove(batch.c_str());
    REQUIRE(burst.status == 0);

    const auto marker = prefix("203.0.113.99/32");
    const AddressSpec step11_spec{.ifindex = veth0, .prefix = marker};
    auto step11 = co_await nl->add_address(step11_spec);
    REQUIRE(static_cast<bool>(step11));
    auto step12 = co_await wait_for(events, address_event<AddressAdded>(veth0, marker), apply);
    CHECK(static_cast<bool>(step12));
    while (auto more = events.try_next()) apply(*more);

    CHECK(nl->monitor()->resync_count() >= 1);
    std::set<IpPrefix> kernel;
    for (const auto& text : test::ip_addresses("veth0")) kernel.insert(*IpPrefix::parse(text));
    CHECK(believed.size() == kernel.size());
    CHECK(believed == kernel);
    CHECK_FALSE(veth0_up);
    MESSAGE("resyncs: " << nl->monitor()->resync_count() << ", addresses: " << kernel.size());
  });
}

TEST_CASE("a forced resync with nothing changed emits nothing") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(false);  // down: no carrier or link-local address changes on their own
    auto nl = co_await open_netlink();
    const int veth0 = test::ifindex_of("veth0");
    auto events = nl->subscribe();
    nl->monitor()->request_resync();
    asio::steady_timer tick(co_await asio::this_coro::executor);
    for (int i = 0; i < 20000 && nl->monitor()->resync_count() == 0; ++i) {
      tick.expires_after(std::chrono::milliseconds(1));
      co_await tick.async_wait(asio::use_awaitable);
    }
    CHECK(nl->monitor()->resync_count() == 1);
    const auto marker = prefix("198.51.100.99/32");
    const AddressSpec step13_spec{.ifindex = veth0, .prefix = marker};
    auto step13 = co_await nl->add_address(step13_spec);
    REQUIRE(static_cast<bool>(step13));
    auto first = co_await rt::with_timeout(events.next(), kPatience);
    REQUIRE(first);
    CHECK(address_event<AddressAdded>(veth0, marker)(*first));  // nothing came before it
  });
}
