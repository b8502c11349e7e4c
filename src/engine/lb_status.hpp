#pragma once
// The load balancer's part of the state document (vigilctl status/dump, /metrics) and its
// lvs_notify_fifo lines, as pure functions of the config, the pool and the checkers' records.
//
//   "ipvs": { "state": "in use" | "unused" (no virtual server) | "unavailable" (the kernel has none),
//       "services": [ { "virtual_server": name, "address": "192.0.2.10:80" | "[2001:db8::10]:53" | "fwmark 7",
//           "protocol": 6 | 17 | 132 | 0 (fwmark), "connections", "packets_in", "packets_out", "bytes_in",
//           "bytes_out", "destinations": [ { "address": "198.51.100.1:80", the same counters } ] } ]
//       (the kernel's counters of Vigil's services, read when asked; absent when not read) },
//   "virtual_servers": [ { "name": "192.0.2.10:80/TCP" | "[2001:db8::10]:53/UDP" | "fwmark 7" | "group G",
//       "scheduler", "quorum": { "required", "hysteresis", "live_weight", "up" },
//       "sorry_server": null | { "address", "active" }, "suspended",
//       "real_servers": [ { "address": "198.51.100.1:80", "weight", "current_weight": n | null (not in
//           the pool), "up", "last_change": unix | null (none since start),
//           "checkers": [ { "name": "http_get[0]", "target": "198.51.100.1:80", "up", "failed_in_a_row",
//               "probes_passed", "probes_failed", "last_probe": unix | null,
//               "last_result": "ok" | "failed" | null, "last_failure": "..." } ] } ] } ]
#include <cstddef>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "check/verdict.hpp"
#include "config/model.hpp"
#include "ipvs/pool.hpp"
#include "ipvs/types.hpp"

namespace vigil::engine {

struct CheckerView {
  std::size_t virtual_server = 0;
  std::size_t real_server = 0;
  std::string name;    // "http_get[0]"
  std::string target;  // "198.51.100.1:80"
  check::CheckerStatus status;
};

struct LbView {
  std::string ipvs_state = "unused";
  const ipvs::Pool* pool = nullptr;  // null: not started
  // What the kernel was last told, per virtual server (current weights); empty: unknown.
  std::vector<std::vector<ipvs::ServiceState>> programmed;
  std::vector<std::vector<std::optional<double>>> changed_at;  // [vs][rs]: unix time of the last up/down
  std::vector<CheckerView> checkers;
  // The kernel's counters (IpvsClient::statistics), read for this view; services that are not
  // the pool's are left out. nullopt: not read (no IPVS, or the dump failed).
  std::optional<std::vector<ipvs::ServiceStats>> statistics;
};

// "192.0.2.10:80/TCP", "[2001:db8::10]:53/UDP", "fwmark 7", "group web".
[[nodiscard]] std::string virtual_server_name(const config::VirtualServer& server);
// "198.51.100.1:80" (the service's port when the real server names none).
[[nodiscard]] std::string real_server_name(const config::VirtualServer& server, const config::RealServer& real);

// {"ipvs": ..., "virtual_servers": [...]}, to be merged into the state document.
[[nodiscard]] nlohmann::json lb_status_json(const config::Config& config, const LbView& view);

// keepalived's lvs_notify_fifo lines (with "\n"): `VS [192.0.2.10]:tcp:80 UP` when a virtual
// server gains or loses quorum, `RS [198.51.100.1]:tcp:80 [192.0.2.10]:tcp:80 DOWN` when a real
// server goes up or down. A fwmark service reads `FWM 7`, a group `[web]`.
[[nodiscard]] std::string lvs_fifo_vs_line(const config::VirtualServer& server, bool up);
[[nodiscard]] std::string lvs_fifo_rs_line(const config::VirtualServer& server, const config::RealServer& real,
                                           bool up);

}  // namespace vigil::engine
