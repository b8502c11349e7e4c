#pragma once
// Instance status as JSON: written on SIGUSR1 (and read by tests and, later, vigilctl).
#include <nlohmann/json.hpp>
#include <vector>

#include "engine/vrrp_unit.hpp"

namespace vigil::engine {

[[nodiscard]] nlohmann::json to_json(const std::vector<MemberStatus>& members);

}  // namespace vigil::engine
