#include "checker/checker_spec.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vigil::checker {

namespace {

using namespace std::chrono_literals;

enum class Kind { kTcp, kHttp, kSsl, kMisc, kSmtp, kDns, kUdp, kPing, kFile };

const char* to_string(Kind kind) {
  switch (kind) {
    case Kind::kTcp: return "tcp_check";
    case Kind::kHttp: return "http_get";
    case Kind::kSsl: return "ssl_get";
    case Kind::kMisc: return "misc_check";
    case Kind::kSmtp: return "smtp_check";
    case Kind::kDns: return "dns_check";
    case Kind::kUdp: return "udp_check";
    case Kind::kPing: return "ping_check";
    case Kind::kFile: return "file_check";
  }
  return "?";
}

std::uint16_t default_port(Kind kind) {
  switch (kind) {
    case Kind::kHttp: return 80;
    case Kind::kSsl: return 443;
    case Kind::kSmtp: return 25;
    case Kind::kDns: return 53;
    default: return 0;
  }
}

template <class T>
std::optional<T> first_of(const std::optional<T>& a, const std::optional<T>& b, const std::optional<T>& c = {}) {
  if (a) return a;
  if (b) return b;
  return c;
}

std::string endpoint_text(const IpAddress& ip, std::uint16_t port) {
  return ip.is_v6() ? fmt::format("[{}]:{}", ip.to_string(), port) : fmt::format("{}:{}", ip.to_string(), port);
}

check::HttpVersion to_version(config::HttpProtocol protocol) {
  switch (protocol) {
    case config::HttpProtocol::k10: return check::HttpVersion::k10;
    case config::HttpProtocol::k10C: return check::HttpVersion::k10Close;
    case config::HttpProtocol::k11: return check::HttpVersion::k11;
  }
  return check::HttpVersion::k10;
}

check::DnsQueryType to_query_type(config::DnsType type) {
  switch (type) {
    case config::DnsType::kA: return check::DnsQueryType::kA;
    case config::DnsType::kNs: return check::DnsQueryType::kNs;
    case config::DnsType::kCname: return check::DnsQueryType::kCname;
    case config::DnsType::kSoa: return check::DnsQueryType::kSoa;
    case config::DnsType::kMx: return check::DnsQueryType::kMx;
    case config::DnsType::kTxt: return check::DnsQueryType::kTxt;
    case config::DnsType::kAaaa: return check::DnsQueryType::kAaaa;
  }
  return check::DnsQueryType::kSoa;
}

struct Resolver {
  const config::Config& config;
  const std::string& helo_default;
  std::vector<CheckerSpec>& out;
  std::size_t vs_index = 0;
  std::size_t rs_index = 0;
  std::size_t checker_index = 0;

  CheckerSpec common(const config::VirtualServer& vs, const config::RealServer& rs, const config::CheckerCommon& c,
                     Kind kind, std::size_t index_in_kind) {
    CheckerSpec spec;
    spec.virtual_server = vs_index;
    spec.real_server = rs_index;
    spec.checker = checker_index++;
    auto& t = spec.timing;
    t.delay_loop = first_of(c.delay_loop, rs.delay_loop).value_or(vs.delay_loop);
    const std::uint32_t default_retry = kind == Kind::kDns ? 3 : kind == Kind::kMisc ? 0 : 1;
    t.retry = first_of(c.retry, rs.retry, vs.retry).value_or(default_retry);
    const Duration default_delay_before_retry = (kind == Kind::kHttp || kind == Kind::kSsl) ? Duration(3s)
                                                : kind == Kind::kDns                        ? t.delay_loop
                                                                                            : Duration(1s);
    t.delay_before_retry = first_of(c.delay_before_retry, rs.delay_before_retry, vs.delay_before_retry)
                               .value_or(default_delay_before_retry);
    t.connect_timeout = first_of(c.connect_timeout, rs.connect_timeout).value_or(vs.connect_timeout);
    t.warmup = first_of(c.warmup, rs.warmup, vs.warmup).value_or(t.delay_loop);
    t.alpha = first_of(c.alpha, rs.alpha).value_or(vs.alpha);
    t.log_all_failures = c.log_all_failures;
    spec.target = c.connect_ip.value_or(rs.ip);
    spec.port = c.connect_port ? *c.connect_port : rs.port ? *rs.port : vs.port.value_or(0);
    if (spec.port == 0 && !c.connect_port) spec.port = default_port(kind);
    spec.socket = SocketOptions{c.bindto, c.bind_port, c.bind_if, c.fwmark};
    spec.label = fmt::format("{}[{}]", to_string(kind), index_in_kind);
    spec.target_text = endpoint_text(spec.target, spec.port);
    spec.name = fmt::format("{} {}[{}] (virtual server {})", config::display_name(vs, rs), to_string(kind),
                            index_in_kind, config::display_name(vs));
    return spec;
  }

