#pragma once
// What a health checker reports about one real server; the load-balancer pool logic consumes it.
#include <cstddef>
#include <optional>

namespace vigil::check {

struct CheckerVerdict {
  std::size_t virtual_server = 0;  // index into ConfigModel::virtual_server
  std::size_t real_server = 0;     // index into VirtualServer::real_server
  std::size_t checker = 0;         // index among that real server's checkers (all kinds, config order)
  bool up = false;
  std::optional<int> weight;  // MISC_CHECK with misc_dynamic: the weight the exit code set
};

}  // namespace vigil::check
