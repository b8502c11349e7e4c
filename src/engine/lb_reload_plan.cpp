#include "engine/lb_reload_plan.hpp"

#include <algorithm>

#include "engine/lb_model.hpp"

namespace vigil::engine {

std::string identity_of(const config::VirtualServer& server) {
  if (server.fwmark) {
    return "FWM " + std::to_string(*server.fwmark) + (server.ip_family == Family::kIPv6 ? " inet6" : " inet");
  }
  if (server.group) return "group " + *server.group;
  if (server.ip) {
    const std::string address = server.ip->is_v6() ? "[" + server.ip->to_string() + "]" : server.ip->to_string();
    return std::string(config::to_string(server.protocol)) + " " + address + ":" +
           std::to_string(server.port.value_or(0));
  }
  return "?";
}

std::string identity_of(const config::RealServer& real) {
  const std::string address = real.ip.is_v6() ? "[" + real.ip.to_string() + "]" : real.ip.to_string();
  return real.port ? address + ":" + std::to_string(*real.port) : address;
}

std::size_t LbReloadPlan::added_virtual_servers() const {
  return static_cast<std::size_t>(std::count(virtual_server_from.begin(), virtual_server_from.end(), std::nullopt));
}

std::string LbReloadPlan::summary() const {
  return std::to_string(unchanged_virtual_servers) + " unchanged, " + std::to_string(changed_virtual_servers) +
         " changed in place, " + std::to_string(added_virtual_servers()) + " added, " +
         std::to_string(removed_virtual_servers.size()) + " removed virtual servers; " +
         std::to_string(added_real_servers) + " real servers added, " + std::to_string(removed_real_servers) +
         " removed";
}

LbReloadPlan plan_lb_reload(const config::Config& current, const config::Config& next) {
  LbReloadPlan plan;
  std::vector<bool> old_taken(current.virtual_server.size(), false);
  for (const auto& server : next.virtual_server) {
    const std::string identity = identity_of(server);
    std::optional<std::size_t> from;
    for (std::size_t o = 0; o < current.virtual_server.size(); ++o) {
      if (!old_taken[o] && identity_of(current.virtual_server[o]) == identity) {
        from = o;
        old_taken[o] = true;
        break;
      }
    }
    plan.virtual_server_from.push_back(from);
    std::vector<std::optional<std::size_t>> reals;
    if (!from) {
      reals.assign(server.real_server.size(), std::nullopt);
      plan.real_server_from.push_back(std::move(reals));
      continue;
    }
    const auto& old_server = current.virtual_server[*from];
    std::vector<bool> real_taken(old_server.real_server.size(), false);
    for (const auto& real : server.real_server) {
      const std::string real_identity = identity_of(real);
      std::optional<std::size_t> real_from;
      for (std::size_t r = 0; r < old_server.real_server.size(); ++r) {
        if (!real_taken[r] && identity_of(old_server.real_server[r]) == real_identity) {
          real_from = r;
          real_taken[r] = true;
          break;
        }
      }
      if (!real_from) ++plan.added_real_servers;
      reals.push_back(real_from);
    }
    plan.removed_real_servers += static_cast<std::size_t>(std::count(real_taken.begin(), real_taken.end(), false));
    plan.real_server_from.push_back(std::move(reals));
    // Unchanged: the same settings and the same kernel services (a group's members may differ).
    const bool same = old_server == server && services_of(old_server, current) == services_of(server, next);
    ++(same ? plan.unchanged_virtual_servers : plan.changed_virtual_servers);
  }
  for (std::size_t o = 0; o < old_taken.size(); ++o) {
    if (!old_taken[o]) plan.removed_virtual_servers.push_back(o);
  }
  return plan;
}

}  // namespace vigil::engine
