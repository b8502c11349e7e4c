#include "config/model.hpp"

namespace vigil::config {

SourceLocation LocationIndex::find(const std::string& key_path) const {
  std::string path = key_path;
  while (!path.empty()) {
    if (const auto it = by_key_path.find(path); it != by_key_path.end()) return it->second;
    const auto cut = path.find_last_of(".[");
    if (cut == std::string::npos) break;
    path.resize(cut);
  }
  return {};
}

std::vector<std::string> Command::exec_argv() const {
  if (kind == CommandKind::kExec) return argv;
  return {shell, "-c", line};
}

std::vector<std::string> Command::exec_argv(const std::vector<std::string>& extra) const {
  std::vector<std::string> result =
      kind == CommandKind::kExec ? argv : std::vector<std::string>{shell, "-c", line + " \"$@\"", shell};
  result.insert(result.end(), extra.begin(), extra.end());
  return result;
}

std::string Command::display() const {
  if (kind == CommandKind::kShell) return line;
  std::string out;
  for (const auto& word : argv) out += (out.empty() ? "" : " ") + word;
  return out;
}

namespace {

const char* lower_case(LvsProtocol protocol) {
  switch (protocol) {
    case LvsProtocol::kTcp: return "tcp";
    case LvsProtocol::kUdp: return "udp";
    case LvsProtocol::kSctp: return "sctp";
  }
  return "?";
}

// keepalived's "[address]:protocol:port".
std::string address_protocol_port(const IpAddress& address, LvsProtocol protocol, std::uint16_t port) {
  return "[" + address.to_string() + "]:" + lower_case(protocol) + ":" + std::to_string(port);
}

}  // namespace

std::string display_name(const VirtualServer& server) {
  if (server.fwmark) return "fwmark " + std::to_string(*server.fwmark);
  if (server.group) return "group " + *server.group;
  if (server.ip) return address_protocol_port(*server.ip, server.protocol, server.port.value_or(0));
  return "?";
}

std::string display_name(const VirtualServer& server, const RealServer& real) {
  return address_protocol_port(real.ip, server.protocol, real.port.value_or(server.port.value_or(0)));
}

const char* to_string(CommandKind kind) {
  switch (kind) {
    case CommandKind::kShell: return "shell";
    case CommandKind::kExec: return "exec";
  }
  return "?";
}

const char* to_string(AddressScope scope) {
  switch (scope) {
    case AddressScope::kGlobal: return "global";
    case AddressScope::kSite: return "site";
    case AddressScope::kLink: return "link";
    case AddressScope::kHost: return "host";
    case AddressScope::kNowhere: return "nowhere";
  }
  return "?";
}

const char* to_string(RouteType type) {
  switch (type) {
    case RouteType::kUnicast: return "unicast";
    case RouteType::kBlackhole: return "blackhole";
    case RouteType::kUnreachable: return "unreachable";
    case RouteType::kProhibit: return "prohibit";
    case RouteType::kLocal: return "local";
  }
  return "?";
}

const char* to_string(RuleAction action) {
  switch (action) {
    case RuleAction::kToTable: return "to_table";
    case RuleAction::kBlackhole: return "blackhole";
    case RuleAction::kUnreachable: return "unreachable";
    case RuleAction::kProhibit: return "prohibit";
  }
  return "?";
}

const char* to_string(ParamMatch match) {
  switch (match) {
    case ParamMatch::kExact: return "exact";
    case ParamMatch::kInitial: return "initial";
    case ParamMatch::kPartial: return "partial";
  }
  return "?";
}

const char* to_string(InitialState state) {
  switch (state) {
    case InitialState::kBackup: return "BACKUP";
    case InitialState::kMaster: return "MASTER";
  }
  return "?";
}

const char* to_string(AuthType type) {
  switch (type) {
    case AuthType::kPass: return "PASS";
  }
  return "?";
}

const char* to_string(LvsProtocol protocol) {
  switch (protocol) {
    case LvsProtocol::kTcp: return "TCP";
    case LvsProtocol::kUdp: return "UDP";
    case LvsProtocol::kSctp: return "SCTP";
  }
  return "?";
}

const char* to_string(LvsScheduler scheduler) {
  switch (scheduler) {
    case LvsScheduler::kRr: return "rr";
    case LvsScheduler::kWrr: return "wrr";
    case LvsScheduler::kLc: return "lc";
    case LvsScheduler::kWlc: return "wlc";
    case LvsScheduler::kLblc: return "lblc";
    case LvsScheduler::kLblcr: return "lblcr";
    case LvsScheduler::kDh: return "dh";
    case LvsScheduler::kSh: return "sh";
    case LvsScheduler::kSed: return "sed";
    case LvsScheduler::kNq: return "nq";
    case LvsScheduler::kMh: return "mh";
    case LvsScheduler::kFo: return "fo";
    case LvsScheduler::kOvf: return "ovf";
    case LvsScheduler::kTwos: return "twos";
  }
  return "?";
}

const char* to_string(LvsMethod method) {
  switch (method) {
    case LvsMethod::kNat: return "NAT";
    case LvsMethod::kDr: return "DR";
    case LvsMethod::kTun: return "TUN";
  }
  return "?";
}

const char* to_string(TunnelType type) {
  switch (type) {
    case TunnelType::kIpip: return "ipip";
    case TunnelType::kGue: return "gue";
    case TunnelType::kGre: return "gre";
  }
  return "?";
}

const char* to_string(TunnelChecksum checksum) {
  switch (checksum) {
    case TunnelChecksum::kNoCsum: return "nocsum";
    case TunnelChecksum::kCsum: return "csum";
    case TunnelChecksum::kRemCsum: return "remcsum";
  }
  return "?";
}

const char* to_string(HttpProtocol protocol) {
  switch (protocol) {
    case HttpProtocol::k10: return "1.0";
    case HttpProtocol::k10C: return "1.0C";
    case HttpProtocol::k11: return "1.1";
  }
  return "?";
}

const char* to_string(DnsType type) {
  switch (type) {
    case DnsType::kA: return "A";
    case DnsType::kNs: return "NS";
    case DnsType::kCname: return "CNAME";
    case DnsType::kSoa: return "SOA";
    case DnsType::kMx: return "MX";
    case DnsType::kTxt: return "TXT";
    case DnsType::kAaaa: return "AAAA";
  }
  return "?";
}

}  // namespace vigil::config