  void http(const config::VirtualServer& vs, const config::RealServer& rs, const config::HttpCheck& h, bool tls,
            std::size_t i) {
    auto spec = common(vs, rs, h.common, tls ? Kind::kSsl : Kind::kHttp, i);
    // fast_recovery needs nothing here: keepalived checks one URL per delay_loop and the option
    // makes it check the remaining URLs back to back once a failed one passes again; a Vigil
    // probe checks every URL in one go, so a single passing probe brings the server back.
    HttpProbe probe;
    probe.tls = tls;
    for (const auto& url : h.url) {
      HttpProbe::Url u{url.path, {}};
      for (const auto& range : url.status_code) u.expect.status_codes.push_back({range.first, range.last});
      u.expect.digest = url.digest;
      probe.urls.push_back(std::move(u));
    }
    const auto virtualhost = first_of(h.virtualhost, rs.virtualhost, vs.virtualhost);
    probe.host_header = virtualhost.value_or(spec.target.to_string());
    probe.version = to_version(h.http_protocol);
    if (tls && h.enable_sni) probe.sni = first_of(h.sni_name, virtualhost);
    probe.verify_certificate = h.verify_certificate;
    probe.tls_compliant = h.tls_compliant;
    spec.probe = std::move(probe);
    out.push_back(std::move(spec));
  }

  void real_server(const config::VirtualServer& vs, const config::RealServer& rs) {
    checker_index = 0;
    for (std::size_t i = 0; i < rs.tcp_check.size(); ++i) {
      auto spec = common(vs, rs, rs.tcp_check[i].common, Kind::kTcp, i);
      spec.probe = TcpProbe{};
      out.push_back(std::move(spec));
    }
    for (std::size_t i = 0; i < rs.http_get.size(); ++i) http(vs, rs, rs.http_get[i], false, i);
    for (std::size_t i = 0; i < rs.ssl_get.size(); ++i) http(vs, rs, rs.ssl_get[i], true, i);
    for (std::size_t i = 0; i < rs.misc_check.size(); ++i) {
      const auto& m = rs.misc_check[i];
      auto spec = common(vs, rs, m.common, Kind::kMisc, i);
      spec.probe =
          MiscProbe{m.misc_path.exec_argv(), m.misc_timeout.value_or(spec.timing.delay_loop), m.misc_dynamic,
                    m.user ? m.user : config.global.script_user, m.user ? m.group : config.global.script_group};
      out.push_back(std::move(spec));
    }
    for (std::size_t i = 0; i < rs.smtp_check.size(); ++i) {
      const auto& s = rs.smtp_check[i];
      auto spec = common(vs, rs, s.common, Kind::kSmtp, i);
      spec.probe = SmtpProbe{
          first_of(s.helo_name, config.global.smtp_helo_name, config.global.router_id).value_or(helo_default)};
      out.push_back(std::move(spec));
    }
    for (std::size_t i = 0; i < rs.dns_check.size(); ++i) {
      const auto& d = rs.dns_check[i];
      auto spec = common(vs, rs, d.common, Kind::kDns, i);
      spec.probe = DnsProbe{to_query_type(d.type), d.name};
      out.push_back(std::move(spec));
    }
    for (std::size_t i = 0; i < rs.udp_check.size(); ++i) {
      const auto& u = rs.udp_check[i];
      auto spec = common(vs, rs, u.common, Kind::kUdp, i);
      spec.probe = UdpProbe{u.payload, {u.require_reply, u.min_reply_length, u.max_reply_length}};
      out.push_back(std::move(spec));
    }
    for (std::size_t i = 0; i < rs.ping_check.size(); ++i) {
      auto spec = common(vs, rs, rs.ping_check[i].common, Kind::kPing, i);
      spec.probe = PingProbe{};
      out.push_back(std::move(spec));
    }
    for (std::size_t i = 0; i < rs.file_check.size(); ++i) {
      const auto& f = rs.file_check[i];
      auto spec = common(vs, rs, f.common, Kind::kFile, i);
      const auto tracked = config.track_file.find(f.track_file);
      // The loader has checked that the track_file exists; an unknown one reads as a missing file.
      spec.probe = FileProbe{tracked == config.track_file.end() ? std::string() : tracked->second.file, f.weight,
                             f.reverse, rs.weight};
      out.push_back(std::move(spec));
    }
  }
};

}  // namespace

