#include "engine/lb_model.hpp"

#include <algorithm>
#include <chrono>
#include <tuple>

namespace vigil::engine {

namespace {

ipvs::Protocol to_protocol(config::LvsProtocol protocol) {
  switch (protocol) {
    case config::LvsProtocol::kTcp: return ipvs::Protocol::kTcp;
    case config::LvsProtocol::kUdp: return ipvs::Protocol::kUdp;
    case config::LvsProtocol::kSctp: return ipvs::Protocol::kSctp;
  }
  return ipvs::Protocol::kTcp;
}

ipvs::Forward to_forward(config::LvsMethod method) {
  switch (method) {
    case config::LvsMethod::kNat: return ipvs::Forward::kMasq;
    case config::LvsMethod::kDr: return ipvs::Forward::kRoute;
    case config::LvsMethod::kTun: return ipvs::Forward::kTunnel;
  }
  return ipvs::Forward::kMasq;
}

ipvs::TunnelType to_tunnel(config::TunnelType type) {
  switch (type) {
    case config::TunnelType::kIpip: return ipvs::TunnelType::kIpip;
    case config::TunnelType::kGue: return ipvs::TunnelType::kGue;
    case config::TunnelType::kGre: return ipvs::TunnelType::kGre;
  }
  return ipvs::TunnelType::kIpip;
}

ipvs::TunnelChecksum to_checksum(config::TunnelChecksum checksum) {
  switch (checksum) {
    case config::TunnelChecksum::kNoCsum: return ipvs::TunnelChecksum::kNone;
    case config::TunnelChecksum::kCsum: return ipvs::TunnelChecksum::kCsum;
    case config::TunnelChecksum::kRemCsum: return ipvs::TunnelChecksum::kRemCsum;
  }
  return ipvs::TunnelChecksum::kNone;
}

// The service settings every service of `server` shares (the key is filled in per address).
ipvs::Service settings_of(const config::VirtualServer& server, Family family) {
  ipvs::Service service;
  service.scheduler = config::to_string(server.lvs_sched);
  if (server.persistence_timeout) {
    service.flags |= ipvs::kFlagPersistent;
    service.timeout = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::seconds>(*server.persistence_timeout).count());
  }
  if (server.ops) service.flags |= ipvs::kFlagOnePacket;
  if (server.sh_fallback || server.mh_fallback) service.flags |= ipvs::kFlagSched1;
  if (server.sh_port || server.mh_port) service.flags |= ipvs::kFlagSched2;
  const unsigned full = family == Family::kIPv4 ? 32 : 128;
  service.netmask = ipvs::Service::netmask_for(family, server.persistence_granularity.value_or(full));
  service.persistence_engine = server.persistence_engine.value_or("");
  return service;
}

// The addresses first..last (same family), at most `limit`.
std::vector<IpAddress> expand(const config::AddressRange& range, std::size_t limit) {
  std::vector<IpAddress> out;
  auto bytes = std::vector<std::uint8_t>(range.first.bytes().begin(), range.first.bytes().end());
  for (;;) {
    auto address = *IpAddress::from_bytes(bytes);
    if (range.last < address || out.size() >= limit) break;
    out.push_back(address);
    if (address == range.last) break;
    // Increment as a big-endian number; wrapping to zero ends the walk.
    std::size_t i = bytes.size();
    while (i > 0 && ++bytes[i - 1] == 0) --i;
    if (i == 0) break;
  }
  return out;
}

std::size_t range_size_capped(const config::AddressRange& range) {
  return expand(range, kMaxRangeAddresses + 1).size();
}

ipvs::Destination destination_of(const IpAddress& ip, std::optional<std::uint16_t> port,
                                 std::optional<config::LvsMethod> method, const config::VirtualServer& server) {
  ipvs::Destination d;
  d.address = ip;
  d.port = port.value_or(0);
  d.forward = to_forward(method.value_or(server.lvs_method));
  if (d.forward == ipvs::Forward::kTunnel) {
    d.tunnel_type = to_tunnel(server.tunnel_type);
    d.tunnel_port = server.tunnel_port.value_or(0);
    d.tunnel_checksum = to_checksum(server.tunnel_checksum);
  }
  return d;
}

template <class Checks>
void collect(const Checks& checks, int kind, std::vector<std::tuple<const config::CheckerCommon*, int>>& out) {
  for (const auto& check : checks) out.emplace_back(&check.common, kind);
}

}  // namespace

