#pragma once
// The typed config model: what a TOML or YAML file means once loaded and validated
// (docs/config.md is its reference). Values are parsed (addresses, durations, enums) and defaults
// are resolved, so consumers never re-interpret strings. Every struct compares with ==; source
// locations (Origin, LocationIndex) compare equal always, so the TOML and YAML spellings of one
// config, or one config with its objects moved around in the file, are equal models.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/duration.hpp"
#include "base/ip_address.hpp"
#include "config/diagnostic.hpp"

namespace vigil::config {

// Where an object was defined. Metadata, not configuration: always equal.
struct Origin {
  SourceLocation where;
  friend bool operator==(const Origin&, const Origin&) { return true; }
};

// Location of every key the loader bound, by key path ("vrrp_instance.VI_1.interface"), so
// check_host and the daemon can name file:line for any value. Always equal, like Origin.
// Hashed: a 1000-instance file records ~9000 paths sharing long prefixes, and the validator
// looks dozens of them up per instance (an ordered map spent its time comparing prefixes).
struct LocationIndex {
  std::unordered_map<std::string, SourceLocation> by_key_path;
  // The location of `key_path`, else of its nearest bound parent, else unknown.
  [[nodiscard]] SourceLocation find(const std::string& key_path) const;
  friend bool operator==(const LocationIndex&, const LocationIndex&) { return true; }
};

// ---------------------------------------------------------------------------------------------
// Commands (docs/config.md §1.4)

enum class CommandKind { kShell, kExec };
[[nodiscard]] const char* to_string(CommandKind kind);

struct Command {
  CommandKind kind = CommandKind::kShell;
  std::string line;               // kShell: the command line given to `shell -c`
  std::string shell;              // kShell: the interpreter, resolved (per command or global.script_shell)
  std::vector<std::string> argv;  // kExec: program and arguments, no shell
  // kShell: {shell, "-c", line}; kExec: argv.
  [[nodiscard]] std::vector<std::string> exec_argv() const;
  // With `extra` words appended, as keepalived appends them to a notify line (kShell: they become
  // the shell's positional parameters, quoted as words).
  [[nodiscard]] std::vector<std::string> exec_argv(const std::vector<std::string>& extra) const;
  // For logs: the line (kShell) or the argv joined by spaces (kExec).
  [[nodiscard]] std::string display() const;
  friend bool operator==(const Command&, const Command&) = default;
};

// ---------------------------------------------------------------------------------------------
// Small shared value types

struct HostPort {
  std::string host;  // a name or an address literal (without brackets)
  std::uint16_t port = 0;
  friend bool operator==(const HostPort&, const HostPort&) = default;
};

struct ListenAddress {
  IpAddress address;
  std::uint16_t port = 0;
  friend bool operator==(const ListenAddress&, const ListenAddress&) = default;
};

// A reference from an instance or sync group to a tracked object (docs/config.md §1.6).
struct TrackRef {
  std::string name;
  std::optional<std::int32_t> weight;  // overrides the tracked object's weight when set
  bool reverse = false;
  friend bool operator==(const TrackRef&, const TrackRef&) = default;
};

enum class AddressScope { kGlobal, kSite, kLink, kHost, kNowhere };
[[nodiscard]] const char* to_string(AddressScope scope);

// A VIP, excluded VIP or static address (docs/config.md §8.1).
struct AddressEntry {
  IpPrefix address;
  std::optional<std::string> dev;
  AddressScope scope = AddressScope::kGlobal;
  std::optional<std::string> label;
  std::optional<IpAddress> broadcast;
  std::optional<IpPrefix> peer;
  bool no_track = false;
  std::optional<std::uint32_t> preferred_lft;  // seconds; nullopt = forever
  friend bool operator==(const AddressEntry&, const AddressEntry&) = default;
};

enum class RouteType { kUnicast, kBlackhole, kUnreachable, kProhibit, kLocal };
[[nodiscard]] const char* to_string(RouteType type);

// Route table ids: 254 = main, 255 = local, 253 = default.
inline constexpr std::uint32_t kTableMain = 254;

struct RouteEntry {
  std::optional<IpPrefix> to;  // nullopt = "default" (family from `via`/`src`, else IPv4)
  Family family = Family::kIPv4;
  std::optional<IpAddress> via;
  std::optional<IpAddress> src;
  std::optional<std::string> dev;
  std::uint32_t table = kTableMain;
  std::optional<std::uint32_t> metric;
  std::optional<AddressScope> scope;
  std::uint8_t protocol = 4;  // RTPROT_STATIC
  RouteType type = RouteType::kUnicast;
  bool onlink = false;
  bool no_track = false;
  friend bool operator==(const RouteEntry&, const RouteEntry&) = default;
};

enum class RuleAction { kToTable, kBlackhole, kUnreachable, kProhibit };
[[nodiscard]] const char* to_string(RuleAction action);

struct RuleEntry {
  std::optional<IpPrefix> from;
  std::optional<IpPrefix> to;
  Family family = Family::kIPv4;
  std::optional<std::uint32_t> table;
  std::optional<std::uint32_t> priority;
  std::optional<std::string> iif;
  std::optional<std::string> oif;
  std::optional<std::uint32_t> fwmark;
  std::optional<std::uint32_t> fwmask;
  bool invert = false;
  RuleAction action = RuleAction::kToTable;
  bool no_track = false;
  friend bool operator==(const RuleEntry&, const RuleEntry&) = default;
};

// ---------------------------------------------------------------------------------------------
// [global]

struct LvsTimeouts {
  std::optional<Duration> tcp;
  std::optional<Duration> tcp_fin;
  std::optional<Duration> udp;
  friend bool operator==(const LvsTimeouts&, const LvsTimeouts&) = default;
};

struct GlobalConfig {
  std::optional<std::string> router_id;  // nullopt: the host name, resolved at run time
  std::optional<std::string> script_user;
  std::optional<std::string> script_group;
  bool script_security = false;
  std::string script_shell = "/bin/sh";
  std::optional<Command> startup_script;
  Duration startup_script_timeout = std::chrono::seconds(10);
  std::optional<Command> shutdown_script;
  Duration shutdown_script_timeout = std::chrono::seconds(10);

