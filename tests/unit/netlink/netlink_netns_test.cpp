// rtnetlink transactions against a real kernel, each case in its own network namespace.
#include <doctest/doctest.h>

#include <algorithm>
#include <array>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <cerrno>
#include <ostream>  // doctest prints std::error_code

#include "net/netlink/netlink.hpp"
#include "netns_sandbox.hpp"
#include "test_support.hpp"

using namespace vigil;
using namespace vigil::net::netlink;
using vigil::test::ip_addresses;
using vigil::test::ip_json;
using vigil::test::run_coroutine_in_netns;

namespace {

IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }
IpAddress ip(const char* text) { return *IpAddress::parse(text); }

bool contains(const std::vector<std::string>& list, const std::string& item) {
  return std::find(list.begin(), list.end(), item) != list.end();
}

asio::awaitable<std::unique_ptr<Netlink>> open_netlink() {
  const NetlinkOptions netlink_spec{.monitor = false, .monitor_options = {}};
  auto netlink = co_await Netlink::open(netlink_spec);
  INFO((netlink ? std::string() : netlink.error().to_string()));
  REQUIRE(netlink);
  co_return std::move(*netlink);
}

// One of many concurrent workers: adds its own address, and every tenth also dumps.
asio::awaitable<void> add_and_dump(Netlink* nl, int ifindex, int i, int* succeeded, int* dumps) {
  const std::string text =
      i < 50 ? "198.51.100." + std::to_string(i + 1) + "/32" : "2001:db8::" + std::to_string(i) + "/128";
  const AddressSpec added_spec{.ifindex = ifindex, .prefix = *IpPrefix::parse(text), .nodad = true};
  auto added = co_await nl->add_address(added_spec);
  if (added) ++*succeeded;
  if (i % 10 == 0) {  // dumps interleave with the requests (and queue behind each other)
    auto links = co_await nl->links();
    auto addresses = co_await nl->addresses();
    if (links && addresses) ++*dumps;
  }
}

}  // namespace

TEST_CASE("add and remove IPv4 and IPv6 addresses, awaiting the ACKs") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(false);
    auto nl = co_await open_netlink();
    const int veth0 = test::ifindex_of("veth0");
    REQUIRE(veth0 > 0);

    const AddressSpec v4{.ifindex = veth0,
                         .prefix = prefix("192.0.2.10/24"),
                         .label = "veth0:vip",
                         .scope = Scope::kUniverse,
                         .broadcast = ip("192.0.2.255"),
                         .nodad = false};
    const AddressSpec v6{.ifindex = veth0,
                         .prefix = prefix("2001:db8::10/64"),
                         .label = {},
                         .scope = Scope::kUniverse,
                         .broadcast = std::nullopt,
                         .nodad = true};
    auto added4 = co_await nl->add_address(v4);
    CHECK_MESSAGE(added4, (added4 ? "" : added4.error().to_string()));
    auto added6 = co_await nl->add_address(v6);
    CHECK_MESSAGE(added6, (added6 ? "" : added6.error().to_string()));

    auto listed = ip_addresses("veth0");
    CHECK(contains(listed, "192.0.2.10/24"));
    CHECK(contains(listed, "2001:db8::10/64"));
    for (const auto& link : ip_json("addr show dev veth0")) {
      for (const auto& info : link["addr_info"]) {
        if (info["local"] == "192.0.2.10") {
          CHECK(info["label"] == "veth0:vip");
          CHECK(info["broadcast"] == "192.0.2.255");
        }
        if (info["local"] == "2001:db8::10") CHECK(info.value("nodad", false));
      }
    }

    // The dump agrees with ip.
    auto dumped = co_await nl->addresses(Family::kIPv4);
    REQUIRE(dumped);
    const bool seen = std::any_of(dumped->begin(), dumped->end(), [&](const AddressInfo& a) {
      return a.ifindex == veth0 && a.prefix == v4.prefix && a.label == "veth0:vip";
    });
    CHECK(seen);

    auto removed4 = co_await nl->remove_address(v4);
    CHECK(removed4);
    auto removed6 = co_await nl->remove_address(v6);
    CHECK(removed6);
    listed = ip_addresses("veth0");
    CHECK_FALSE(contains(listed, "192.0.2.10/24"));
    CHECK_FALSE(contains(listed, "2001:db8::10/64"));
  });
}