std::vector<const config::CheckerCommon*> checkers_of(const config::RealServer& real) {
  std::vector<std::tuple<const config::CheckerCommon*, int>> all;
  collect(real.tcp_check, 0, all);
  collect(real.http_get, 1, all);
  collect(real.ssl_get, 2, all);
  collect(real.misc_check, 3, all);
  collect(real.smtp_check, 4, all);
  collect(real.dns_check, 5, all);
  collect(real.udp_check, 6, all);
  collect(real.ping_check, 7, all);
  collect(real.file_check, 8, all);
  // Numbered the way the health checkers number their verdicts (src/checker/checker_spec.cpp):
  // by kind in this order, then in file order within a kind.
  std::vector<const config::CheckerCommon*> result;
  result.reserve(all.size());
  for (const auto& [common, kind] : all) result.push_back(common);
  return result;
}

std::vector<ipvs::Service> services_of(const config::VirtualServer& server, const config::Config& config) {
  std::vector<ipvs::Service> services;
  if (server.fwmark) {
    ipvs::Service s = settings_of(server, server.ip_family);
    s.key = ipvs::ServiceKey::for_fwmark(*server.fwmark, server.ip_family);
    services.push_back(std::move(s));
  } else if (server.ip) {
    ipvs::Service s = settings_of(server, server.ip->family());
    s.key = ipvs::ServiceKey::for_address(*server.ip, server.port.value_or(0), to_protocol(server.protocol));
    services.push_back(std::move(s));
  } else if (server.group) {
    const auto group = config.virtual_server_group.find(*server.group);
    if (group == config.virtual_server_group.end()) return services;
    for (const auto& member : group->second.members) {
      if (member.fwmark) {
        ipvs::Service s = settings_of(server, member.family);
        s.key = ipvs::ServiceKey::for_fwmark(*member.fwmark, member.family);
        services.push_back(std::move(s));
        continue;
      }
      if (!member.ip) continue;
      for (const auto& address : expand(*member.ip, kMaxRangeAddresses)) {
        ipvs::Service s = settings_of(server, address.family());
        s.key = ipvs::ServiceKey::for_address(address, member.port, to_protocol(server.protocol));
        services.push_back(std::move(s));
      }
    }
  }
  return services;
}

ipvs::VirtualServerSpec spec_of(const config::VirtualServer& server, const config::Config& config) {
  ipvs::VirtualServerSpec spec;
  spec.services = services_of(server, config);
  spec.quorum = server.quorum;
  spec.hysteresis = server.hysteresis;
  spec.omega = server.omega;
  for (const auto& real : server.real_server) {
    ipvs::RealServerSpec r;
    r.destination = destination_of(real.ip, real.port, real.lvs_method, server);
    r.destination.weight = real.weight;
    r.destination.upper_threshold = real.uthreshold.value_or(0);
    r.destination.lower_threshold = real.lthreshold.value_or(0);
    r.port_from_service = !real.port.has_value();
    r.inhibit_on_failure = real.inhibit_on_failure.value_or(server.inhibit_on_failure);
    const bool real_alpha = real.alpha.value_or(server.alpha);
    for (const auto* checker : checkers_of(real)) r.checker_starts_up.push_back(!checker->alpha.value_or(real_alpha));
    spec.real_servers.push_back(std::move(r));
  }
  if (server.sorry_server) {
    ipvs::SorryServerSpec sorry;
    sorry.destination =
        destination_of(server.sorry_server->ip, server.sorry_server->port, server.sorry_server->lvs_method, server);
    sorry.port_from_service = !server.sorry_server->port.has_value();
    sorry.inhibit = server.sorry_server->inhibit;
    spec.sorry_server = sorry;
  }
  return spec;
}

std::vector<ipvs::VirtualServerSpec> specs_of(const config::Config& config) {
  std::vector<ipvs::VirtualServerSpec> specs;
  specs.reserve(config.virtual_server.size());
  for (const auto& server : config.virtual_server) specs.push_back(spec_of(server, config));
  return specs;
}

ipvs::Timeouts timeouts_of(const config::GlobalConfig& global) {
  const auto seconds = [](const std::optional<Duration>& d) {
    return d ? static_cast<std::uint32_t>(std::chrono::duration_cast<std::chrono::seconds>(*d).count()) : 0U;
  };
  return {seconds(global.lvs_timeouts.tcp), seconds(global.lvs_timeouts.tcp_fin), seconds(global.lvs_timeouts.udp)};
}

std::vector<std::string> lb_warnings(const config::Config& config) {
  std::vector<std::string> warnings;
  for (const auto& [name, group] : config.virtual_server_group) {
    for (const auto& member : group.members) {
      if (member.ip && range_size_capped(*member.ip) > kMaxRangeAddresses) {
        warnings.push_back("virtual_server_group." + name + ": range " + member.ip->first.to_string() + "-" +
                           member.ip->last.to_string() + " is cut to its first " + std::to_string(kMaxRangeAddresses) +
                           " addresses (one IPVS service each)");
      }
    }
  }
  return warnings;
}

}  // namespace vigil::engine
