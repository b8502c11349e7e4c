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

nlohmann::json to_json(const AdvertLateness::Snapshot& lateness) {
  return {{"bounds", AdvertLateness::kBoundsSeconds},
          {"counts", lateness.counts},
          {"count", lateness.count},
          {"sum", lateness.sum_seconds}};
}

}  // namespace vigil::engine