  std::vector<std::string> notification_email;
  std::optional<std::string> notification_email_from;
  std::optional<HostPort> smtp_server;  // port defaults to 25
  std::optional<std::string> smtp_helo_name;
  Duration smtp_connect_timeout = std::chrono::seconds(30);
  bool smtp_alert = false;
  bool smtp_alert_vrrp = false;     // resolved: defaults to smtp_alert
  bool smtp_alert_checker = false;  // resolved: defaults to smtp_alert

  std::optional<std::string> notify_fifo;
  std::optional<std::string> vrrp_notify_fifo;
  std::optional<std::string> lvs_notify_fifo;
  std::optional<Command> lvs_notify_fifo_script;   // run with the FIFO's path appended, while vigild runs
  std::optional<Command> notify_fifo_script;       // the same for notify_fifo
  std::optional<Command> vrrp_notify_fifo_script;  // the same for vrrp_notify_fifo
  std::string control_socket = "vigild.sock";
  std::optional<ListenAddress> metrics_listen;
  bool dynamic_interfaces = false;
  std::optional<std::string> default_interface;
  bool static_keep_on_stop = false;

  std::uint8_t vrrp_version = 2;
  IpAddress vrrp_mcast_group4 = IpAddress::v4({224, 0, 0, 18});
  IpAddress vrrp_mcast_group6 = IpAddress::v6({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12});
  Duration vrrp_garp_master_delay = std::chrono::seconds(5);
  std::uint32_t vrrp_garp_master_repeat = 5;
  Duration vrrp_garp_master_refresh{0};
  std::uint32_t vrrp_garp_master_refresh_repeat = 1;
  Duration vrrp_garp_lower_prio_delay = std::chrono::seconds(5);  // resolved: defaults to master delay
  std::uint32_t vrrp_garp_lower_prio_repeat = 5;                  // resolved: defaults to master repeat
  Duration vrrp_garp_interval{0};
  Duration vrrp_gna_interval{0};
  bool vrrp_lower_prio_no_advert = false;
  bool vrrp_higher_prio_send_advert = false;
  bool vrrp_check_unicast_src = false;
  bool vrrp_skip_check_adv_addr = false;
  bool v3_checksum_as_v2 = false;