TEST_CASE("adding an address twice returns the kernel's EEXIST and extended ACK text") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(false);
    auto nl = co_await open_netlink();
    const AddressSpec spec{.ifindex = test::ifindex_of("veth0"), .prefix = prefix("198.51.100.7/24")};
    auto first = co_await nl->add_address(spec);
    REQUIRE(first);
    auto second = co_await nl->add_address(spec);
    REQUIRE_FALSE(second);
    CHECK(second.error().code == std::errc::file_exists);
    CHECK(&second.error().code.category() == &netlink_category());
    CHECK(second.error().code.value() == EEXIST);
    CHECK(second.error().message.find("ipv4: Address already assigned") != std::string::npos);
    CHECK(second.error().message.find("198.51.100.7/24") != std::string::npos);
    MESSAGE(second.error().message);

    // The idempotent variants treat "already there" / "already gone" as done.
    auto ensured = co_await nl->ensure_address_present(spec);
    CHECK(ensured);
    auto removed = co_await nl->remove_address(spec);
    CHECK(removed);
    auto missing = co_await nl->remove_address(spec);
    REQUIRE_FALSE(missing);
    CHECK(missing.error().code == std::errc::address_not_available);
    auto absent = co_await nl->ensure_address_absent(spec);
    CHECK(absent);

    const AddressSpec v6{.ifindex = spec.ifindex, .prefix = prefix("2001:db8::7/64"), .nodad = true};
    auto step1 = co_await nl->add_address(v6);
    REQUIRE(static_cast<bool>(step1));
    auto twice6 = co_await nl->add_address(v6);
    REQUIRE_FALSE(twice6);
    CHECK(twice6.error().code == std::errc::file_exists);
    auto step2 = co_await nl->ensure_address_present(v6);
    CHECK(static_cast<bool>(step2));
  });
}

TEST_CASE("an invalid request resumes with the errno and the kernel's text") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(false);
    auto nl = co_await open_netlink();
    const int veth0 = test::ifindex_of("veth0");

    const AddressSpec bad_prefix_spec{.ifindex = veth0, .prefix = {ip("192.0.2.20"), 33}};
    auto bad_prefix = co_await nl->add_address(bad_prefix_spec);
    REQUIRE_FALSE(bad_prefix);
    CHECK(bad_prefix.error().code == std::errc::invalid_argument);
    CHECK(bad_prefix.error().message.find("ipv4: Invalid prefix length") != std::string::npos);
    MESSAGE(bad_prefix.error().message);

    const AddressSpec bad_device_spec{.ifindex = 9999, .prefix = prefix("192.0.2.21/24")};
    auto bad_device = co_await nl->add_address(bad_device_spec);
    REQUIRE_FALSE(bad_device);
    CHECK(bad_device.error().code == std::errc::no_such_device);
    CHECK(bad_device.error().message.find("ipv4: Device not found") != std::string::npos);
    MESSAGE(bad_device.error().message);

    const AddressSpec bad_device6_spec{.ifindex = 9999, .prefix = prefix("2001:db8::21/64")};
    auto bad_device6 = co_await nl->add_address(bad_device6_spec);
    REQUIRE_FALSE(bad_device6);
    CHECK(bad_device6.error().code == std::errc::no_such_device);

    auto no_link = co_await nl->link_index("vg-nothere");
    REQUIRE_FALSE(no_link);
    CHECK(no_link.error().code == std::errc::no_such_device);

    // Nothing was added behind our back.
    CHECK(ip_addresses("veth0").empty());
  });
}

