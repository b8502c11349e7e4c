#include "engine/ha_suspend.hpp"

#include <algorithm>

#include "engine/lb_reload_plan.hpp"

namespace vigil::engine {

namespace {

bool in_range(const IpAddress& address, const config::AddressRange& range) {
  return address.family() == range.first.family() && !(address < range.first) && !(range.last < address);
}

// Whether `address` is one of the addresses the virtual server answers on.
bool serves(const config::VirtualServer& server, const config::Config& config, const IpAddress& address) {
  if (server.ip) return *server.ip == address;
  if (!server.group) return false;
  const auto group = config.virtual_server_group.find(*server.group);
  if (group == config.virtual_server_group.end()) return false;
  return std::any_of(group->second.members.begin(), group->second.members.end(),
                     [&](const config::VsGroupMember& member) { return member.ip && in_range(address, *member.ip); });
}

}  // namespace

HaSuspend::HaSuspend(const config::Config& config) {
  owners_.resize(config.virtual_server.size());
  for (std::size_t v = 0; v < config.virtual_server.size(); ++v) {
    const auto& server = config.virtual_server[v];
    if (!server.ha_suspend) continue;
    for (const auto& [name, instance] : config.vrrp_instance) {
      const auto carries = [&](const std::vector<config::AddressEntry>& entries) {
        return std::any_of(entries.begin(), entries.end(),
                           [&](const config::AddressEntry& e) { return serves(server, config, e.address.address); });
      };
      if (carries(instance.virtual_ipaddress) || carries(instance.virtual_ipaddress_excluded)) {
        owners_[v].push_back(name);
      }
    }
    if (owners_[v].empty()) {
      warnings_.push_back("virtual server " + config::display_name(server) +
                          ": ha_suspend has no effect: no vrrp_instance carries its address");
    }
  }
}

std::vector<bool> HaSuspend::suspended(const std::map<std::string, std::string>& instance_states) const {
  std::vector<bool> result(owners_.size(), false);
  for (std::size_t v = 0; v < owners_.size(); ++v) {
    if (owners_[v].empty()) continue;
    result[v] = std::none_of(owners_[v].begin(), owners_[v].end(), [&](const std::string& name) {
      const auto found = instance_states.find(name);
      return found != instance_states.end() && found->second == "MASTER";
    });
  }
  return result;
}

bool HaSuspend::any() const {
  return std::any_of(owners_.begin(), owners_.end(), [](const auto& owners) { return !owners.empty(); });
}

}  // namespace vigil::engine
