#pragma once
// The virtual-server part of a SIGHUP reload, decided before anything is touched. Pure: compares
// two config models and says which new virtual server and real server continues which old one,
// so that everything unchanged keeps its state (checker verdicts, pool, kernel entries).
//
// Identities (what stays "the same object" across a reload):
//  * a virtual server: protocol + address + port, or fwmark + family, or its virtual_server_group
//    name (a group whose members change is the same virtual server with other services);
//  * a real server: address + port within its virtual server (no port: "the service's port").
// Everything else is a setting: changing it edits the object in place (the IPVS diff then touches
// only the service settings or destinations that differ, a weight change being an edit).
#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace vigil::engine {

// "TCP 192.0.2.10:80", "FWM 7 inet", "group web": equal strings = the same virtual server.
[[nodiscard]] std::string identity_of(const config::VirtualServer& server);
// "198.51.100.1:80", "198.51.100.1" (the service's port): unique within a virtual server.
[[nodiscard]] std::string identity_of(const config::RealServer& real);

struct LbReloadPlan {
  // Per new virtual server: the old one it continues, or nullopt (added).
  std::vector<std::optional<std::size_t>> virtual_server_from;
  // Per new virtual server, per real server: the old real server it continues (within the old
  // virtual server above), or nullopt (added).
  std::vector<std::vector<std::optional<std::size_t>>> real_server_from;
  // Old virtual servers that the new config no longer has.
  std::vector<std::size_t> removed_virtual_servers;

  // For the log.
  std::size_t unchanged_virtual_servers = 0;
  std::size_t changed_virtual_servers = 0;
  std::size_t added_real_servers = 0;
  std::size_t removed_real_servers = 0;
  [[nodiscard]] std::size_t added_virtual_servers() const;
  // "2 unchanged, 1 changed in place, 1 added, 0 removed virtual servers; 1 real server added, 1 removed"
  [[nodiscard]] std::string summary() const;
};

[[nodiscard]] LbReloadPlan plan_lb_reload(const config::Config& current, const config::Config& next);

}  // namespace vigil::engine
