// Reconciliation: desired vs dumped services and destinations -> add / edit / delete, touching
// only services Vigil manages.
#include "ipvs/reconcile.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigil;
using namespace vigil::ipvs;

namespace {

IpAddress ip(const char* text) { return *IpAddress::parse(text); }

ServiceState state(const char* address, std::uint16_t port, std::vector<std::pair<const char*, std::uint32_t>> dests) {
  ServiceState s;
  s.service.key = ServiceKey::for_address(ip(address), port, Protocol::kTcp);
  s.service.scheduler = "rr";
  for (const auto& [a, w] : dests) {
    Destination d;
    d.address = ip(a);
    d.port = port;
    d.weight = w;
    s.destinations.push_back(d);
  }
  return s;
}

std::vector<std::string> described(const std::vector<Change>& changes) {
  std::vector<std::string> out;
  for (const auto& c : changes) out.push_back(describe(c));
  return out;
}

}  // namespace

TEST_CASE("ipvs reconcile: empty kernel -> add services then their destinations") {
  const auto changes = reconcile({state("192.0.2.10", 80, {{"198.51.100.1", 1}})}, {}, {});
  CHECK(described(changes) == std::vector<std::string>{
                                  "add service TCP 192.0.2.10:80",
                                  "add destination 198.51.100.1:80 (masq, weight 1) to TCP 192.0.2.10:80",
                              });
}

TEST_CASE("ipvs reconcile: equal -> nothing, the kernel's hashed flag is ignored") {
  auto kernel = state("192.0.2.10", 80, {{"198.51.100.1", 1}});
  kernel.service.flags |= kFlagHashed;
  CHECK(reconcile({state("192.0.2.10", 80, {{"198.51.100.1", 1}})}, {kernel}, {}).empty());
}

TEST_CASE("ipvs reconcile: edits in place, deletes stale destinations, adds missing ones") {
  auto desired = state("192.0.2.10", 80, {{"198.51.100.1", 5}, {"198.51.100.3", 1}});
  desired.service.scheduler = "wlc";
  const auto kernel = state("192.0.2.10", 80, {{"198.51.100.1", 1}, {"198.51.100.2", 1}});
  CHECK(described(reconcile({desired}, {kernel}, {})) ==
        std::vector<std::string>{
            "edit service TCP 192.0.2.10:80",
            "delete destination 198.51.100.2:80 (masq, weight 1) from TCP 192.0.2.10:80",
            "edit destination 198.51.100.1:80 (masq, weight 5) of TCP 192.0.2.10:80",
            "add destination 198.51.100.3:80 (masq, weight 1) to TCP 192.0.2.10:80",
        });
}

TEST_CASE("ipvs reconcile: only managed services are deleted") {
  const auto foreign = state("192.0.2.20", 80, {});
  const auto stale = state("192.0.2.30", 80, {});
  const std::set<ServiceKey> managed{stale.service.key};
  CHECK(described(reconcile({}, {foreign, stale}, managed)) ==
        std::vector<std::string>{"delete service TCP 192.0.2.30:80"});
}

TEST_CASE("ipvs reconcile: a forwarding method or threshold change is an edit") {
  auto desired = state("192.0.2.10", 80, {{"198.51.100.1", 1}});
  desired.destinations[0].forward = Forward::kRoute;
  desired.destinations[0].upper_threshold = 100;
  const auto kernel = state("192.0.2.10", 80, {{"198.51.100.1", 1}});
  const auto changes = reconcile({desired}, {kernel}, {});
  REQUIRE(changes.size() == 1);
  CHECK(std::holds_alternative<EditDestination>(changes[0]));
}

TEST_CASE("ipvs reconcile: destinations only, against what Vigil last programmed") {
  const auto before = state("192.0.2.10", 80, {{"198.51.100.1", 1}, {"198.51.100.2", 1}});
  const auto after = state("192.0.2.10", 80, {{"198.51.100.2", 1}});
  CHECK(described(reconcile_destinations({after}, {before})) ==
        std::vector<std::string>{"delete destination 198.51.100.1:80 (masq, weight 1) from TCP 192.0.2.10:80"});
}
