#pragma once
// Instance status as JSON: written on SIGUSR1 (and read by tests and, later, vigilctl).
#include <nlohmann/json.hpp>
#include <vector>

#include "engine/advert_lateness.hpp"
#include "engine/vrrp_unit.hpp"

namespace vigil::engine {

[[nodiscard]] nlohmann::json to_json(const std::vector<MemberStatus>& members);
// {"bounds": [0.0005, ...], "counts": [per bucket, the last one +Inf], "count": n, "sum": seconds}
[[nodiscard]] nlohmann::json to_json(const AdvertLateness::Snapshot& lateness);

}  // namespace vigil::engine