std::vector<CheckerSpec> resolve_checkers(const config::Config& config, const std::string& helo_default) {
  std::vector<CheckerSpec> out;
  Resolver resolver{config, helo_default, out};
  for (std::size_t v = 0; v < config.virtual_server.size(); ++v) {
    resolver.vs_index = v;
    const auto& vs = config.virtual_server[v];
    for (std::size_t r = 0; r < vs.real_server.size(); ++r) {
      resolver.rs_index = r;
      resolver.real_server(vs, vs.real_server[r]);
    }
  }
  return out;
}

std::size_t checker_count(const config::RealServer& rs) {
  return rs.tcp_check.size() + rs.http_get.size() + rs.ssl_get.size() + rs.misc_check.size() + rs.smtp_check.size() +
         rs.dns_check.size() + rs.udp_check.size() + rs.ping_check.size() + rs.file_check.size();
}

const char* kind_name(const Probe& probe) {
  struct Visitor {
    const char* operator()(const TcpProbe&) const { return "tcp_check"; }
    const char* operator()(const HttpProbe& p) const { return p.tls ? "ssl_get" : "http_get"; }
    const char* operator()(const MiscProbe&) const { return "misc_check"; }
    const char* operator()(const SmtpProbe&) const { return "smtp_check"; }
    const char* operator()(const DnsProbe&) const { return "dns_check"; }
    const char* operator()(const UdpProbe&) const { return "udp_check"; }
    const char* operator()(const PingProbe&) const { return "ping_check"; }
    const char* operator()(const FileProbe&) const { return "file_check"; }
  };
  return std::visit(Visitor{}, probe);
}

}  // namespace vigil::checker

namespace vigil::checker {

namespace {

bool probes_alike(const CheckerSpec& a, const CheckerSpec& b) {
  check::CheckTiming timing = b.timing;
  timing.alpha = a.timing.alpha;
  return a.timing == timing && a.target == b.target && a.port == b.port && a.socket == b.socket && a.probe == b.probe;
}

}  // namespace

std::vector<std::optional<std::size_t>> match_checkers(const std::vector<CheckerSpec>& old_specs,
                                                       const std::vector<CheckerSpec>& new_specs,
                                                       const std::map<RealServerRef, RealServerRef>& moved) {
  std::vector<std::optional<std::size_t>> result(new_specs.size());
  // The old checkers by the new real server they move to, in their numbering order.
  std::map<RealServerRef, std::vector<std::size_t>> candidates;
  for (std::size_t o = 0; o < old_specs.size(); ++o) {
    const auto found = moved.find({old_specs[o].virtual_server, old_specs[o].real_server});
    if (found != moved.end()) candidates[found->second].push_back(o);
  }
  for (std::size_t n = 0; n < new_specs.size(); ++n) {
    const auto found = candidates.find({new_specs[n].virtual_server, new_specs[n].real_server});
    if (found == candidates.end()) continue;
    auto& pool = found->second;
    const auto same =
        std::find_if(pool.begin(), pool.end(), [&](std::size_t o) { return probes_alike(old_specs[o], new_specs[n]); });
    if (same == pool.end()) continue;
    result[n] = *same;
    pool.erase(same);  // two identical checkers of one server continue one each
  }
  return result;
}

}  // namespace vigil::checker
