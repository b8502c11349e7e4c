#pragma once
// What a health checker reports about one real server; the load-balancer pool logic consumes it.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>

namespace vigil::check {

struct CheckerVerdict {
  std::size_t virtual_server = 0;  // index into ConfigModel::virtual_server
  std::size_t real_server = 0;     // index into VirtualServer::real_server
  std::size_t checker = 0;         // index among that real server's checkers (all kinds, config order)
  bool up = false;
  std::optional<int> weight;  // MISC_CHECK with misc_dynamic: the weight the exit code set
};

// A checker's running record for vigilctl status and the metrics (kept by its driver).
struct CheckerStatus {
  bool up = true;                     // its last verdict
  std::uint32_t failed_in_a_row = 0;  // failed probes since the last pass (retries included)
  std::uint64_t probes_passed = 0;
  std::uint64_t probes_failed = 0;
  std::optional<double> last_probe_at;  // unix seconds the last probe ended; nullopt before the first
  bool last_probe_ok = false;
  std::string last_failure;  // why the last failed probe failed
  friend bool operator==(const CheckerStatus&, const CheckerStatus&) = default;
};

}  // namespace vigil::check
