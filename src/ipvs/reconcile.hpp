#pragma once
// Diff what Vigil wants in the kernel against a dump of what is there: the changes that make the
// kernel match, in an order the kernel accepts (services before their destinations). Services
// the config does not declare are left alone unless `may_delete` says Vigil manages them (they
// were in an earlier config) or the caller asked for a flush (it passes every dumped key).
#include <functional>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "ipvs/types.hpp"

namespace vigil::ipvs {

struct AddService {
  Service service;
  friend bool operator==(const AddService&, const AddService&) = default;
};
struct EditService {
  Service service;
  friend bool operator==(const EditService&, const EditService&) = default;
};
struct DeleteService {
  ServiceKey key;
  friend bool operator==(const DeleteService&, const DeleteService&) = default;
};
struct AddDestination {
  ServiceKey key;
  Destination destination;
  friend bool operator==(const AddDestination&, const AddDestination&) = default;
};
struct EditDestination {
  ServiceKey key;
  Destination destination;
  friend bool operator==(const EditDestination&, const EditDestination&) = default;
};
struct DeleteDestination {
  ServiceKey key;
  Destination destination;
  friend bool operator==(const DeleteDestination&, const DeleteDestination&) = default;
};
using Change = std::variant<AddService, EditService, DeleteService, AddDestination, EditDestination, DeleteDestination>;

// "add service TCP 192.0.2.10:80", "edit destination 192.0.2.11:80 (masq, weight 0) of TCP ..."
[[nodiscard]] std::string describe(const Change& change);

// The changes that turn `kernel` into `desired`. A kernel service absent from `desired` is deleted
// only when its key is in `may_delete`. The kernel's own flag bits (kHashed) are ignored.
[[nodiscard]] std::vector<Change> reconcile(const std::vector<ServiceState>& desired,
                                            const std::vector<ServiceState>& kernel,
                                            const std::set<ServiceKey>& may_delete);

// Only the destination changes of the services in `desired` (the kernel's view of those services
// as Vigil last left them): what a verdict needs, without a dump.
[[nodiscard]] std::vector<Change> reconcile_destinations(const std::vector<ServiceState>& desired,
                                                         const std::vector<ServiceState>& current);

}  // namespace vigil::ipvs