  bool vrrp_fast_path = true;
  std::uint32_t vrrp_rt_priority = 1;  // 0 = normal scheduling
  bool vrrp_no_swap = true;
  std::vector<std::uint32_t> vrrp_cpu_affinity;

  LvsTimeouts lvs_timeouts;
  bool lvs_flush = false;
  bool lvs_keep_on_stop = false;

  friend bool operator==(const GlobalConfig&, const GlobalConfig&) = default;
};

// ---------------------------------------------------------------------------------------------
// Trackers

struct VrrpScript {
  std::string name;
  Command script;
  Duration interval = std::chrono::seconds(1);
  Duration timeout = std::chrono::seconds(1);  // resolved: defaults to interval
  std::int32_t weight = 0;
  bool reverse = false;
  std::uint32_t rise = 1;
  std::uint32_t fall = 1;
  std::optional<std::string> user;  // nullopt: global.script_user
  std::optional<std::string> group;
  bool init_fail = false;
  Origin origin;
  friend bool operator==(const VrrpScript&, const VrrpScript&) = default;
};

struct TrackFile {
  std::string name;
  std::string file;
  std::int32_t weight = 1;
  bool reverse = false;
  bool init_file = false;
  std::int32_t init_value = 0;
  bool init_overwrite = false;
  Origin origin;
  friend bool operator==(const TrackFile&, const TrackFile&) = default;
};

enum class ParamMatch { kExact, kInitial, kPartial };
[[nodiscard]] const char* to_string(ParamMatch match);

struct TrackProcess {
  std::string name;
  std::string process;
  std::optional<std::vector<std::string>> parameters;
  ParamMatch param_match = ParamMatch::kExact;
  bool full_command = false;
  std::uint32_t quorum = 1;
  std::optional<std::uint32_t> quorum_max;
  std::int32_t weight = 0;
  bool reverse = false;
  Duration fork_delay{0};
  Duration terminate_delay{0};
  Origin origin;
  friend bool operator==(const TrackProcess&, const TrackProcess&) = default;
};

// ---------------------------------------------------------------------------------------------
// VRRP

enum class InitialState { kBackup, kMaster };
[[nodiscard]] const char* to_string(InitialState state);

enum class AuthType { kPass };
[[nodiscard]] const char* to_string(AuthType type);

struct Authentication {
  AuthType auth_type = AuthType::kPass;
  std::string auth_pass;  // 1..8 bytes
  friend bool operator==(const Authentication&, const Authentication&) = default;
};

struct UnicastPeer {
  IpAddress address;
  std::optional<std::uint8_t> min_ttl;
  std::optional<std::uint8_t> max_ttl;
  friend bool operator==(const UnicastPeer&, const UnicastPeer&) = default;
};

struct VrrpInstance {
  std::string name;
  InitialState state = InitialState::kBackup;
  std::optional<std::string> interface;
  std::uint8_t virtual_router_id = 0;
  std::uint8_t priority = 100;  // resolved: 255 when state MASTER and no priority was given
  Duration advert_int = std::chrono::seconds(1);
  std::uint8_t version = 2;       // resolved: global.vrrp_version, 3 for IPv6
  Family family = Family::kIPv4;  // resolved from the VIPs (or unicast/mcast source addresses)
  std::optional<Authentication> authentication;
  std::vector<AddressEntry> virtual_ipaddress;
  std::vector<AddressEntry> virtual_ipaddress_excluded;
  std::vector<RouteEntry> virtual_routes;
  std::vector<RuleEntry> virtual_rules;
  std::optional<IpAddress> unicast_src_ip;
  std::vector<UnicastPeer> unicast_peer;
  std::optional<IpAddress> mcast_src_ip;
  bool check_unicast_src = false;
  bool preempt = true;
  Duration preempt_delay{0};
  bool use_vmac = false;
  std::optional<std::string> vmac_name;  // nullopt with use_vmac: "vrrp.VRID"
  bool vmac_xmit_base = false;
  Duration garp_master_delay = std::chrono::seconds(5);
  std::uint32_t garp_master_repeat = 5;
  Duration garp_master_refresh{0};
  std::uint32_t garp_master_refresh_repeat = 1;
  Duration garp_lower_prio_delay = std::chrono::seconds(5);
  std::uint32_t garp_lower_prio_repeat = 5;
  std::vector<TrackRef> track_script;
  std::vector<TrackRef> track_interface;
  std::vector<TrackRef> track_file;
  std::vector<TrackRef> track_process;
  bool dont_track_primary = false;
  std::optional<Command> notify_master;
  std::optional<Command> notify_backup;
  std::optional<Command> notify_fault;
  std::optional<Command> notify_stop;
  std::optional<Command> notify_master_rx_lower_pri;
  std::optional<Command> notify;
  bool smtp_alert = false;
  bool accept = true;
  bool lower_prio_no_advert = false;
  bool higher_prio_send_advert = false;
  bool skip_check_adv_addr = false;
  bool v3_checksum_as_v2 = false;
  std::uint32_t down_timer_adverts = 3;
  Origin origin;

