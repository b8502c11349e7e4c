#include "ipvs/reconcile.hpp"

#include <algorithm>
#include <map>

namespace vigil::ipvs {

namespace {

template <class... Ts>
struct Overloaded : Ts... {
  using Ts::operator()...;
};
template <class... Ts>
Overloaded(Ts...) -> Overloaded<Ts...>;

bool same_settings(const Service& a, const Service& b) {
  return a.scheduler == b.scheduler && (a.flags & ~kFlagHashed) == (b.flags & ~kFlagHashed) && a.timeout == b.timeout &&
         a.netmask == b.netmask && a.persistence_engine == b.persistence_engine;
}

void diff_destinations(const ServiceKey& key, const std::vector<Destination>& desired,
                       const std::vector<Destination>& current, std::vector<Change>& out) {
  for (const Destination& have : current) {
    const bool wanted =
        std::any_of(desired.begin(), desired.end(), [&](const Destination& d) { return d.same_endpoint(have); });
    if (!wanted) out.emplace_back(DeleteDestination{key, have});
  }
  for (const Destination& want : desired) {
    const auto found =
        std::find_if(current.begin(), current.end(), [&](const Destination& d) { return d.same_endpoint(want); });
    if (found == current.end()) {
      out.emplace_back(AddDestination{key, want});
    } else if (!(*found == want)) {
      out.emplace_back(EditDestination{key, want});
    }
  }
}

}  // namespace

std::string describe(const Change& change) {
  return std::visit(Overloaded{
                        [](const AddService& c) { return "add service " + c.service.key.to_string(); },
                        [](const EditService& c) { return "edit service " + c.service.key.to_string(); },
                        [](const DeleteService& c) { return "delete service " + c.key.to_string(); },
                        [](const AddDestination& c) {
                          return "add destination " + c.destination.to_string() + " to " + c.key.to_string();
                        },
                        [](const EditDestination& c) {
                          return "edit destination " + c.destination.to_string() + " of " + c.key.to_string();
                        },
                        [](const DeleteDestination& c) {
                          return "delete destination " + c.destination.to_string() + " from " + c.key.to_string();
                        },
                    },
                    change);
}

std::vector<Change> reconcile(const std::vector<ServiceState>& desired, const std::vector<ServiceState>& kernel,
                              const std::set<ServiceKey>& may_delete) {
  std::map<ServiceKey, const ServiceState*> in_kernel;
  for (const auto& state : kernel) in_kernel.emplace(state.service.key, &state);
  std::set<ServiceKey> wanted;
  for (const auto& state : desired) wanted.insert(state.service.key);

  std::vector<Change> changes;
  for (const auto& state : kernel) {
    const ServiceKey& key = state.service.key;
    if (!wanted.contains(key) && may_delete.contains(key)) changes.emplace_back(DeleteService{key});
  }
  static const std::vector<Destination> kNone;
  for (const auto& state : desired) {
    const auto found = in_kernel.find(state.service.key);
    if (found == in_kernel.end()) {
      changes.emplace_back(AddService{state.service});
      diff_destinations(state.service.key, state.destinations, kNone, changes);
      continue;
    }
    if (!same_settings(state.service, found->second->service)) changes.emplace_back(EditService{state.service});
    diff_destinations(state.service.key, state.destinations, found->second->destinations, changes);
  }
  return changes;
}

std::vector<Change> reconcile_destinations(const std::vector<ServiceState>& desired,
                                           const std::vector<ServiceState>& current) {
  std::vector<Change> changes;
  for (const auto& state : desired) {
    const auto found = std::find_if(current.begin(), current.end(),
                                    [&](const ServiceState& s) { return s.service.key == state.service.key; });
    static const std::vector<Destination> kNone;
    diff_destinations(state.service.key, state.destinations, found == current.end() ? kNone : found->destinations,
                      changes);
  }
  return changes;
}

}  // namespace vigil::ipvs