TEST_CASE("create, change and delete a macvlan on a veth") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(true);
    auto nl = co_await open_netlink();
    auto parent = co_await nl->link_index("veth0");
    REQUIRE(parent);
    CHECK(*parent == test::ifindex_of("veth0"));

    const auto mac = *MacAddress::parse("00:00:5e:00:01:33");
    const MacvlanSpec created_spec{
        .name = "vg-mv0", .parent_ifindex = *parent, .mac = mac, .mode = MacvlanMode::kPrivate};
    auto created = co_await nl->create_macvlan(created_spec);
    INFO((created ? std::string() : created.error().to_string()));
    REQUIRE(created);
    CHECK(*created == test::ifindex_of("vg-mv0"));

    auto shown = ip_json("-d link show vg-mv0");
    REQUIRE(shown.size() == 1);
    CHECK(shown[0]["address"] == "00:00:5e:00:01:33");
    CHECK(shown[0]["linkinfo"]["info_kind"] == "macvlan");
    CHECK(shown[0]["linkinfo"]["info_data"]["mode"] == "private");
    CHECK(shown[0]["link"] == "veth0");

    auto up = co_await nl->set_link_up(*created, true);
    CHECK(up);
    auto new_mac = co_await nl->set_link_mac(*created, *MacAddress::parse("00:00:5e:00:01:34"));
    CHECK(new_mac);
    auto info = co_await nl->link("vg-mv0");
    REQUIRE(info);
    CHECK(info->up);
    CHECK(info->kind == "macvlan");
    CHECK(info->parent_ifindex == *parent);
    CHECK(info->mac == MacAddress::parse("00:00:5e:00:01:34"));
    auto flags = ip_json("link show vg-mv0")[0]["flags"];
    CHECK(std::find(flags.begin(), flags.end(), "UP") != flags.end());

    auto links = co_await nl->links();
    REQUIRE(links);
    CHECK(std::count_if(links->begin(), links->end(), [](const LinkInfo& l) { return l.name == "vg-mv0"; }) == 1);
    CHECK(std::count_if(links->begin(), links->end(), [](const LinkInfo& l) { return l.kind == "veth"; }) == 2);

    const MacvlanSpec again_spec{.name = "vg-mv0", .parent_ifindex = *parent};
    auto again = co_await nl->create_macvlan(again_spec);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == std::errc::file_exists);

    auto deleted = co_await nl->delete_link(*created);
    CHECK(deleted);
    CHECK(ip_json("link show").size() == 3);  // lo, veth0, veth1
    CHECK(test::run_command("ip link show vg-mv0").status != 0);
  });
}

