#pragma once
// The kernel's IPVS over generic netlink, as awaitable transactions on the netlink transport
// (net/netlink/client.hpp): every change resumes on the kernel's ACK or with its errno and
// extended ACK text (e.g. EEXIST for a duplicate add). open() resolves the "IPVS" family id (it
// changes between boots; resolving also makes the kernel load ip_vs when it can); a kernel without
// IPVS gives an Error with ENOENT that is_missing_ipvs() recognises.
//
//   auto ipvs = co_await IpvsClient::open();
//   const Service web = ...;            // name it first: no braced temporaries inside co_await (g++ 12)
//   auto added = co_await (*ipvs)->add_service(web);
#include <asio/awaitable.hpp>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "ipvs/reconcile.hpp"
#include "ipvs/types.hpp"
#include "net/netlink/request.hpp"

namespace vigil::net::netlink {
class Client;
}

namespace vigil::net::ipvs {

using vigil::ipvs::Change;
using vigil::ipvs::Destination;
using vigil::ipvs::Service;
using vigil::ipvs::ServiceKey;
using vigil::ipvs::ServiceState;
using vigil::ipvs::ServiceStats;
using vigil::ipvs::Timeouts;

// True when `error` says the kernel has no IPVS family (no ip_vs module and none loadable).
[[nodiscard]] bool is_missing_ipvs(const Error& error);

class IpvsClient {
 public:
  static asio::awaitable<Result<std::unique_ptr<IpvsClient>>> open();
  ~IpvsClient();
  IpvsClient(const IpvsClient&) = delete;
  IpvsClient& operator=(const IpvsClient&) = delete;

  [[nodiscard]] std::uint16_t family_id() const { return family_; }
  void stop();

  asio::awaitable<Result<void>> add_service(Service service);
  asio::awaitable<Result<void>> edit_service(Service service);
  asio::awaitable<Result<void>> delete_service(ServiceKey key);
  asio::awaitable<Result<void>> add_destination(ServiceKey key, Destination destination);
  asio::awaitable<Result<void>> edit_destination(ServiceKey key, Destination destination);
  asio::awaitable<Result<void>> delete_destination(ServiceKey key, Destination destination);
  // Every service (without destinations).
  asio::awaitable<Result<std::vector<Service>>> services();
  asio::awaitable<Result<std::vector<Destination>>> destinations(ServiceKey key);
  // Every service with its destinations.
  asio::awaitable<Result<std::vector<ServiceState>>> dump();
  // Every service's and destination's traffic counters (what /metrics reads when scraped).
  asio::awaitable<Result<std::vector<ServiceStats>>> statistics();
  asio::awaitable<Result<void>> set_timeouts(Timeouts timeouts);
  asio::awaitable<Result<Timeouts>> timeouts();
  // Removes every service (ipvsadm -C).
  asio::awaitable<Result<void>> flush();
  // Applies changes batched (many per datagram, in order); result i belongs to changes[i].
  asio::awaitable<std::vector<Result<void>>> apply(std::vector<Change> changes);

 private:
  IpvsClient(std::shared_ptr<netlink::Client> client, std::uint16_t family);
  asio::awaitable<Result<void>> execute(Result<netlink::Message> message, std::string what);
  // The messages of a dump's reply, in order.
  asio::awaitable<Result<std::vector<std::vector<std::uint8_t>>>> dump_request(Result<netlink::Message> request,
                                                                               std::string what);

  std::shared_ptr<netlink::Client> client_;
  std::uint16_t family_ = 0;
};

}  // namespace vigil::net::ipvs
