#include "engine/status_json.hpp"

#include "vrrp/state.hpp"

namespace vigil::engine {

namespace {

nlohmann::json receive_counters(const vrrp::ReceiveStats& receive, std::uint64_t other_vrid_on_socket) {
  nlohmann::json rejected = nlohmann::json::object();
  for (std::size_t reason = 0; reason < vrrp::kRejectReasonCount; ++reason) {
    rejected[vrrp::to_string(static_cast<vrrp::RejectReason>(reason))] = receive.rejected[reason];
  }
  return {{"accepted", receive.accepted},
          {"interval_differs", receive.interval_differs},
          {"address_list_mismatch", receive.address_list_mismatch},
          {"other_vrid_on_socket", other_vrid_on_socket},
          {"rejected", std::move(rejected)}};
}

}  // namespace

nlohmann::json to_json(const std::vector<MemberStatus>& members) {
  nlohmann::json instances = nlohmann::json::array();
  for (const auto& member : members) {
    nlohmann::json vips = nlohmann::json::array();
    for (const auto& vip : member.vips) vips.push_back(vip.to_string());
    instances.push_back({
        {"name", member.name},
        {"interface", member.interface},
        {"virtual_router_id", member.vrid},
        {"family", member.family == Family::kIPv4 ? "inet" : "inet6"},
        {"state", vrrp::to_string(member.state)},
        {"base_priority", member.base_priority},
        {"effective_priority", member.effective_priority},
        {"master_address", member.master_address ? nlohmann::json(member.master_address->to_string()) : nullptr},
        {"virtual_ipaddress", std::move(vips)},
        {"stats",
         {{"adverts_sent", member.stats.adverts_sent},
          {"adverts_received", member.stats.adverts_received},
          {"become_master", member.stats.become_master},
          {"release_master", member.stats.release_master},
          {"priority_zero_sent", member.stats.priority_zero_sent},
          {"priority_zero_received", member.stats.priority_zero_received},
          {"vip_failures", member.stats.vip_failures}}},
        {"receive", receive_counters(member.receive, member.other_vrid_on_socket)},
    });
  }
  return {{"vrrp_instances", std::move(instances)}};
}

WallClock WallClock::now() { return WallClock{Clock::now(), std::chrono::system_clock::now()}; }

nlohmann::json WallClock::unix_seconds(const std::optional<TimePoint>& when) const {
  if (!when || *when == TimePoint{}) return nullptr;
  const auto wall = wall_now + std::chrono::duration_cast<std::chrono::system_clock::duration>(*when - steady_now);
  return std::chrono::duration<double>(wall.time_since_epoch()).count();
}

nlohmann::json timers_json(const vrrp::Deadlines& deadlines, const WallClock& clock) {
  return {{"advert", clock.unix_seconds(deadlines.advert)},
          {"master_down", clock.unix_seconds(deadlines.master_down)},
          {"garp_second_burst", clock.unix_seconds(deadlines.garp_second_burst)},
          {"garp_lower_prio_burst", clock.unix_seconds(deadlines.garp_lower_prio_burst)},
          {"garp_refresh", clock.unix_seconds(deadlines.garp_refresh)},
          {"fault_retry", clock.unix_seconds(deadlines.fault_retry)},
          {"preempt_allowed", clock.unix_seconds(deadlines.preempt_allowed)}};
}

nlohmann::json to_json(const std::vector<ScriptStatus>& scripts, const WallClock& clock) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& script : scripts) {
    out.push_back({{"name", script.name},
                   {"status", script.up ? "GOOD" : "BAD"},
                   {"running", script.running},
                   {"disabled", script.disabled},
                   {"runs", script.runs},
                   {"failures", script.failures},
                   {"timeouts", script.timeouts},
                   {"last_duration_seconds", std::chrono::duration<double>(script.last_duration).count()},
                   {"last_run", clock.unix_seconds(script.last_run)},
                   {"next_run", clock.unix_seconds(script.next_run)}});
  }
  return out;
}

}  // namespace vigil::engine
