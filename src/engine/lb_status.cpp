#include "engine/lb_status.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::engine {

namespace {

using nlohmann::json;

std::string with_port(const IpAddress& address, std::uint16_t port) {
  return address.family() == Family::kIPv6 ? fmt::format("[{}]:{}", address.to_string(), port)
                                           : fmt::format("{}:{}", address.to_string(), port);
}

std::uint16_t port_of(const config::VirtualServer& server, const config::RealServer& real) {
  return real.port.value_or(server.port.value_or(0));
}

std::string fifo_vs(const config::VirtualServer& server) {
  if (server.group) return fmt::format("[{}]:{}", *server.group, server.port.value_or(0));
  if (server.fwmark) return fmt::format("FWM {}", *server.fwmark);
  return config::display_name(server);  // "[192.0.2.10]:tcp:80"
}

json unix_or_null(const std::optional<double>& when) { return when ? json(*when) : json(); }

// The weight the kernel was last given for this real server, if it is in the pool.
std::optional<std::uint32_t> current_weight(const LbView& view, std::size_t v, std::size_t r) {
  if (view.pool == nullptr || v >= view.programmed.size() || v >= view.pool->size()) return std::nullopt;
  const auto& spec = view.pool->spec(v);
  if (r >= spec.real_servers.size()) return std::nullopt;
  for (const auto& state : view.programmed[v]) {
    ipvs::Destination wanted = spec.real_servers[r].destination;
    if (spec.real_servers[r].port_from_service) wanted.port = state.service.key.port;
    const auto found = std::find_if(state.destinations.begin(), state.destinations.end(),
                                    [&](const ipvs::Destination& d) { return d.same_endpoint(wanted); });
    if (found != state.destinations.end()) return found->weight;
  }
  return std::nullopt;
}

json checker_json(const CheckerView& checker) {
  const auto& status = checker.status;
  json last_result;
  if (status.last_probe_at) last_result = status.last_probe_ok ? "ok" : "failed";
  return {{"name", checker.name},
          {"target", checker.target},
          {"up", status.up},
          {"failed_in_a_row", status.failed_in_a_row},
          {"probes_passed", status.probes_passed},
          {"probes_failed", status.probes_failed},
          {"last_probe", unix_or_null(status.last_probe_at)},
          {"last_result", std::move(last_result)},
          {"last_failure", status.last_failure}};
}

json counters_json(const ipvs::Stats& stats) {
  return {{"connections", stats.connections},
          {"packets_in", stats.packets_in},
          {"packets_out", stats.packets_out},
          {"bytes_in", stats.bytes_in},
          {"bytes_out", stats.bytes_out}};
}

// The services of the kernel's statistics that belong to the pool, each with its counters.
json services_json(const config::Config& config, const LbView& view) {
  json services = json::array();
  if (view.pool == nullptr || !view.statistics) return services;
  for (std::size_t v = 0; v < view.pool->size() && v < config.virtual_server.size(); ++v) {
    for (const auto& service : view.pool->spec(v).services) {
      const auto found = std::find_if(view.statistics->begin(), view.statistics->end(),
                                      [&](const ipvs::ServiceStats& s) { return s.key == service.key; });
      if (found == view.statistics->end()) continue;
      const auto& key = found->key;
      json entry = counters_json(found->stats);
      entry["virtual_server"] = virtual_server_name(config.virtual_server[v]);
      entry["address"] = key.is_fwmark() ? fmt::format("fwmark {}", key.fwmark) : with_port(key.address, key.port);
      entry["protocol"] = key.is_fwmark() ? 0 : static_cast<int>(key.protocol);
      json destinations = json::array();
      for (const auto& destination : found->destinations) {
        json d = counters_json(destination.stats);
        d["address"] = with_port(destination.address, destination.port);
        destinations.push_back(std::move(d));
      }
      entry["destinations"] = std::move(destinations);
      services.push_back(std::move(entry));
    }
  }
  return services;
}

}  // namespace

std::string virtual_server_name(const config::VirtualServer& server) {
  if (server.group) return "group " + *server.group;
  if (server.fwmark) return fmt::format("fwmark {}", *server.fwmark);
  if (server.ip) return with_port(*server.ip, server.port.value_or(0)) + "/" + config::to_string(server.protocol);
  return "?";
}

std::string real_server_name(const config::VirtualServer& server, const config::RealServer& real) {
  return with_port(real.ip, port_of(server, real));
}

json lb_status_json(const config::Config& config, const LbView& view) {
  json servers = json::array();
  for (std::size_t v = 0; v < config.virtual_server.size(); ++v) {
    const auto& server = config.virtual_server[v];
    const bool started = view.pool != nullptr && v < view.pool->size();
    const bool quorum_up = started ? view.pool->quorum(v) : false;
    json sorry;
    if (server.sorry_server) {
      const auto& s = *server.sorry_server;
      sorry = {{"address", with_port(s.ip, s.port.value_or(server.port.value_or(0)))},
               {"active", started && !quorum_up}};
    }
    json reals = json::array();
    for (std::size_t r = 0; r < server.real_server.size(); ++r) {
      const auto& real = server.real_server[r];
      json checkers = json::array();
      for (const auto& checker : view.checkers) {
        if (checker.virtual_server == v && checker.real_server == r) checkers.push_back(checker_json(checker));
      }
      const auto weight = current_weight(view, v, r);
      std::optional<double> changed;
      if (v < view.changed_at.size() && r < view.changed_at[v].size()) changed = view.changed_at[v][r];
      reals.push_back({{"address", real_server_name(server, real)},
                       {"weight", real.weight},
                       {"current_weight", weight ? json(*weight) : json()},
                       {"up", started && view.pool->alive(v, r)},
                       {"last_change", unix_or_null(changed)},
                       {"checkers", std::move(checkers)}});
    }
    servers.push_back({{"name", virtual_server_name(server)},
                       {"scheduler", config::to_string(server.lvs_sched)},
                       {"quorum",
                        {{"required", server.quorum},
                         {"hysteresis", server.hysteresis},
                         {"live_weight", started ? view.pool->live_weight(v) : 0},
                         {"up", quorum_up}}},
                       {"sorry_server", std::move(sorry)},
                       {"suspended", started && view.pool->suspended(v)},
                       {"real_servers", std::move(reals)}});
  }
  json ipvs = {{"state", view.ipvs_state}};
  if (view.statistics) ipvs["services"] = services_json(config, view);
  return {{"ipvs", std::move(ipvs)}, {"virtual_servers", std::move(servers)}};
}

std::string lvs_fifo_vs_line(const config::VirtualServer& server, bool up) {
  return fmt::format("VS {} {}\n", fifo_vs(server), up ? "UP" : "DOWN");
}

std::string lvs_fifo_rs_line(const config::VirtualServer& server, const config::RealServer& real, bool up) {
  return fmt::format("RS {} {} {}\n", config::display_name(server, real), fifo_vs(server), up ? "UP" : "DOWN");
}

}  // namespace vigil::engine