TEST_CASE("routes and rules are added and removed") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(true);
    auto nl = co_await open_netlink();
    const int veth0 = test::ifindex_of("veth0");
    const AddressSpec step3_spec{.ifindex = veth0, .prefix = prefix("192.0.2.1/24")};
    auto step3 = co_await nl->add_address(step3_spec);
    REQUIRE(static_cast<bool>(step3));
    const AddressSpec step4_spec{.ifindex = veth0, .prefix = prefix("2001:db8::1/64"), .nodad = true};
    auto step4 = co_await nl->add_address(step4_spec);
    REQUIRE(static_cast<bool>(step4));

    const RouteSpec via{.destination = prefix("198.51.100.0/24"),
                        .gateway = ip("192.0.2.254"),
                        .ifindex = veth0,
                        .preferred_source = ip("192.0.2.1"),
                        .table = 100,
                        .metric = 50};
    const RouteSpec blackhole{.destination = prefix("203.0.113.0/24"), .table = 100, .type = RouteType::kBlackhole};
    const RouteSpec unreachable{
        .destination = prefix("203.0.113.128/25"), .table = 100, .type = RouteType::kUnreachable};
    const RouteSpec v6{.destination = prefix("2001:db8:1::/48"), .ifindex = veth0, .metric = 10};
    for (const auto* route : {&via, &blackhole, &unreachable, &v6}) {
      auto added = co_await nl->add_route(*route);
      CHECK_MESSAGE(added, (added ? "" : added.error().to_string()));
    }
    auto table = ip_json("route show table 100");
    REQUIRE(table.size() == 3);
    bool saw_via = false;
    bool saw_blackhole = false;
    bool saw_unreachable = false;
    for (const auto& route : table) {
      if (route["dst"] == "198.51.100.0/24") {
        saw_via = route["gateway"] == "192.0.2.254" && route["dev"] == "veth0" && route["metric"] == 50 &&
                  route["prefsrc"] == "192.0.2.1";
      }
      if (route["dst"] == "203.0.113.0/24") saw_blackhole = route["type"] == "blackhole";
      if (route["dst"] == "203.0.113.128/25") saw_unreachable = route["type"] == "unreachable";
    }
    CHECK(saw_via);
    CHECK(saw_blackhole);
    CHECK(saw_unreachable);
    auto routes6 = ip_json("-6 route show 2001:db8:1::/48");
    REQUIRE(routes6.size() == 1);
    CHECK(routes6[0]["dev"] == "veth0");
    CHECK(routes6[0]["metric"] == 10);

    auto twice = co_await nl->add_route(via);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().code == std::errc::file_exists);
    const RouteSpec bad_gateway_spec{
        .destination = prefix("198.51.100.128/25"), .gateway = ip("203.0.113.1"), .table = 100};
    auto bad_gateway = co_await nl->add_route(bad_gateway_spec);
    REQUIRE_FALSE(bad_gateway);
    MESSAGE(bad_gateway.error().message);

    for (const auto* route : {&via, &blackhole, &unreachable, &v6}) {
      auto removed = co_await nl->remove_route(*route);
      CHECK_MESSAGE(removed, (removed ? "" : removed.error().to_string()));
    }
    CHECK(ip_json("route show table 100").empty());
    CHECK(ip_json("-6 route show 2001:db8:1::/48").empty());
    auto gone = co_await nl->remove_route(via);
    REQUIRE_FALSE(gone);
    CHECK(gone.error().code == std::errc::no_such_process);  // ESRCH: no such route

    const RuleSpec from{.family = Family::kIPv4, .from = prefix("192.0.2.0/24"), .table = 100, .priority = 1000};
    const RuleSpec mark{.family = Family::kIPv4, .fwmark = 0x10, .fwmask = 0xff, .table = 100, .priority = 1001};
    const RuleSpec prohibit{.family = Family::kIPv4,
                            .to = prefix("203.0.113.0/24"),
                            .iif = "veth0",
                            .priority = 1002,
                            .action = RuleAction::kProhibit};
    const RuleSpec v6rule{
        .family = Family::kIPv6, .from = prefix("2001:db8::/64"), .oif = "veth0", .table = 100, .priority = 1003};
    for (const auto* rule : {&from, &mark, &prohibit, &v6rule}) {
      auto added = co_await nl->add_rule(*rule);
      CHECK_MESSAGE(added, (added ? "" : added.error().to_string()));
    }
    int found = 0;
    for (const auto& rule : ip_json("rule show")) {
      const int priority = rule["priority"].get<int>();
      if (priority == 1000) found += rule["src"] == "192.0.2.0" && rule["srclen"] == 24 && rule["table"] == "100";
      if (priority == 1001) found += rule["fwmark"] == "0x10" && rule["fwmask"] == "0xff";
      if (priority == 1002) found += rule["action"] == "prohibit" && rule["iif"] == "veth0";
    }
    CHECK(found == 3);
    auto rules6 = ip_json("-6 rule show");
    CHECK(std::count_if(rules6.begin(), rules6.end(),
                        [](const nlohmann::json& r) { return r["priority"] == 1003 && r["oif"] == "veth0"; }) == 1);
    auto rule_twice = co_await nl->add_rule(from);
    REQUIRE_FALSE(rule_twice);
    CHECK(rule_twice.error().code == std::errc::file_exists);

    for (const auto* rule : {&from, &mark, &prohibit, &v6rule}) {
      auto removed = co_await nl->remove_rule(*rule);
      CHECK_MESSAGE(removed, (removed ? "" : removed.error().to_string()));
    }
    for (const auto& rule : ip_json("rule show")) CHECK(rule["priority"].get<int>() != 1000);
    CHECK(ip_json("rule show").size() == 3);  // local, main, default
    CHECK(ip_json("-6 rule show").size() == 2);
  });
}

TEST_CASE("a request's ACK is read in the pass that sent it: no other handler runs before it completes") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(false);
    auto nl = co_await open_netlink();
    const int veth0 = test::ifindex_of("veth0");
    const auto executor = co_await asio::this_coro::executor;
    // A new master adds its VIPs and sends its first GARP in one step: the kernel has queued the
    // ACK when sendto() returns, so the transaction never waits for the event loop.
    bool other_handler_ran = false;
    asio::post(executor, [&other_handler_ran] { other_handler_ran = true; });
    const AddressSpec spec{.ifindex = veth0, .prefix = prefix("192.0.2.20/32")};
    auto added = co_await nl->add_address(spec);
    CHECK(added);
    CHECK_FALSE(other_handler_ran);
    auto again = co_await nl->add_address(spec);  // an error answer comes the same way
    REQUIRE_FALSE(again);
    CHECK(again.error().code == std::errc::file_exists);
    CHECK_FALSE(other_handler_ran);
    co_await asio::post(executor, asio::use_awaitable);
    CHECK(other_handler_ran);
  });
}

