#pragma once
// The control protocol: one JSON object per line each way.
//   {"command": "status"}               -> {"ok": true, "status": <state document, see report.hpp>}
//   {"command": "dump"}                 -> {"ok": true, "dump": <state document + "dumped_at">}
//   {"command": "stats", "clear": bool} -> {"ok": true, "stats": <StatsBaseline::stats>}
//   {"command": "reload"}               -> {"ok": true} or {"ok": false, "error": "...", "errors": ["file:line:col:
//   ..."]}
// Anything else: {"ok": false, "error": "..."}.
#include <functional>
#include <nlohmann/json.hpp>

#include "control/report.hpp"
#include "rt/tokens.hpp"

namespace vigil::control {

struct ControlBackend {
  // The state document, assembled on demand (it hops to the VRRP thread).
  std::function<rt::Task<nlohmann::json>()> status;
  // The same path as SIGHUP; {"ok": bool, "error"?, "errors"?}.
  std::function<rt::Task<nlohmann::json>()> reload;
  // Wall clock, unix seconds (a function so tests can fix it).
  std::function<double()> now;
};

class Commands {
 public:
  explicit Commands(ControlBackend backend) : backend_(std::move(backend)) {}
  rt::Task<nlohmann::json> handle(nlohmann::json request);

 private:
  ControlBackend backend_;
  StatsBaseline baseline_;
};

}  // namespace vigil::control
