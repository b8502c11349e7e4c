#include "net/ipvs/client.hpp"

#include <linux/netlink.h>

#include <asio/this_coro.hpp>
#include <cerrno>
#include <variant>

#include "net/ipvs/codec.hpp"
#include "net/netlink/client.hpp"
#include "net/netlink/error.hpp"
#include "net/netlink/parse.hpp"

namespace vigil::net::ipvs {

namespace {

constexpr int kNetlinkGeneric = NETLINK_GENERIC;
constexpr std::string_view kMissing = "the kernel has no IPVS";
constexpr std::string_view kMissingText =
    "the kernel has no IPVS (generic netlink family \"IPVS\" not found; is the ip_vs module available?)";

[[gnu::noinline]] Error missing_ipvs() { return netlink::kernel_error(ENOENT, kMissingText, ""); }

Result<netlink::Message> build(std::uint16_t family, const Change& change) {
  using namespace vigil::ipvs;
  if (const auto* c = std::get_if<AddService>(&change)) return build_add_service(family, c->service);
  if (const auto* c = std::get_if<EditService>(&change)) return build_edit_service(family, c->service);
  if (const auto* c = std::get_if<DeleteService>(&change)) return build_delete_service(family, c->key);
  if (const auto* c = std::get_if<AddDestination>(&change))
    return build_add_destination(family, c->key, c->destination);
  if (const auto* c = std::get_if<EditDestination>(&change)) {
    return build_edit_destination(family, c->key, c->destination);
  }
  const auto& c = std::get<DeleteDestination>(change);
  return build_delete_destination(family, c.key, c.destination);
}

}  // namespace

bool is_missing_ipvs(const Error& error) {
  return netlink::has_errno(error, ENOENT) && error.message.find(kMissing) != std::string::npos;
}

IpvsClient::IpvsClient(std::shared_ptr<netlink::Client> client, std::uint16_t family)
    : client_(std::move(client)), family_(family) {}

IpvsClient::~IpvsClient() { stop(); }

void IpvsClient::stop() {
  if (client_) client_->stop();
}

asio::awaitable<Result<std::unique_ptr<IpvsClient>>> IpvsClient::open() {
  const auto executor = co_await asio::this_coro::executor;
  auto client = netlink::Client::open(executor, kNetlinkGeneric);
  if (!client) co_return fail(client.error());
  auto request = build_resolve_family();
  if (!request) co_return fail(request.error());
  std::string what = "resolve generic netlink family IPVS";
  auto reply = co_await (*client)->transact(std::move(*request), std::move(what));
  if (!reply) {
    (*client)->stop();
    if (netlink::has_errno(reply.error(), ENOENT)) {
      co_return fail(missing_ipvs());
    }
    co_return fail(reply.error());
  }
  for (const auto& bytes : reply->messages) {
    for (const auto& message : netlink::split_datagram(bytes)) {
      if (const auto id = parse_family_id(message)) {
        co_return std::unique_ptr<IpvsClient>(new IpvsClient(*client, *id));
      }
    }
  }
  (*client)->stop();
  co_return fail(netlink::kernel_error(EPROTO, "resolve generic netlink family IPVS", "no family id in the reply"));
}

asio::awaitable<Result<void>> IpvsClient::execute(Result<netlink::Message> message, std::string what) {
  if (!message) co_return fail(message.error());
  auto reply = co_await client_->transact(std::move(*message), std::move(what));
  if (!reply) co_return fail(reply.error());
  co_return Result<void>{};
}

asio::awaitable<Result<void>> IpvsClient::add_service(Service service) {
  co_return co_await execute(build_add_service(family_, service), "add service " + service.key.to_string());
}

asio::awaitable<Result<void>> IpvsClient::edit_service(Service service) {
  co_return co_await execute(build_edit_service(family_, service), "edit service " + service.key.to_string());
}

asio::awaitable<Result<void>> IpvsClient::delete_service(ServiceKey key) {
  co_return co_await execute(build_delete_service(family_, key), "delete service " + key.to_string());
}

asio::awaitable<Result<void>> IpvsClient::add_destination(ServiceKey key, Destination destination) {
  co_return co_await execute(build_add_destination(family_, key, destination),
                             "add destination " + destination.to_string() + " to " + key.to_string());
}

asio::awaitable<Result<void>> IpvsClient::edit_destination(ServiceKey key, Destination destination) {
  co_return co_await execute(build_edit_destination(family_, key, destination),
                             "edit destination " + destination.to_string() + " of " + key.to_string());
}

asio::awaitable<Result<void>> IpvsClient::delete_destination(ServiceKey key, Destination destination) {
  co_return co_await execute(build_delete_destination(family_, key, destination),
                             "delete destination " + destination.to_string() + " from " + key.to_string());
}

asio::awaitable<Result<std::vector<std::vector<std::uint8_t>>>> IpvsClient::dump_request(
    Result<netlink::Message> request, std::string what) {
  if (!request) co_return fail(request.error());
  auto reply = co_await client_->transact(std::move(*request), std::move(what));
  if (!reply) co_return fail(reply.error());
  co_return std::move(reply->messages);
}

asio::awaitable<Result<std::vector<Service>>> IpvsClient::services() {
  // Named first: g++ 12 destroys by-value temporaries of a co_await expression twice.
  auto request = build_dump_services(family_);
  std::string what = "dump IPVS services";
  auto reply = co_await dump_request(std::move(request), std::move(what));
  if (!reply) co_return fail(reply.error());
  std::vector<Service> result;
  for (const auto& bytes : *reply) {
    for (const auto& message : netlink::split_datagram(bytes)) {
      if (auto service = parse_service(message)) result.push_back(std::move(*service));
    }
  }
  co_return result;
}

asio::awaitable<Result<std::vector<Destination>>> IpvsClient::destinations(ServiceKey key) {
  auto request = build_dump_destinations(family_, key);
  std::string what = "dump destinations of " + key.to_string();
  auto reply = co_await dump_request(std::move(request), std::move(what));
  if (!reply) co_return fail(reply.error());
  std::vector<Destination> result;
  for (const auto& bytes : *reply) {
    for (const auto& message : netlink::split_datagram(bytes)) {
      if (auto destination = parse_destination(message)) result.push_back(*destination);
    }
  }
  co_return result;
}

asio::awaitable<Result<std::vector<ServiceStats>>> IpvsClient::statistics() {
  auto request = build_dump_services(family_);
  std::string what = "dump IPVS service statistics";
  auto reply = co_await dump_request(std::move(request), std::move(what));
  if (!reply) co_return fail(reply.error());
  std::vector<ServiceStats> result;
  for (const auto& bytes : *reply) {
    for (const auto& message : netlink::split_datagram(bytes)) {
      if (auto service = parse_service(message)) {
        result.push_back({service->key, parse_service_stats(message).value_or(vigil::ipvs::Stats{}), {}});
      }
    }
  }
  for (auto& service : result) {
    auto destinations_request = build_dump_destinations(family_, service.key);
    std::string destinations_what = "dump destination statistics of " + service.key.to_string();
    auto destinations = co_await dump_request(std::move(destinations_request), std::move(destinations_what));
    if (!destinations) co_return fail(destinations.error());
    for (const auto& bytes : *destinations) {
      for (const auto& message : netlink::split_datagram(bytes)) {
        if (auto destination = parse_destination(message)) {
          service.destinations.push_back({destination->address, destination->port,
                                          parse_destination_stats(message).value_or(vigil::ipvs::Stats{})});
        }
      }
    }
  }
  co_return result;
}

asio::awaitable<Result<std::vector<ServiceState>>> IpvsClient::dump() {
  auto services_found = co_await services();
  if (!services_found) co_return fail(services_found.error());
  std::vector<ServiceState> result;
  for (auto& service : *services_found) {
    auto found = co_await destinations(service.key);
    if (!found) co_return fail(found.error());
    result.push_back(ServiceState{std::move(service), std::move(*found)});
  }
  co_return result;
}

asio::awaitable<Result<void>> IpvsClient::set_timeouts(Timeouts timeouts) {
  co_return co_await execute(build_set_timeouts(family_, timeouts), "set IPVS timeouts");
}

asio::awaitable<Result<Timeouts>> IpvsClient::timeouts() {
  auto request = build_get_timeouts(family_);
  if (!request) co_return fail(request.error());
  auto reply = co_await client_->transact(std::move(*request), "get IPVS timeouts");
  if (!reply) co_return fail(reply.error());
  for (const auto& bytes : reply->messages) {
    for (const auto& message : netlink::split_datagram(bytes)) {
      if (auto found = parse_timeouts(message)) co_return *found;
    }
  }
  co_return fail(netlink::kernel_error(EPROTO, "get IPVS timeouts", "no reply"));
}

asio::awaitable<Result<void>> IpvsClient::flush() { co_return co_await execute(build_flush(family_), "flush IPVS"); }

asio::awaitable<std::vector<Result<void>>> IpvsClient::apply(std::vector<Change> changes) {
  std::vector<netlink::Message> messages;
  std::vector<std::string> whats;
  std::vector<Result<void>> results(changes.size());
  std::vector<std::size_t> sent_index;
  for (std::size_t i = 0; i < changes.size(); ++i) {
    auto message = build(family_, changes[i]);
    if (!message) {
      results[i] = fail(message.error());
      continue;
    }
    messages.push_back(std::move(*message));
    whats.push_back(vigil::ipvs::describe(changes[i]));
    sent_index.push_back(i);
  }
  auto answered = co_await client_->transact_many(std::move(messages), std::move(whats));
  for (std::size_t j = 0; j < answered.size() && j < sent_index.size(); ++j)
    results[sent_index[j]] = std::move(answered[j]);
  co_return results;
}

}  // namespace vigil::net::ipvs