  [[nodiscard]] bool is_unicast() const { return !unicast_peer.empty(); }
  friend bool operator==(const VrrpInstance&, const VrrpInstance&) = default;
};

struct VrrpSyncGroup {
  std::string name;
  std::vector<std::string> group;
  std::vector<TrackRef> track_script;
  std::vector<TrackRef> track_interface;
  std::vector<TrackRef> track_file;
  std::vector<TrackRef> track_process;
  std::optional<Command> notify_master;
  std::optional<Command> notify_backup;
  std::optional<Command> notify_fault;
  std::optional<Command> notify_stop;
  std::optional<Command> notify;
  bool smtp_alert = false;
  bool sync_group_tracking_weight = false;
  Origin origin;
  friend bool operator==(const VrrpSyncGroup&, const VrrpSyncGroup&) = default;
};

// ---------------------------------------------------------------------------------------------
// IPVS

enum class LvsProtocol { kTcp, kUdp, kSctp };
[[nodiscard]] const char* to_string(LvsProtocol protocol);

enum class LvsScheduler { kRr, kWrr, kLc, kWlc, kLblc, kLblcr, kDh, kSh, kSed, kNq, kMh, kFo, kOvf, kTwos };
[[nodiscard]] const char* to_string(LvsScheduler scheduler);

enum class LvsMethod { kNat, kDr, kTun };
[[nodiscard]] const char* to_string(LvsMethod method);

enum class TunnelType { kIpip, kGue, kGre };
[[nodiscard]] const char* to_string(TunnelType type);

enum class TunnelChecksum { kNoCsum, kCsum, kRemCsum };
[[nodiscard]] const char* to_string(TunnelChecksum checksum);

struct SslConfig {
  std::optional<std::string> ca;
  std::optional<std::string> certificate;
  std::optional<std::string> key;
  std::optional<std::string> password;
  friend bool operator==(const SslConfig&, const SslConfig&) = default;
};

// Inclusive; one address has first == last; a prefix becomes its range.
struct AddressRange {
  IpAddress first;
  IpAddress last;
  friend bool operator==(const AddressRange&, const AddressRange&) = default;
};

struct VsGroupMember {
  // Exactly one of `ip` (with `port`) and `fwmark` (with `family`).
  std::optional<AddressRange> ip;
  std::uint16_t port = 0;
  std::optional<std::uint32_t> fwmark;
  Family family = Family::kIPv4;
  friend bool operator==(const VsGroupMember&, const VsGroupMember&) = default;
};

struct VirtualServerGroup {
  std::string name;
  std::vector<VsGroupMember> members;
  Origin origin;
  friend bool operator==(const VirtualServerGroup&, const VirtualServerGroup&) = default;
};

// Options every checker has (docs/config.md §13). Unset = inherited from the real server, then
// the virtual server, then the checker kind's default.
struct CheckerCommon {
  std::optional<IpAddress> connect_ip;
  std::optional<std::uint16_t> connect_port;
  std::optional<IpAddress> bindto;
  std::optional<std::uint16_t> bind_port;
  std::optional<std::string> bind_if;
  std::optional<Duration> connect_timeout;
  std::optional<std::uint32_t> fwmark;
  std::optional<std::uint32_t> retry;
  std::optional<Duration> delay_before_retry;
  std::optional<Duration> warmup;
  std::optional<Duration> delay_loop;
  std::optional<bool> alpha;
  bool log_all_failures = false;
  Origin origin;
  friend bool operator==(const CheckerCommon&, const CheckerCommon&) = default;
};

struct StatusRange {
  std::uint16_t first = 200;
  std::uint16_t last = 299;
  friend bool operator==(const StatusRange&, const StatusRange&) = default;
};

struct HttpUrl {
  std::string path;
  std::optional<std::string> digest;     // lower-case MD5 hex
  std::vector<StatusRange> status_code;  // resolved: 200-299 when not given
  friend bool operator==(const HttpUrl&, const HttpUrl&) = default;
};

enum class HttpProtocol { k10, k10C, k11 };
[[nodiscard]] const char* to_string(HttpProtocol protocol);

struct TcpCheck {
  CheckerCommon common;
  friend bool operator==(const TcpCheck&, const TcpCheck&) = default;
};

struct HttpCheck {  // http_get and ssl_get
  CheckerCommon common;
  std::vector<HttpUrl> url;
  std::optional<std::string> virtualhost;
  HttpProtocol http_protocol = HttpProtocol::k10;
  bool fast_recovery = false;
  bool enable_sni = true;  // ssl_get only
  std::optional<std::string> sni_name;
  bool verify_certificate = false;
  bool tls_compliant = false;
  friend bool operator==(const HttpCheck&, const HttpCheck&) = default;
};

struct MiscCheck {
  CheckerCommon common;
  Command misc_path;
  std::optional<Duration> misc_timeout;
  bool misc_dynamic = false;
  std::optional<std::string> user;
  std::optional<std::string> group;
  friend bool operator==(const MiscCheck&, const MiscCheck&) = default;
};

struct SmtpCheck {
  CheckerCommon common;
  std::optional<std::string> helo_name;
  friend bool operator==(const SmtpCheck&, const SmtpCheck&) = default;
};

enum class DnsType { kA, kNs, kCname, kSoa, kMx, kTxt, kAaaa };
[[nodiscard]] const char* to_string(DnsType type);

struct DnsCheck {
  CheckerCommon common;
  DnsType type = DnsType::kSoa;
  std::string name = ".";
  friend bool operator==(const DnsCheck&, const DnsCheck&) = default;
};

struct UdpCheck {
  CheckerCommon common;
  std::vector<std::uint8_t> payload;
  std::optional<std::string> require_reply;  // hex, 'X' nibbles match anything (validated)
  std::uint32_t min_reply_length = 0;
  std::uint32_t max_reply_length = 255;
  friend bool operator==(const UdpCheck&, const UdpCheck&) = default;
};

struct PingCheck {
  CheckerCommon common;
  friend bool operator==(const PingCheck&, const PingCheck&) = default;
};

struct FileCheck {
  CheckerCommon common;
  std::string track_file;
  std::int32_t weight = 1;
  bool reverse = false;
  friend bool operator==(const FileCheck&, const FileCheck&) = default;
};

struct RealServer {
  IpAddress ip;
  std::optional<std::uint16_t> port;  // nullopt: the service's port
  std::uint32_t weight = 1;
  std::optional<LvsMethod> lvs_method;
  std::optional<std::uint32_t> uthreshold;
  std::optional<std::uint32_t> lthreshold;
  std::optional<bool> inhibit_on_failure;
  std::optional<bool> alpha;
  std::optional<std::uint32_t> retry;
  std::optional<Duration> delay_before_retry;
  std::optional<Duration> connect_timeout;
  std::optional<Duration> warmup;
  std::optional<Duration> delay_loop;
  std::optional<std::string> virtualhost;
  std::optional<Command> notify_up;
  std::optional<Command> notify_down;
  std::optional<bool> smtp_alert;
  std::vector<TcpCheck> tcp_check;
  std::vector<HttpCheck> http_get;
  std::vector<HttpCheck> ssl_get;
  std::vector<MiscCheck> misc_check;
  std::vector<SmtpCheck> smtp_check;
  std::vector<DnsCheck> dns_check;
  std::vector<UdpCheck> udp_check;
  std::vector<PingCheck> ping_check;
  std::vector<FileCheck> file_check;
  Origin origin;
  friend bool operator==(const RealServer&, const RealServer&) = default;
};

struct SorryServer {
  IpAddress ip;
  std::optional<std::uint16_t> port;
  std::optional<LvsMethod> lvs_method;
  bool inhibit = false;
  friend bool operator==(const SorryServer&, const SorryServer&) = default;
};

struct VirtualServer {
  // Exactly one identity: ip+port+protocol, fwmark (+ip_family), or group.
  std::optional<IpAddress> ip;
  std::optional<std::uint16_t> port;
  LvsProtocol protocol = LvsProtocol::kTcp;
  std::optional<std::uint32_t> fwmark;
  Family ip_family = Family::kIPv4;  // resolved from ip for address services
  std::optional<std::string> group;
  LvsScheduler lvs_sched = LvsScheduler::kWlc;
  bool sh_port = false;
  bool sh_fallback = false;
  bool mh_port = false;
  bool mh_fallback = false;
  bool ops = false;
  LvsMethod lvs_method = LvsMethod::kNat;
  TunnelType tunnel_type = TunnelType::kIpip;
  std::optional<std::uint16_t> tunnel_port;
  TunnelChecksum tunnel_checksum = TunnelChecksum::kNoCsum;
  std::optional<Duration> persistence_timeout;
  std::optional<std::uint8_t> persistence_granularity;
  std::optional<std::string> persistence_engine;
  Duration delay_loop = std::chrono::seconds(60);
  std::optional<std::uint32_t> retry;
  std::optional<Duration> delay_before_retry;
  Duration connect_timeout = std::chrono::seconds(5);
  std::optional<Duration> warmup;
  bool inhibit_on_failure = false;
  bool alpha = false;
  bool omega = false;
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  std::optional<Command> quorum_up;
  std::optional<Command> quorum_down;
  bool ha_suspend = false;
  std::optional<std::string> virtualhost;
  bool smtp_alert = false;  // resolved: defaults to global.smtp_alert_checker
  std::optional<SorryServer> sorry_server;
  std::vector<RealServer> real_server;
  Origin origin;
  friend bool operator==(const VirtualServer&, const VirtualServer&) = default;
};

// How logs and alerts name a virtual server, as keepalived users know it: "[192.0.2.10]:tcp:80",
// "[2001:db8::10]:udp:53", "fwmark 5", "group web".
[[nodiscard]] std::string display_name(const VirtualServer& server);
// A real server of `server`: "[198.51.100.2]:tcp:80" (the service's port when it names none).
[[nodiscard]] std::string display_name(const VirtualServer& server, const RealServer& real);

// ---------------------------------------------------------------------------------------------

struct Config {
  GlobalConfig global;
  std::map<std::string, VrrpScript> vrrp_script;
  std::map<std::string, TrackFile> track_file;
  std::map<std::string, TrackProcess> track_process;
  std::map<std::string, VrrpInstance> vrrp_instance;
  std::map<std::string, VrrpSyncGroup> vrrp_sync_group;
  std::vector<AddressEntry> static_ipaddress;
  std::vector<RouteEntry> static_routes;
  std::vector<RuleEntry> static_rules;
  std::optional<SslConfig> ssl;
  std::map<std::string, VirtualServerGroup> virtual_server_group;
  std::vector<VirtualServer> virtual_server;
  LocationIndex locations;
  friend bool operator==(const Config&, const Config&) = default;
};

}  // namespace vigil::config
