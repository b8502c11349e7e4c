#pragma once
// Every health checker of a config, resolved: inherited timings (checker -> real server ->
// virtual server -> the kind's default), the address and port to probe, and the kind's own
// settings. Checkers of one real server are numbered in a fixed order: all tcp_check, then
// http_get, ssl_get, misc_check, smtp_check, dns_check, udp_check, ping_check, file_check, each in
// file order (CheckerVerdict::checker is that number).
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "base/ip_address.hpp"
#include "check/dns.hpp"
#include "check/http.hpp"
#include "check/schedule.hpp"
#include "check/verdicts.hpp"
#include "config/model.hpp"

namespace vigil::checker {

struct SocketOptions {
  std::optional<IpAddress> bindto;
  std::optional<std::uint16_t> bind_port;
  std::optional<std::string> bind_if;
  std::optional<std::uint32_t> fwmark;
  friend bool operator==(const SocketOptions&, const SocketOptions&) = default;
};

struct TcpProbe {
  friend bool operator==(const TcpProbe&, const TcpProbe&) = default;
};

struct HttpProbe {
  bool tls = false;
  struct Url {
    std::string path;
    check::HttpExpectation expect;
    friend bool operator==(const Url&, const Url&) = default;
  };
  std::vector<Url> urls;
  std::string host_header;  // virtualhost, else the target address
  check::HttpVersion version = check::HttpVersion::k10;
  std::optional<std::string> sni;  // SSL: the name sent, nullopt = none
  bool verify_certificate = false;
  bool tls_compliant = false;
  friend bool operator==(const HttpProbe&, const HttpProbe&) = default;
};

struct MiscProbe {
  std::vector<std::string> argv;
  Duration timeout{};
  bool dynamic = false;
  std::optional<std::string> user;
  std::optional<std::string> group;
  friend bool operator==(const MiscProbe&, const MiscProbe&) = default;
};

struct SmtpProbe {
  std::string helo_name;
  friend bool operator==(const SmtpProbe&, const SmtpProbe&) = default;
};

struct DnsProbe {
  check::DnsQueryType type = check::DnsQueryType::kSoa;
  std::string name = ".";
  friend bool operator==(const DnsProbe&, const DnsProbe&) = default;
};

struct UdpProbe {
  std::vector<std::uint8_t> payload;
  check::UdpExpectation expect;
  friend bool operator==(const UdpProbe&, const UdpProbe&) = default;
};

struct PingProbe {
  friend bool operator==(const PingProbe&, const PingProbe&) = default;
};

struct FileProbe {
  std::string path;
  std::int32_t weight = 1;
  bool reverse = false;
  std::uint32_t base_weight = 1;  // the real server's configured weight
  friend bool operator==(const FileProbe&, const FileProbe&) = default;
};

using Probe = std::variant<TcpProbe, HttpProbe, MiscProbe, SmtpProbe, DnsProbe, UdpProbe, PingProbe, FileProbe>;

struct CheckerSpec {
  std::size_t virtual_server = 0;
  std::size_t real_server = 0;
  std::size_t checker = 0;
  std::string name;         // for logs: "[198.51.100.10]:tcp:80 http_get[0] (virtual server [192.0.2.100]:tcp:80)"
  std::string label;        // within its real server: "http_get[0]"
  std::string target_text;  // what it probes: "198.51.100.10:80", "[2001:db8::1]:53"
  check::CheckTiming timing;
  IpAddress target;
  std::uint16_t port = 0;
  SocketOptions socket;
  Probe probe;
  friend bool operator==(const CheckerSpec&, const CheckerSpec&) = default;
};

// `helo_default`: the SMTP HELO name when neither the checker nor [global] sets one (the host name).
[[nodiscard]] std::vector<CheckerSpec> resolve_checkers(const config::Config& config, const std::string& helo_default);

// Reload: which checker of the old config each checker of the new one continues (an index into
// `old_specs`, or nullopt: a new checker). A checker continues one of the real server it comes
// from (`moved`: (virtual server, real server) of the old config -> of the new one) when it
// probes the same way: same kind, target, socket options, settings and timing. Only `alpha` may
// differ (it decides the starting state, which a running checker is past). Names and indexes
// are not compared: they follow from the position in the file.
using RealServerRef = std::pair<std::size_t, std::size_t>;
[[nodiscard]] std::vector<std::optional<std::size_t>> match_checkers(
    const std::vector<CheckerSpec>& old_specs, const std::vector<CheckerSpec>& new_specs,
    const std::map<RealServerRef, RealServerRef>& moved);

// Number of checkers of one real server (the size of its CheckerVerdict::checker range).
[[nodiscard]] std::size_t checker_count(const config::RealServer& real_server);

[[nodiscard]] const char* kind_name(const Probe& probe);

}  // namespace vigil::checker
