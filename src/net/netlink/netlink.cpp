#include "net/netlink/netlink.hpp"

#include <asio/this_coro.hpp>
#include <cerrno>

#include "net/netlink/client.hpp"
#include "net/netlink/parse.hpp"
#include "net/netlink/request.hpp"

namespace vigil::net::netlink {

namespace {

asio::awaitable<Result<Reply>> request(Client& client, Result<Message> message, std::string what) {
  if (!message) co_return fail(Error{message.error().code, what + ": " + message.error().message});
  co_return co_await client.transact(std::move(*message), std::move(what));
}

asio::awaitable<Result<void>> execute(Client& client, Result<Message> message, std::string what) {
  auto reply = co_await request(client, std::move(message), std::move(what));
  if (!reply) co_return fail(reply.error());
  co_return Result<void>{};
}

std::string on_link(int ifindex) { return " on ifindex " + std::to_string(ifindex); }

std::string describe(const RouteSpec& spec) {
  std::string text = std::string(to_string(spec.type)) + " " + spec.destination.to_string();
  if (spec.gateway) text += " via " + spec.gateway->to_string();
  if (spec.ifindex != 0) text += " dev " + std::to_string(spec.ifindex);
  return text + " table " + std::to_string(spec.table);
}

std::string describe(const RuleSpec& spec) {
  std::string text = "from " + (spec.from ? spec.from->to_string() : std::string("all"));
  if (spec.to) text += " to " + spec.to->to_string();
  if (spec.priority) text += " priority " + std::to_string(*spec.priority);
  return text + " " + to_string(spec.action) + " " + std::to_string(spec.table);
}

}  // namespace

asio::awaitable<Result<std::unique_ptr<Netlink>>> Netlink::open(NetlinkOptions options) {
  const auto executor = co_await asio::this_coro::executor;
  auto client = Client::open(executor);
  if (!client) co_return fail(client.error());
  std::unique_ptr<Netlink> netlink(new Netlink(executor, *client));
  if (options.monitor) {
    auto monitor = co_await Monitor::open(*client, options.monitor_options);
    if (!monitor) co_return fail(monitor.error());  // ~Netlink stops the client
    netlink->monitor_ = std::move(*monitor);
  }
  co_return netlink;
}

Netlink::Netlink(asio::any_io_executor executor, std::shared_ptr<Client> client)
    : executor_(std::move(executor)), client_(std::move(client)) {}

Netlink::~Netlink() { stop(); }

void Netlink::stop() {
  if (monitor_) monitor_->stop();
  if (client_) client_->stop();
}

Subscription Netlink::subscribe() {
  if (monitor_) return monitor_->subscribe();
  auto queue = std::make_shared<detail::EventQueue>(executor_);
  queue->close();
  return Subscription(std::move(queue));
}

asio::awaitable<Result<void>> Netlink::add_address(AddressSpec spec) {
  co_return co_await execute(*client_, build_add_address(spec),
                             "add address " + spec.prefix.to_string() + on_link(spec.ifindex));
}

asio::awaitable<Result<void>> Netlink::remove_address(AddressSpec spec) {
  co_return co_await execute(*client_, build_remove_address(spec),
                             "remove address " + spec.prefix.to_string() + on_link(spec.ifindex));
}

asio::awaitable<Result<void>> Netlink::ensure_address_present(AddressSpec spec) {
  auto result = co_await add_address(std::move(spec));
  if (!result && has_errno(result.error(), EEXIST)) co_return Result<void>{};
  co_return result;
}

asio::awaitable<Result<void>> Netlink::ensure_address_absent(AddressSpec spec) {
  auto result = co_await remove_address(std::move(spec));
  if (!result && (has_errno(result.error(), EADDRNOTAVAIL) || has_errno(result.error(), ENODEV))) {
    co_return Result<void>{};
  }
  co_return result;
}

asio::awaitable<Result<std::vector<AddressInfo>>> Netlink::addresses(std::optional<Family> family) {
  auto reply = co_await request(*client_, build_dump_addresses(family), "dump addresses");
  if (!reply) co_return fail(reply.error());
  std::vector<AddressInfo> result;
  for (const auto& bytes : reply->messages) {
    for (const auto& message : split_datagram(bytes)) {
      if (auto address = parse_address(message)) result.push_back(std::move(*address));
    }
  }
  co_return result;
}

asio::awaitable<Result<void>> Netlink::add_route(RouteSpec spec) {
  co_return co_await execute(*client_, build_add_route(spec), "add route " + describe(spec));
}

asio::awaitable<Result<void>> Netlink::remove_route(RouteSpec spec) {
  co_return co_await execute(*client_, build_remove_route(spec), "remove route " + describe(spec));
}

asio::awaitable<Result<void>> Netlink::add_rule(RuleSpec spec) {
  co_return co_await execute(*client_, build_add_rule(spec), "add rule " + describe(spec));
}

asio::awaitable<Result<void>> Netlink::remove_rule(RuleSpec spec) {
  co_return co_await execute(*client_, build_remove_rule(spec), "remove rule " + describe(spec));
}

asio::awaitable<Result<int>> Netlink::create_macvlan(MacvlanSpec spec) {
  auto created = co_await execute(*client_, build_create_macvlan(spec),
                                  "create macvlan " + spec.name + on_link(spec.parent_ifindex));
  if (!created) co_return fail(created.error());
  co_return co_await link_index(spec.name);
}

asio::awaitable<Result<void>> Netlink::delete_link(int ifindex) {
  co_return co_await execute(*client_, build_delete_link(ifindex), "delete link" + on_link(ifindex));
}

asio::awaitable<Result<void>> Netlink::set_link_up(int ifindex, bool up) {
  co_return co_await execute(*client_, build_set_link_up(ifindex, up),
                             std::string(up ? "set link up" : "set link down") + on_link(ifindex));
}

asio::awaitable<Result<void>> Netlink::set_link_mac(int ifindex, MacAddress mac) {
  co_return co_await execute(*client_, build_set_link_mac(ifindex, mac),
                             "set address " + mac.to_string() + on_link(ifindex));
}

asio::awaitable<Result<std::vector<LinkInfo>>> Netlink::links() {
  auto reply = co_await request(*client_, build_dump_links(), "dump links");
  if (!reply) co_return fail(reply.error());
  std::vector<LinkInfo> result;
  for (const auto& bytes : reply->messages) {
    for (const auto& message : split_datagram(bytes)) {
      if (auto link = parse_link(message)) result.push_back(std::move(*link));
    }
  }
  co_return result;
}

asio::awaitable<Result<LinkInfo>> Netlink::link(std::string name) {
  auto reply = co_await request(*client_, build_get_link(name), "get link " + name);
  if (!reply) co_return fail(reply.error());
  for (const auto& bytes : reply->messages) {
    for (const auto& message : split_datagram(bytes)) {
      if (auto found = parse_link(message)) co_return std::move(*found);
    }
  }
  co_return fail(kernel_error(ENODEV, "get link " + name, "no link in the reply"));
}

asio::awaitable<Result<int>> Netlink::link_index(std::string name) {
  auto found = co_await link(std::move(name));
  if (!found) co_return fail(found.error());
  co_return found->ifindex;
}

}  // namespace vigil::net::netlink
