#include "ipvs/pool.hpp"

#include <algorithm>

namespace vigil::ipvs {

namespace {

Destination at_service(Destination destination, bool port_from_service, const Service& service) {
  if (port_from_service) destination.port = service.key.port;
  return destination;
}

}  // namespace

bool Pool::RealServerState::alive() const {
  return std::all_of(checker_up.begin(), checker_up.end(), [](bool up) { return up; });
}

std::optional<std::uint32_t> Pool::RealServerState::dynamic_weight() const {
  for (const auto& weight : checker_weight) {
    if (weight) return weight;
  }
  return std::nullopt;
}

Pool::Pool(std::vector<VirtualServerSpec> specs) {
  servers_.reserve(specs.size());
  for (auto& spec : specs) {
    ServerState server;
    server.spec = std::move(spec);
    for (const auto& real : server.spec.real_servers)
      server.real_servers.push_back(
          {real.checker_starts_up, std::vector<std::optional<std::uint32_t>>(real.checker_starts_up.size())});
    server.quorum_up = live_weight(server) >= server.spec.quorum;
    servers_.push_back(std::move(server));
  }
}

std::uint32_t Pool::weight_of(const ServerState& server, std::size_t real_server) const {
  const auto& state = server.real_servers[real_server];
  return state.dynamic_weight().value_or(server.spec.real_servers[real_server].destination.weight);
}

std::uint64_t Pool::live_weight(const ServerState& server) const {
  std::uint64_t total = 0;
  for (std::size_t i = 0; i < server.real_servers.size(); ++i) {
    if (server.real_servers[i].alive()) total += weight_of(server, i);
  }
  return total;
}

std::uint64_t Pool::live_weight(std::size_t virtual_server) const { return live_weight(servers_.at(virtual_server)); }

bool Pool::alive(std::size_t virtual_server, std::size_t real_server) const {
  return servers_.at(virtual_server).real_servers.at(real_server).alive();
}

void Pool::set_suspended(std::size_t virtual_server, bool suspended) {
  if (virtual_server < servers_.size()) servers_[virtual_server].suspended = suspended;
}

std::vector<PoolAction> Pool::on_verdict(const Verdict& verdict) {
  std::vector<PoolAction> actions;
  if (verdict.virtual_server >= servers_.size()) return actions;
  ServerState& server = servers_[verdict.virtual_server];
  if (server.suspended || verdict.real_server >= server.real_servers.size()) return actions;
  RealServerState& real = server.real_servers[verdict.real_server];
  if (verdict.checker >= real.checker_up.size()) return actions;

  const std::vector<ServiceState> before = desired(verdict.virtual_server);
  const bool was_alive = real.alive();
  real.checker_up[verdict.checker] = verdict.up;
  // A verdict without a weight (misc_dynamic exit 0, a file_check back at 0, DOWN) hands the
  // server back its configured weight.
  real.checker_weight[verdict.checker] =
      verdict.weight ? std::optional<std::uint32_t>(static_cast<std::uint32_t>(std::max(0, *verdict.weight)))
                     : std::nullopt;
  const bool is_alive = real.alive();
  if (was_alive != is_alive) {
    if (is_alive) {
      actions.emplace_back(RealServerUp{verdict.virtual_server, verdict.real_server});
    } else {
      actions.emplace_back(RealServerDown{verdict.virtual_server, verdict.real_server});
    }
  }

  update_quorum(verdict.virtual_server, actions);
  if (desired(verdict.virtual_server) != before) actions.emplace_back(PoolChanged{verdict.virtual_server});
  return actions;
}

void Pool::update_quorum(std::size_t virtual_server, std::vector<PoolAction>& actions) {
  ServerState& server = servers_[virtual_server];
  const std::uint64_t total = live_weight(server);
  const std::uint64_t quorum = server.spec.quorum;
  const std::uint64_t hysteresis = server.spec.hysteresis;
  if (server.quorum_up && (total == 0 || total + hysteresis < quorum)) {
    server.quorum_up = false;
    actions.emplace_back(QuorumLost{virtual_server});
  } else if (!server.quorum_up && total >= quorum + hysteresis) {
    server.quorum_up = true;
    actions.emplace_back(QuorumGained{virtual_server});
  }
}

bool Pool::checker_up(std::size_t virtual_server, std::size_t real_server, std::size_t checker) const {
  return servers_.at(virtual_server).real_servers.at(real_server).checker_up.at(checker);
}

std::vector<PoolAction> Pool::carry_over(const Pool& old, const PoolCarry& carry) {
  std::vector<PoolAction> actions;
  const auto at = [](const auto& table, std::size_t i) -> std::optional<std::size_t> {
    return i < table.size() ? table[i] : std::nullopt;
  };
  for (std::size_t v = 0; v < servers_.size(); ++v) {
    ServerState& server = servers_[v];
    const auto from = at(carry.virtual_server_from, v);
    const bool continued = from && *from < old.servers_.size();
    const ServerState* before = continued ? &old.servers_[*from] : nullptr;
    for (std::size_t r = 0; r < server.real_servers.size(); ++r) {
      RealServerState& real = server.real_servers[r];
      std::optional<std::size_t> real_from;
      if (before != nullptr && v < carry.real_server_from.size()) real_from = at(carry.real_server_from[v], r);
      const RealServerState* previous =
          real_from && *real_from < before->real_servers.size() ? &before->real_servers[*real_from] : nullptr;
      const bool was_alive = previous != nullptr && previous->alive();
      for (std::size_t c = 0; c < real.checker_up.size(); ++c) {
        std::optional<std::size_t> checker_from;
        if (previous != nullptr && v < carry.checker_from.size() && r < carry.checker_from[v].size()) {
          checker_from = at(carry.checker_from[v][r], c);
        }
        if (checker_from && *checker_from < previous->checker_up.size()) {
          real.checker_up[c] = previous->checker_up[*checker_from];
          // A misc_dynamic weight belongs to the checker that reported it: it continues with it.
          if (c < real.checker_weight.size() && *checker_from < previous->checker_weight.size()) {
            real.checker_weight[c] = previous->checker_weight[*checker_from];
          }
        } else if (!was_alive) {
          real.checker_up[c] = false;
        }  // else: as at start (the spec's checker_starts_up, already in place)
      }
      if (previous != nullptr && real.alive() != was_alive) {
        if (real.alive()) {
          actions.emplace_back(RealServerUp{v, r});
        } else {
          actions.emplace_back(RealServerDown{v, r});
        }
      }
    }
    if (before != nullptr) {
      server.quorum_up = before->quorum_up;
      server.suspended = before->suspended;
      update_quorum(v, actions);
    } else {
      server.quorum_up = live_weight(server) >= server.spec.quorum;
    }
  }
  return actions;
}

std::vector<PoolAction> Pool::left_behind(const PoolCarry& carry) const {
  std::vector<std::vector<bool>> continued(servers_.size());
  std::vector<bool> server_continued(servers_.size(), false);
  for (std::size_t v = 0; v < carry.virtual_server_from.size(); ++v) {
    const auto from = carry.virtual_server_from[v];
    if (!from || *from >= servers_.size()) continue;
    server_continued[*from] = true;
    continued[*from].assign(servers_[*from].real_servers.size(), false);
    if (v >= carry.real_server_from.size()) continue;
    for (const auto& real_from : carry.real_server_from[v]) {
      if (real_from && *real_from < continued[*from].size()) continued[*from][*real_from] = true;
    }
  }
  std::vector<PoolAction> actions;
  for (std::size_t v = 0; v < servers_.size(); ++v) {
    const ServerState& server = servers_[v];
    for (std::size_t r = 0; r < server.real_servers.size(); ++r) {
      const bool kept = server_continued[v] && continued[v][r];
      if (!kept && server.real_servers[r].alive()) actions.emplace_back(RealServerDown{v, r});
    }
    if (!server_continued[v] && server.quorum_up) actions.emplace_back(QuorumLost{v});
  }
  return actions;
}

std::vector<PoolAction> Pool::stop() const {
  std::vector<PoolAction> actions;
  for (std::size_t v = 0; v < servers_.size(); ++v) {
    const ServerState& server = servers_[v];
    if (!server.spec.omega) continue;
    for (std::size_t r = 0; r < server.real_servers.size(); ++r) {
      if (server.real_servers[r].alive()) actions.emplace_back(RealServerDown{v, r});
    }
    if (server.quorum_up) actions.emplace_back(QuorumLost{v});
  }
  return actions;
}

std::vector<ServiceState> Pool::desired(std::size_t virtual_server) const {
  const ServerState& server = servers_.at(virtual_server);
  const bool sorry_in_use = !server.quorum_up && server.spec.sorry_server.has_value();
  std::vector<ServiceState> result;
  for (const Service& service : server.spec.services) {
    ServiceState state{service, {}};
    for (std::size_t r = 0; r < server.real_servers.size(); ++r) {
      const RealServerSpec& spec = server.spec.real_servers[r];
      Destination destination = at_service(spec.destination, spec.port_from_service, service);
      if (server.real_servers[r].alive() && !sorry_in_use) {
        destination.weight = weight_of(server, r);
      } else if (spec.inhibit_on_failure) {
        destination.weight = 0;
      } else {
        continue;
      }
      state.destinations.push_back(destination);
    }
    if (const auto& sorry = server.spec.sorry_server) {
      Destination destination = at_service(sorry->destination, sorry->port_from_service, service);
      const bool duplicate = std::any_of(state.destinations.begin(), state.destinations.end(),
                                         [&](const Destination& d) { return d.same_endpoint(destination); });
      if (!duplicate && (sorry_in_use || sorry->inhibit)) {
        if (!sorry_in_use) destination.weight = 0;
        state.destinations.push_back(destination);
      }
    }
    result.push_back(std::move(state));
  }
  return result;
}

std::vector<ServiceState> Pool::desired_all() const {
  std::vector<ServiceState> result;
  for (std::size_t v = 0; v < servers_.size(); ++v) {
    auto part = desired(v);
    result.insert(result.end(), std::make_move_iterator(part.begin()), std::make_move_iterator(part.end()));
  }
  return result;
}

}  // namespace vigil::ipvs