TEST_CASE("concurrent transactions from many coroutines all complete") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(true);
    auto nl = co_await open_netlink();
    const int veth0 = test::ifindex_of("veth0");
    const auto executor = co_await asio::this_coro::executor;
    constexpr int kWorkers = 100;
    int succeeded = 0;
    int finished = 0;
    int dumps = 0;
    for (int i = 0; i < kWorkers; ++i) {
      asio::co_spawn(executor, add_and_dump(nl.get(), veth0, i, &succeeded, &dumps),
                     [&finished](const std::exception_ptr& e) {
                       if (e) std::rethrow_exception(e);
                       ++finished;
                     });
    }
    asio::steady_timer wait(executor);
    while (finished < kWorkers) {
      wait.expires_after(std::chrono::milliseconds(5));
      co_await wait.async_wait(asio::use_awaitable);
    }
    CHECK(succeeded == kWorkers);
    CHECK(dumps == kWorkers / 10);
    const auto listed = ip_addresses("veth0");
    CHECK(std::count_if(listed.begin(), listed.end(), [](const std::string& a) {
            return a.starts_with("198.51.100.") || (a.starts_with("2001:db8::") && a.ends_with("/128"));
          }) == kWorkers);
  });
}

TEST_CASE("a cancelled request leaves a stale reply that is dropped") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(false);
    auto nl = co_await open_netlink();
    const int veth0 = test::ifindex_of("veth0");
    const auto executor = co_await asio::this_coro::executor;
    // Start requests and abandon them before their ACK arrives; their replies become stale.
    std::array<asio::cancellation_signal, 5> cancels;
    int abandoned = 0;
    for (std::size_t i = 0; i < cancels.size(); ++i) {
      const AddressSpec spec{.ifindex = veth0,
                             .prefix = *IpPrefix::parse("203.0.113." + std::to_string(i + 1) + "/32")};
      asio::co_spawn(
          executor, nl->add_address(spec),
          asio::bind_cancellation_slot(cancels[i].slot(),
                                       [&abandoned](const std::exception_ptr&, const Result<void>&) { ++abandoned; }));
    }
    co_await asio::post(executor, asio::use_awaitable);  // let them send
    for (auto& cancel : cancels) cancel.emit(asio::cancellation_type::terminal);
    // Later requests still pair with their own replies.
    const AddressSpec added_spec{.ifindex = veth0, .prefix = prefix("203.0.113.100/32")};
    auto added = co_await nl->add_address(added_spec);
    CHECK(added);
    const AddressSpec twice_spec{.ifindex = veth0, .prefix = prefix("203.0.113.100/32")};
    auto twice = co_await nl->add_address(twice_spec);
    REQUIRE_FALSE(twice);
    CHECK(twice.error().code == std::errc::file_exists);
    CHECK(abandoned == 5);
  });
}

TEST_CASE("stop resumes waiting work with operation_canceled") {
  VIGIL_REQUIRE_ROOT();
  run_coroutine_in_netns([]() -> asio::awaitable<void> {
    test::make_veth_pair(false);
    auto opened = co_await Netlink::open();
    REQUIRE(opened);
    auto nl = std::move(*opened);
    const auto executor = co_await asio::this_coro::executor;
    auto subscription = nl->subscribe();
    bool subscriber_done = false;
    asio::co_spawn(executor, subscription.next(),
                   [&subscriber_done](const std::exception_ptr& e, const Result<MonitorEvent>& event) {
                     if (e) std::rethrow_exception(e);
                     CHECK_FALSE(event);
                     if (!event) CHECK(event.error().code == std::errc::operation_canceled);
                     subscriber_done = true;
                   });
    bool request_done = false;
    asio::co_spawn(executor, nl->links(),
                   [&request_done](const std::exception_ptr& e, const Result<std::vector<LinkInfo>>& links) {
                     if (e) std::rethrow_exception(e);
                     // Either the dump won the race or it was cancelled; it never hangs.
                     if (!links) CHECK(links.error().code == std::errc::operation_canceled);
                     request_done = true;
                   });
    nl->stop();
    auto after = co_await nl->set_link_up(test::ifindex_of("veth0"), true);
    REQUIRE_FALSE(after);
    CHECK(after.error().code == std::errc::operation_canceled);
    asio::steady_timer wait(executor);
    while (!subscriber_done || !request_done) {
      wait.expires_after(std::chrono::milliseconds(1));
      co_await wait.async_wait(asio::use_awaitable);
    }
    nl.reset();
  });
}
