#pragma once
// The control plane's views of the daemon state, as pure functions of JSON (no I/O, no clock), so
// vigild, vigilctl and the unit tests share one definition of every table and counter.
//
// The state document ("status") the daemon assembles:
//   { "daemon": { "version", "pid", "config_file", "started_at", "reloads_succeeded",
//                 "reloads_failed", "last_reload": null | { "ok", "at", "duration_seconds", "errors": [...] } },
//     "vrrp_instances": [ engine/status_json.cpp's objects, plus "trackers": [...],
//                         "last_transition": unix seconds | null and "timers": { "advert",
//                         "master_down", ...: unix seconds | null } ],
//     "vrrp_scripts": [ { "name", "status": "GOOD" | "BAD", "running", "disabled", "runs",
//                         "failures", "timeouts", "last_duration_seconds", "last_run", "next_run" } ],
//     "ipvs": { "state" }, "virtual_servers": [ ... ] }   // the load balancer's, engine/lb_status.hpp
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "config/model.hpp"

namespace vigil::control {

// Adds to each instance of `status["vrrp_instances"]` the trackers its config names
// ("script:chk_nginx", "interface:eth1", "file:maint", "process:haproxy", with weights).
void add_trackers(nlohmann::json& status, const config::Config& config);

// Every per-instance counter flattened to name -> value ("adverts_sent", "rejected.bad-ttl", ...).
[[nodiscard]] std::map<std::string, std::uint64_t> instance_counters(const nlohmann::json& instance);

// `stats --clear` sets a baseline rather than zeroing the engine's counters: Prometheus counters
// must never go backwards, and the dump keeps the totals since start.
class StatsBaseline {
 public:
  void clear(const nlohmann::json& status, double now_unix);
  // { "cleared_at": unix | null, "vrrp_instances": [ { "name", "interface", "virtual_router_id",
  //   "counters": { name: value since the last clear } } ] }
  [[nodiscard]] nlohmann::json stats(const nlohmann::json& status) const;

 private:
  std::map<std::string, std::map<std::string, std::uint64_t>> baseline_;  // by instance name
  std::optional<double> cleared_at_;
};

// Human tables for vigilctl.
[[nodiscard]] std::string format_status(const nlohmann::json& status, double now_unix);
[[nodiscard]] std::string format_stats(const nlohmann::json& stats);

// Prometheus text exposition format 0.0.4: the keepalived exporter's names (so existing dashboards
// work) and vigil_* ones.
[[nodiscard]] std::string render_metrics(const nlohmann::json& status);

}  // namespace vigil::control
