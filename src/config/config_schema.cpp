// Field descriptors of every config table: the single source of truth for the binder and the
// JSON Schema. Cross-field rules (families, references, version-dependent ranges) are in
// validate.cpp; per-value rules (types, ranges, units) are here.
#include "config/config_schema.hpp"

#include <charconv>
#include <limits>

namespace vigil::config::schema {
namespace {

constexpr std::int64_t kU32Max = std::numeric_limits<std::uint32_t>::max();
constexpr std::int64_t kI32Max = std::numeric_limits<std::int32_t>::max();

Duration seconds(std::int64_t count) { return std::chrono::seconds(count); }

std::optional<std::uint16_t> parse_port(std::string_view text) {
  unsigned value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || ec != std::errc{} || end != text.data() + text.size() || value > 65535) return std::nullopt;
  return static_cast<std::uint16_t>(value);
}

// "host", "host:port", "192.0.2.1:25", "2001:db8::1", "[2001:db8::1]:25".
std::optional<HostPort> parse_host_port(std::string_view text, std::uint16_t default_port) {
  HostPort out{std::string(text), default_port};
  if (text.empty()) return std::nullopt;
  if (text.front() == '[') {
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    out.host = std::string(text.substr(1, close - 1));
    if (!IpAddress::parse(out.host) || !IpAddress::parse(out.host)->is_v6()) return std::nullopt;
    const auto rest = text.substr(close + 1);
    if (rest.empty()) return out;
    if (rest.front() != ':') return std::nullopt;
    const auto port = parse_port(rest.substr(1));
    if (!port) return std::nullopt;
    out.port = *port;
    return out;
  }
  if (IpAddress::parse(text)) return out;  // a bare IPv4 or IPv6 address
  const auto colon = text.rfind(':');
  if (colon != std::string_view::npos) {
    if (text.find(':') != colon) return std::nullopt;  // an IPv6 address with a port needs brackets
    const auto port = parse_port(text.substr(colon + 1));
    if (!port) return std::nullopt;
    out.host = std::string(text.substr(0, colon));
    out.port = *port;
  }
  if (out.host.empty()) return std::nullopt;
  for (const char c : out.host) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0 && c != '-' && c != '.' && c != '_') return std::nullopt;
  }
  return out;
}

template <class T>
Spec<T> from_string(std::string what, std::string pattern, std::function<std::optional<T>(const std::string&)> parse,
                    std::string error_hint) {
  Spec<T> spec;
  spec.bind = [what, parse, error_hint](const Node& node, const std::string& path, BindContext& context, T& out) {
    if (node.kind != NodeKind::kString) {
      context.error(node.where, path, expected(what, node));
      return false;
    }
    auto parsed = parse(node.text);
    if (!parsed) {
      context.error(node.where, path, "invalid " + error_hint + " " + quote(node.text));
      return false;
    }
    out = std::move(*parsed);
    return true;
  };
  spec.schema = [pattern, what](SchemaWriter&) {
    Json schema{{"type", "string"}, {"description", what}};
    if (!pattern.empty()) schema["pattern"] = pattern;
    return schema;
  };
  return spec;
}

Spec<HostPort> smtp_server_spec() {
  return from_string<HostPort>(
      "a string \"host[:port]\"", "", [](const std::string& text) { return parse_host_port(text, 25); },
      "SMTP server (expected \"host\", \"host:port\" or \"[IPv6]:port\")");
}

Spec<ListenAddress> listen_spec() {
  return from_string<ListenAddress>(
      "a string \"address:port\"", "",
      [](const std::string& text) -> std::optional<ListenAddress> {
        const auto parsed = parse_host_port(text, 0);
        if (!parsed || parsed->port == 0) return std::nullopt;
        const auto address = IpAddress::parse(parsed->host);
        if (!address) return std::nullopt;
        return ListenAddress{*address, parsed->port};
      },
      "listen address (expected \"127.0.0.1:9650\" or \"[::1]:9650\")");
}

// Route tables: a number or main/local/default.
Spec<std::uint32_t> route_table_spec() {
  Spec<std::uint32_t> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, std::uint32_t& out) {
    if (node.kind == NodeKind::kInteger) return integer<std::uint32_t>(1, kU32Max).bind(node, path, context, out);
    return enumeration<std::uint32_t>({{"main", 254}, {"local", 255}, {"default", 253}}).bind(node, path, context, out);
  };
  spec.schema = [](SchemaWriter&) {
    return Json{{"anyOf", Json::array({Json{{"type", "integer"}, {"minimum", 1}, {"maximum", kU32Max}},
                                       Json{{"enum", Json::array({"main", "local", "default"})}}})}};
  };
  return spec;
}

Spec<std::uint8_t> route_protocol_spec() {
  Spec<std::uint8_t> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, std::uint8_t& out) {
    if (node.kind == NodeKind::kInteger) return integer<std::uint8_t>(0, 255).bind(node, path, context, out);
    return enumeration<std::uint8_t>({{"boot", 3}, {"static", 4}, {"kernel", 2}}).bind(node, path, context, out);
  };
  spec.schema = [](SchemaWriter&) {
    return Json{{"anyOf", Json::array({Json{{"type", "integer"}, {"minimum", 0}, {"maximum", 255}},
                                       Json{{"enum", Json::array({"boot", "static", "kernel"})}}})}};
  };
  spec.encode = [](const std::uint8_t& value) -> std::optional<Json> {
    return value == 4 ? Json("static") : Json(static_cast<int>(value));
  };
  return spec;
}

// preferred_lft: seconds or "forever" (nullopt).
Spec<std::optional<std::uint32_t>> lifetime_spec() {
  Spec<std::optional<std::uint32_t>> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, std::optional<std::uint32_t>& out) {
    if (node.kind == NodeKind::kString && node.text == "forever") {
      out.reset();
      return true;
    }
    if (node.kind != NodeKind::kInteger) {
      context.error(node.where, path, expected("a number of seconds or \"forever\"", node));
      return false;
    }
    std::uint32_t value = 0;
    if (!integer<std::uint32_t>(0, kU32Max - 1).bind(node, path, context, value)) return false;
    out = value;
    return true;
  };
  spec.schema = [](SchemaWriter&) {
    return Json{{"anyOf", Json::array({Json{{"type", "integer"}, {"minimum", 0}}, Json{{"const", "forever"}}})}};
  };
  return spec;
}

// Route destination: a prefix or "default" (nullopt).
Spec<std::optional<IpPrefix>> route_destination_spec() {
  Spec<std::optional<IpPrefix>> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, std::optional<IpPrefix>& out) {
    if (node.kind == NodeKind::kString && node.text == "default") {
      out.reset();
      return true;
    }
    IpPrefix value;
    if (!prefix().bind(node, path, context, value)) return false;
    out = value;
    return true;
  };
  spec.schema = [](SchemaWriter& writer) {
    return Json{{"anyOf", Json::array({prefix().schema(writer), Json{{"const", "default"}}})}};
  };
  return spec;
}

std::optional<AddressRange> parse_range(const std::string& text) {
  if (text.find('/') != std::string::npos) {
    const auto parsed = IpPrefix::parse(text);
    if (!parsed) return std::nullopt;
    auto first = parsed->address.bytes();
    std::array<std::uint8_t, 16> low{};
    std::array<std::uint8_t, 16> high{};
    for (std::size_t i = 0; i < first.size(); ++i) {
      const int bits = std::clamp(static_cast<int>(parsed->length) - static_cast<int>(i * 8), 0, 8);
      const auto mask = static_cast<std::uint8_t>(bits == 0 ? 0 : (0xff << (8 - bits)) & 0xff);
      low[i] = first[i] & mask;
      high[i] = static_cast<std::uint8_t>(low[i] | static_cast<std::uint8_t>(~mask));
    }
    const auto size = first.size();
    return AddressRange{*IpAddress::from_bytes(std::span(low.data(), size)),
                        *IpAddress::from_bytes(std::span(high.data(), size))};
  }
  const auto dash = text.find('-');
  if (dash == std::string::npos) {
    const auto single = IpAddress::parse(text);
    if (!single) return std::nullopt;
    return AddressRange{*single, *single};
  }
  const auto first = IpAddress::parse(text.substr(0, dash));
  if (!first) return std::nullopt;
  const std::string rest = text.substr(dash + 1);
  std::optional<IpAddress> last = IpAddress::parse(rest);
  if (!last && first->is_v4()) {  // "192.0.2.10-20": the last byte only
    unsigned byte = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), byte);
    if (rest.empty() || ec != std::errc{} || end != rest.data() + rest.size() || byte > 255) return std::nullopt;
    auto bytes = first->bytes();
    std::array<std::uint8_t, 4> v4{bytes[0], bytes[1], bytes[2], static_cast<std::uint8_t>(byte)};
    last = IpAddress::v4(v4);
  }
  if (!last && first->is_v6()) {  // "2001:db8::10-20": the last group only (hex)
    unsigned group = 0;
    const auto [end, ec] = std::from_chars(rest.data(), rest.data() + rest.size(), group, 16);
    if (rest.empty() || ec != std::errc{} || end != rest.data() + rest.size() || group > 0xffff) return std::nullopt;
    auto bytes = first->bytes();
    std::array<std::uint8_t, 16> v6{};
    std::copy(bytes.begin(), bytes.end(), v6.begin());
    v6[14] = static_cast<std::uint8_t>(group >> 8);
    v6[15] = static_cast<std::uint8_t>(group & 0xff);
    last = IpAddress::v6(v6);
  }
  if (!last || last->family() != first->family() || *last < *first) return std::nullopt;
  return AddressRange{*first, *last};
}

Spec<StatusRange> status_range_spec() {
  Spec<StatusRange> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, StatusRange& out) {
    if (node.kind == NodeKind::kInteger) {
      std::uint16_t code = 0;
      if (!integer<std::uint16_t>(100, 599).bind(node, path, context, code)) return false;
      out = StatusRange{code, code};
      return true;
    }
    if (node.kind != NodeKind::kString) {
      context.error(node.where, path, expected("a status code or a range \"200-299\"", node));
      return false;
    }
    const auto dash = node.text.find('-');
    unsigned first = 0;
    unsigned last = 0;
    const std::string a = node.text.substr(0, dash);
    const std::string b = dash == std::string::npos ? a : node.text.substr(dash + 1);
    const auto [end_a, ec_a] = std::from_chars(a.data(), a.data() + a.size(), first);
    const auto [end_b, ec_b] = std::from_chars(b.data(), b.data() + b.size(), last);
    if (a.empty() || b.empty() || ec_a != std::errc{} || ec_b != std::errc{} || end_a != a.data() + a.size() ||
        end_b != b.data() + b.size() || first < 100 || last > 599 || first > last) {
      context.error(node.where, path, "invalid status code range " + quote(node.text) + " (expected e.g. \"200-299\")");
      return false;
    }
    out = StatusRange{static_cast<std::uint16_t>(first), static_cast<std::uint16_t>(last)};
    return true;
  };
  spec.schema = [](SchemaWriter&) {
    return Json{{"anyOf", Json::array({Json{{"type", "integer"}, {"minimum", 100}, {"maximum", 599}},
                                       Json{{"type", "string"}, {"pattern", "^[1-5][0-9]{2}(-[1-5][0-9]{2})?$"}}})}};
  };
  return spec;
}

std::optional<std::vector<std::uint8_t>> parse_hex(const std::string& text) {
  if (text.size() % 2 != 0) return std::nullopt;
  std::vector<std::uint8_t> bytes;
  for (std::size_t i = 0; i < text.size(); i += 2) {
    unsigned value = 0;
    const auto [end, ec] = std::from_chars(text.data() + i, text.data() + i + 2, value, 16);
    if (ec != std::errc{} || end != text.data() + i + 2) return std::nullopt;
    bytes.push_back(static_cast<std::uint8_t>(value));
  }
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// Objects

const std::vector<std::pair<std::string, AddressScope>> kScopes = {{"global", AddressScope::kGlobal},
                                                                   {"site", AddressScope::kSite},
                                                                   {"link", AddressScope::kLink},
                                                                   {"host", AddressScope::kHost},
                                                                   {"nowhere", AddressScope::kNowhere}};

const ObjectSchema<TrackRef>& track_ref_schema() {
  static const ObjectSchema<TrackRef> schema = [] {
    ObjectSchema<TrackRef> s{"track_ref", "A tracked object: its name, or { name, weight, reverse }.", {}, {}};
    Fields<TrackRef>(s)
        .required("name", &TrackRef::name, name_string(), "name of the tracked object")
        .add("weight", &TrackRef::weight, integer<std::int32_t>(-kI32Max, kI32Max),
             "overrides the tracked object's weight")
        .add("reverse", &TrackRef::reverse, boolean(), "flip the direction of the weight");
    Spec<TrackRef> shorthand;
    shorthand.bind = [](const Node& node, const std::string& path, BindContext& context, TrackRef& out) {
      return name_string().bind(node, path, context, out.name);
    };
    shorthand.schema = [](SchemaWriter& writer) { return name_string().schema(writer); };
    s.shorthand = shorthand;
    return s;
  }();
  return schema;
}

const ObjectSchema<AddressEntry>& address_schema() {
  static const ObjectSchema<AddressEntry> schema = [] {
    ObjectSchema<AddressEntry> s{"address", "An address: \"192.0.2.100/24\", or a table with options.", {}, {}};
    Fields<AddressEntry>(s)
        .required("address", &AddressEntry::address, prefix(), "address with optional /LENGTH (default host length)")
        .add("dev", &AddressEntry::dev, string(1, 15), "interface")
        .add("scope", &AddressEntry::scope, enumeration(kScopes), "address scope")
        .add("label", &AddressEntry::label, string(1, 15), "IPv4 label, e.g. \"eth0:vip\"")
        .add("broadcast", &AddressEntry::broadcast, address(), "IPv4 broadcast address")
        .add("peer", &AddressEntry::peer, prefix(), "point-to-point peer")
        .add("no_track", &AddressEntry::no_track, boolean(),
             "the instance does not go FAULT when the address is removed behind its back")
        .add("preferred_lft", &AddressEntry::preferred_lft, lifetime_spec(), "seconds or \"forever\"");
    Spec<AddressEntry> shorthand;
    shorthand.bind = [](const Node& node, const std::string& path, BindContext& context, AddressEntry& out) {
      return prefix().bind(node, path, context, out.address);
    };
    shorthand.schema = [](SchemaWriter& writer) { return prefix().schema(writer); };
    s.shorthand = shorthand;
    return s;
  }();
  return schema;
}

const ObjectSchema<RouteEntry>& route_schema() {
  static const ObjectSchema<RouteEntry> schema = [] {
    ObjectSchema<RouteEntry> s{"route", "A route (iproute2 vocabulary).", {}, {}};
    Fields<RouteEntry>(s)
        .required("to", &RouteEntry::to, route_destination_spec(), "destination prefix or \"default\"")
        .add("via", &RouteEntry::via, address(), "gateway")
        .add("src", &RouteEntry::src, address(), "preferred source address")
        .add("dev", &RouteEntry::dev, string(1, 15), "interface")
        .add("table", &RouteEntry::table, route_table_spec(), "routing table (number or main/local/default)")
        .add("metric", &RouteEntry::metric, integer<std::uint32_t>(0, kU32Max), "route metric")
        .add("scope", &RouteEntry::scope, enumeration(kScopes), "route scope")
        .add("protocol", &RouteEntry::protocol, route_protocol_spec(), "route protocol")
        .add("type", &RouteEntry::type,
             enumeration<RouteType>({{"unicast", RouteType::kUnicast},
                                     {"blackhole", RouteType::kBlackhole},
                                     {"unreachable", RouteType::kUnreachable},
                                     {"prohibit", RouteType::kProhibit},
                                     {"local", RouteType::kLocal}}),
             "route type")
        .add("onlink", &RouteEntry::onlink, boolean(), "pretend the gateway is on link")
        .add("no_track", &RouteEntry::no_track, boolean(), "do not go FAULT when the route is removed");
    return s;
  }();
  return schema;
}

const ObjectSchema<RuleEntry>& rule_schema() {
  static const ObjectSchema<RuleEntry> schema = [] {
    ObjectSchema<RuleEntry> s{"rule", "A policy routing rule (iproute2 vocabulary).", {}, {}};
    Fields<RuleEntry>(s)
        .add("from", &RuleEntry::from, prefix(), "source prefix")
        .add("to", &RuleEntry::to, prefix(), "destination prefix")
        .add("family", &RuleEntry::family, family(), "address family when neither from nor to is given")
        .add("table", &RuleEntry::table, route_table_spec(), "lookup table")
        .add("priority", &RuleEntry::priority, integer<std::uint32_t>(0, kU32Max), "rule preference")
        .add("iif", &RuleEntry::iif, string(1, 15), "incoming interface")
        .add("oif", &RuleEntry::oif, string(1, 15), "outgoing interface")
        .add("fwmark", &RuleEntry::fwmark, integer<std::uint32_t>(0, kU32Max), "firewall mark")
        .add("fwmask", &RuleEntry::fwmask, integer<std::uint32_t>(0, kU32Max), "firewall mark mask")
        .add("invert", &RuleEntry::invert, boolean(), "negate the selector (\"not\")")
        .add("action", &RuleEntry::action,
             enumeration<RuleAction>({{"to_table", RuleAction::kToTable},
                                      {"blackhole", RuleAction::kBlackhole},
                                      {"unreachable", RuleAction::kUnreachable},
                                      {"prohibit", RuleAction::kProhibit}}),
             "rule action")
        .add("no_track", &RuleEntry::no_track, boolean(), "do not go FAULT when the rule is removed");
    return s;
  }();
  return schema;
}

const ObjectSchema<LvsTimeouts>& lvs_timeouts_schema() {
  static const ObjectSchema<LvsTimeouts> schema = [] {
    ObjectSchema<LvsTimeouts> s{"lvs_timeouts", "IPVS connection timeouts (whole seconds).", {}, {}};
    const DurationRule rule{.min = seconds(1), .max = seconds(86400 * 365), .positive = true, .whole_seconds = true};
    Fields<LvsTimeouts>(s)
        .add("tcp", &LvsTimeouts::tcp, duration(rule), "established TCP")
        .add("tcp_fin", &LvsTimeouts::tcp_fin, duration(rule), "TCP after FIN")
        .add("udp", &LvsTimeouts::udp, duration(rule), "UDP");
    return s;
  }();
  return schema;
}

const ObjectSchema<GlobalConfig>& global_schema() {
  static const ObjectSchema<GlobalConfig> schema = [] {
    ObjectSchema<GlobalConfig> s{"global", "Daemon-wide settings.", {}, {}};
    using G = GlobalConfig;
    const DurationRule script_timeout{.min = seconds(1), .max = seconds(1000)};
    const DurationRule garp_delay{.max = seconds(1000)};
    Fields<G>(s)
        .add("router_id", &G::router_id, string(1, 255), "this node's name in alerts and logs (default: host name)")
        .add("script_user", &G::script_user, string(1, 64), "user running scripts (default root)")
        .add("script_group", &G::script_group, string(1, 64), "group running scripts")
        .add("script_security", &G::script_security, boolean(),
             "refuse scripts writable by a non-root user (keepalived's enable_script_security)")
        .add("script_shell", &G::script_shell, absolute_path(), "shell running commands given as strings")
        .add("startup_script", &G::startup_script, command(), "run once before anything else starts")
        .add("startup_script_timeout", &G::startup_script_timeout, duration(script_timeout), "")
        .add("shutdown_script", &G::shutdown_script, command(), "run once after everything stopped")
        .add("shutdown_script_timeout", &G::shutdown_script_timeout, duration(script_timeout), "")
        .add("notification_email", &G::notification_email, array_of(string(3, 254)), "alert recipients")
        .add("notification_email_from", &G::notification_email_from, string(3, 254), "sender of alerts")
        .add("smtp_server", &G::smtp_server, smtp_server_spec(), "\"host\", \"host:port\" or \"[IPv6]:port\"")
        .add("smtp_helo_name", &G::smtp_helo_name, string(1, 255), "EHLO/HELO name (default router_id)")
        .add("smtp_connect_timeout", &G::smtp_connect_timeout, duration({.max = seconds(3600), .positive = true}), "")
        .add("smtp_alert", &G::smtp_alert, boolean(), "default of every smtp_alert")
        .add("smtp_alert_vrrp", &G::smtp_alert_vrrp, boolean(), "default smtp_alert of VRRP instances and groups")
        .add("smtp_alert_checker", &G::smtp_alert_checker, boolean(), "default smtp_alert of virtual/real servers")
        .add("notify_fifo", &G::notify_fifo, string(), "FIFO for all notify lines (relative: runtime directory)")
        .add("vrrp_notify_fifo", &G::vrrp_notify_fifo, string(), "FIFO for VRRP notify lines")
        .add("lvs_notify_fifo", &G::lvs_notify_fifo, string(), "FIFO for IPVS notify lines")
        .add("lvs_notify_fifo_script", &G::lvs_notify_fifo_script, command(),
             "reader of lvs_notify_fifo, started by vigild with the FIFO's path appended")
        .add("notify_fifo_script", &G::notify_fifo_script, command(),
             "reader of notify_fifo, started by vigild with the FIFO's path appended")
        .add("vrrp_notify_fifo_script", &G::vrrp_notify_fifo_script, command(),
             "reader of vrrp_notify_fifo, started by vigild with the FIFO's path appended")
        .add("control_socket", &G::control_socket, string(), "unix control socket (relative: runtime directory)")
        .add("metrics_listen", &G::metrics_listen, listen_spec(), "Prometheus /metrics listener \"addr:port\"")
        .add("dynamic_interfaces", &G::dynamic_interfaces, boolean(), "allow interfaces that do not exist yet")
        .add("default_interface", &G::default_interface, string(1, 15), "interface of static addresses without dev")
        .add("static_keep_on_stop", &G::static_keep_on_stop, boolean(), "leave static_* in place on stop")
        .add("vrrp_version", &G::vrrp_version, integer<std::uint8_t>(2, 3), "default VRRP version of IPv4 instances")
        .add("vrrp_mcast_group4", &G::vrrp_mcast_group4, address(), "IPv4 VRRP multicast group")
        .add("vrrp_mcast_group6", &G::vrrp_mcast_group6, address(), "IPv6 VRRP multicast group")
        .add("vrrp_garp_master_delay", &G::vrrp_garp_master_delay, duration(garp_delay),
             "default delay of the second GARP burst")
        .add("vrrp_garp_master_repeat", &G::vrrp_garp_master_repeat, integer<std::uint32_t>(1, 255),
             "default GARPs per burst")
        .add("vrrp_garp_master_refresh", &G::vrrp_garp_master_refresh, duration(), "default GARP refresh (0 = off)")
        .add("vrrp_garp_master_refresh_repeat", &G::vrrp_garp_master_refresh_repeat, integer<std::uint32_t>(1, 255),
             "default GARPs per refresh")
        .add("vrrp_garp_lower_prio_delay", &G::vrrp_garp_lower_prio_delay, duration(garp_delay),
             "default delay after a lower-priority advert (default: master delay)")
        .add("vrrp_garp_lower_prio_repeat", &G::vrrp_garp_lower_prio_repeat, integer<std::uint32_t>(0, 255),
             "default GARPs after a lower-priority advert (default: master repeat)")
        .add("vrrp_garp_interval", &G::vrrp_garp_interval, duration({.max = seconds(1)}),
             "pause between gratuitous ARPs")
        .add("vrrp_gna_interval", &G::vrrp_gna_interval, duration({.max = seconds(1)}), "pause between unsolicited NAs")
        .add("vrrp_lower_prio_no_advert", &G::vrrp_lower_prio_no_advert, boolean(), "")
        .add("vrrp_higher_prio_send_advert", &G::vrrp_higher_prio_send_advert, boolean(), "")
        .add("vrrp_check_unicast_src", &G::vrrp_check_unicast_src, boolean(), "")
        .add("vrrp_skip_check_adv_addr", &G::vrrp_skip_check_adv_addr, boolean(), "")
        .add("v3_checksum_as_v2", &G::v3_checksum_as_v2, boolean(), "")
        .add("vrrp_fast_path", &G::vrrp_fast_path, boolean(), "VRRP on its own thread and io_uring")
        .add("vrrp_rt_priority", &G::vrrp_rt_priority, integer<std::uint32_t>(0, 99),
             "SCHED_RR priority of the VRRP fast path (0 = normal scheduling)")
        .add("vrrp_no_swap", &G::vrrp_no_swap, boolean(), "mlockall the daemon")
        .add("vrrp_cpu_affinity", &G::vrrp_cpu_affinity, array_of(integer<std::uint32_t>(0, 4095)),
             "CPUs of the VRRP fast path")
        .add("lvs_timeouts", &G::lvs_timeouts, object(lvs_timeouts_schema()), "IPVS connection timeouts")
        .add("lvs_flush", &G::lvs_flush, boolean(), "remove every IPVS service at start")
        .add("lvs_keep_on_stop", &G::lvs_keep_on_stop, boolean(), "leave Vigil's IPVS services in place on stop");
    return s;
  }();
  return schema;
}

const ObjectSchema<VrrpScript>& vrrp_script_schema() {
  static const ObjectSchema<VrrpScript> schema = [] {
    ObjectSchema<VrrpScript> s{"vrrp_script", "A track script.", {}, {}};
    using V = VrrpScript;
    Fields<V>(s)
        .required("script", &V::script, command(), "the check; exit status 0 = OK")
        .add("interval", &V::interval, duration({.max = seconds(86400), .positive = true}), "time between starts")
        .add("timeout", &V::timeout, duration({.max = seconds(86400), .positive = true}),
             "a longer run is killed and fails (default: interval)")
        .add("weight", &V::weight, integer<std::int32_t>(-253, 253), "priority change; 0 = FAULT on failure")
        .add("reverse", &V::reverse, boolean(), "flip the direction of weight")
        .add("rise", &V::rise, integer<std::uint32_t>(1, 1000000), "successes to become OK")
        .add("fall", &V::fall, integer<std::uint32_t>(1, 1000000), "failures to become failed")
        .add("user", &V::user, string(1, 64), "user running the script")
        .add("group", &V::group, string(1, 64), "group running the script")
        .add("init_fail", &V::init_fail, boolean(), "start as failed");
    return s;
  }();
  return schema;
}

const ObjectSchema<TrackFile>& track_file_schema() {
  static const ObjectSchema<TrackFile> schema = [] {
    ObjectSchema<TrackFile> s{"track_file", "A tracked file holding an integer.", {}, {}};
    using T = TrackFile;
    Fields<T>(s)
        .required("file", &T::file, string(), "path of the file")
        .add("weight", &T::weight, integer<std::int32_t>(-kI32Max, kI32Max), "multiplier of the file's value")
        .add("reverse", &T::reverse, boolean(), "")
        .add("init_file", &T::init_file, boolean(), "create the file at start if missing")
        .add("init_value", &T::init_value, integer<std::int32_t>(-kI32Max, kI32Max), "value written by init_file")
        .add("init_overwrite", &T::init_overwrite, boolean(), "with init_file: overwrite an existing file");
    return s;
  }();
  return schema;
}

const ObjectSchema<TrackProcess>& track_process_schema() {
  static const ObjectSchema<TrackProcess> schema = [] {
    ObjectSchema<TrackProcess> s{"track_process", "A tracked process.", {}, {}};
    using T = TrackProcess;
    Fields<T>(s)
        .required("process", &T::process, string(), "process name, or full path with full_command")
        .add("parameters", &T::parameters, array_of(string(0)), "command-line parameters to match")
        .add("param_match", &T::param_match,
             enumeration<ParamMatch>(
                 {{"exact", ParamMatch::kExact}, {"initial", ParamMatch::kInitial}, {"partial", ParamMatch::kPartial}}),
             "how parameters match")
        .add("full_command", &T::full_command, boolean(), "match /proc/PID/cmdline")
        .add("quorum", &T::quorum, integer<std::uint32_t>(1, 65535), "minimum matching processes")
        .add("quorum_max", &T::quorum_max, integer<std::uint32_t>(1, 65535), "maximum matching processes")
        .add("weight", &T::weight, integer<std::int32_t>(-254, 254), "priority change; 0 = FAULT")
        .add("reverse", &T::reverse, boolean(), "")
        .add("fork_delay", &T::fork_delay, duration({.max = seconds(3600)}), "debounce after quorum gained")
        .add("terminate_delay", &T::terminate_delay, duration({.max = seconds(3600)}), "debounce after quorum lost");
    return s;
  }();
  return schema;
}

const ObjectSchema<Authentication>& authentication_schema() {
  static const ObjectSchema<Authentication> schema = [] {
    ObjectSchema<Authentication> s{"authentication", "VRRPv2 simple password authentication.", {}, {}};
    Fields<Authentication>(s)
        .required("auth_type", &Authentication::auth_type, enumeration<AuthType>({{"PASS", AuthType::kPass}}),
                  "only PASS (AH is not supported)")
        .required("auth_pass", &Authentication::auth_pass, string(1, 8), "password, 1..8 characters");
    return s;
  }();
  return schema;
}

const ObjectSchema<UnicastPeer>& unicast_peer_schema() {
  static const ObjectSchema<UnicastPeer> schema = [] {
    ObjectSchema<UnicastPeer> s{
        "unicast_peer", "A unicast peer: an address, or { address, min_ttl, max_ttl }.", {}, {}};
    Fields<UnicastPeer>(s)
        .required("address", &UnicastPeer::address, address(), "peer address")
        .add("min_ttl", &UnicastPeer::min_ttl, integer<std::uint8_t>(0, 255), "minimum TTL/hop limit accepted")
        .add("max_ttl", &UnicastPeer::max_ttl, integer<std::uint8_t>(0, 255), "maximum TTL/hop limit accepted");
    Spec<UnicastPeer> shorthand;
    shorthand.bind = [](const Node& node, const std::string& path, BindContext& context, UnicastPeer& out) {
      return address().bind(node, path, context, out.address);
    };
    shorthand.schema = [](SchemaWriter& writer) { return address().schema(writer); };
    s.shorthand = shorthand;
    return s;
  }();
  return schema;
}

const ObjectSchema<VrrpInstance>& vrrp_instance_schema() {
  static const ObjectSchema<VrrpInstance> schema = [] {
    ObjectSchema<VrrpInstance> s{"vrrp_instance", "A VRRP instance (virtual router).", {}, {}};
    using I = VrrpInstance;
    const DurationRule garp_delay{.max = seconds(1000)};
    Fields<I>(s)
        .add("state", &I::state,
             enumeration<InitialState>({{"MASTER", InitialState::kMaster}, {"BACKUP", InitialState::kBackup}}),
             "initial state")
        .add("interface", &I::interface, string(1, 15), "interface of the adverts")
        .required("virtual_router_id", &I::virtual_router_id, integer<std::uint8_t>(1, 255), "VRID")
        .add("priority", &I::priority, integer<std::uint8_t>(1, 255),
             "1..255 (255 = address owner); default 100, or 255 with state MASTER")
        .add("advert_int", &I::advert_int, duration({.max = seconds(255), .positive = true}),
             "advert interval: v2 whole seconds 1..255, v3 10 ms steps up to 40.95 s")
        .add("version", &I::version, integer<std::uint8_t>(2, 3),
             "VRRP version (default global.vrrp_version; 3 for IPv6)")
        .add("authentication", &I::authentication, object(authentication_schema()), "VRRPv2/IPv4 only")
        .add("virtual_ipaddress", &I::virtual_ipaddress, array_of(object(address_schema())), "VIPs")
        .add("virtual_ipaddress_excluded", &I::virtual_ipaddress_excluded, array_of(object(address_schema())),
             "VIPs not carried in adverts")
        .add("virtual_routes", &I::virtual_routes, array_of(object(route_schema())), "routes while MASTER")
        .add("virtual_rules", &I::virtual_rules, array_of(object(rule_schema())), "rules while MASTER")
        .add("unicast_src_ip", &I::unicast_src_ip, address(), "source of unicast adverts")
        .add("unicast_peer", &I::unicast_peer, array_of(object(unicast_peer_schema())), "peers (unicast mode)")
        .add("mcast_src_ip", &I::mcast_src_ip, address(), "source of multicast adverts")
        .add("check_unicast_src", &I::check_unicast_src, boolean(), "drop unicast adverts not from a peer")
        .add("preempt", &I::preempt, boolean(), "false = keepalived's nopreempt")
        .add("preempt_delay", &I::preempt_delay, duration({.max = seconds(1000)}), "delay before preempting")
        .add("use_vmac", &I::use_vmac, boolean(), "use a macvlan with the virtual MAC")
        .add("vmac_name", &I::vmac_name, string(1, 15), "macvlan name (default vrrp.VRID)")
        .add("vmac_xmit_base", &I::vmac_xmit_base, boolean(), "adverts on the parent interface")
        .add("garp_master_delay", &I::garp_master_delay, duration(garp_delay), "delay of the second GARP burst")
        .add("garp_master_repeat", &I::garp_master_repeat, integer<std::uint32_t>(1, 255), "GARPs per burst")
        .add("garp_master_refresh", &I::garp_master_refresh, duration(), "GARP refresh while MASTER (0 = off)")
        .add("garp_master_refresh_repeat", &I::garp_master_refresh_repeat, integer<std::uint32_t>(1, 255),
             "GARPs per refresh")
        .add("garp_lower_prio_delay", &I::garp_lower_prio_delay, duration(garp_delay),
             "second burst delay after a lower-priority advert")
        .add("garp_lower_prio_repeat", &I::garp_lower_prio_repeat, integer<std::uint32_t>(0, 255),
             "GARPs after a lower-priority advert")
        .add("track_script", &I::track_script, array_of(object(track_ref_schema())), "vrrp_script names")
        .add("track_interface", &I::track_interface, array_of(object(track_ref_schema())), "interface names")
        .add("track_file", &I::track_file, array_of(object(track_ref_schema())), "track_file names")
        .add("track_process", &I::track_process, array_of(object(track_ref_schema())), "track_process names")
        .add("dont_track_primary", &I::dont_track_primary, boolean(), "ignore faults of the instance's interface")
        .add("notify_master", &I::notify_master, command(), "run on entering MASTER")
        .add("notify_backup", &I::notify_backup, command(), "run on entering BACKUP")
        .add("notify_fault", &I::notify_fault, command(), "run on entering FAULT")
        .add("notify_stop", &I::notify_stop, command(), "run when the instance stops")
        .add("notify_master_rx_lower_pri", &I::notify_master_rx_lower_pri, command(),
             "run when the MASTER receives a lower-priority advert")
        .add("notify", &I::notify, command(), "run on every transition, + INSTANCE NAME STATE PRIORITY")
        .add("smtp_alert", &I::smtp_alert, boolean(), "mail on transitions (default global.smtp_alert_vrrp)")
        .add("accept", &I::accept, boolean(), "accept packets to the VIPs when not owner")
        .add("lower_prio_no_advert", &I::lower_prio_no_advert, boolean(),
             "a MASTER does not answer a lower-priority advert")
        .add("higher_prio_send_advert", &I::higher_prio_send_advert, boolean(),
             "a MASTER sends one advert before yielding")
        .add("skip_check_adv_addr", &I::skip_check_adv_addr, boolean(), "skip the address list check")
        .add("v3_checksum_as_v2", &I::v3_checksum_as_v2, boolean(), "VRRPv3/IPv4 checksum without pseudo-header")
        .add("down_timer_adverts", &I::down_timer_adverts, integer<std::uint32_t>(1, 100),
             "adverts missed before master-down");
    return s;
  }();
  return schema;
}

const ObjectSchema<VrrpSyncGroup>& sync_group_schema() {
  static const ObjectSchema<VrrpSyncGroup> schema = [] {
    ObjectSchema<VrrpSyncGroup> s{"vrrp_sync_group", "VRRP instances that change state together.", {}, {}};
    using G = VrrpSyncGroup;
    Fields<G>(s)
        .required("group", &G::group, array_of(name_string(), 1), "member vrrp_instance names")
        .add("track_script", &G::track_script, array_of(object(track_ref_schema())), "")
        .add("track_interface", &G::track_interface, array_of(object(track_ref_schema())), "")
        .add("track_file", &G::track_file, array_of(object(track_ref_schema())), "")
        .add("track_process", &G::track_process, array_of(object(track_ref_schema())), "")
        .add("notify_master", &G::notify_master, command(), "")
        .add("notify_backup", &G::notify_backup, command(), "")
        .add("notify_fault", &G::notify_fault, command(), "")
        .add("notify_stop", &G::notify_stop, command(), "")
        .add("notify", &G::notify, command(), "run on every transition, + GROUP NAME STATE 0")
        .add("smtp_alert", &G::smtp_alert, boolean(), "")
        .add("sync_group_tracking_weight", &G::sync_group_tracking_weight, boolean(),
             "allow weighted trackers on members");
    return s;
  }();
  return schema;
}

const ObjectSchema<SslConfig>& ssl_schema() {
  static const ObjectSchema<SslConfig> schema = [] {
    ObjectSchema<SslConfig> s{"ssl", "Client TLS settings of ssl_get checkers.", {}, {}};
    Fields<SslConfig>(s)
        .add("ca", &SslConfig::ca, string(), "CA file")
        .add("certificate", &SslConfig::certificate, string(), "client certificate file")
        .add("key", &SslConfig::key, string(), "client key file")
        .add("password", &SslConfig::password, string(), "key password");
    return s;
  }();
  return schema;
}

const ObjectSchema<VsGroupMember>& vsg_member_schema() {
  static const ObjectSchema<VsGroupMember> schema = [] {
    ObjectSchema<VsGroupMember> s{"virtual_server_group_member", "{ ip, port } or { fwmark, family }.", {}, {}};
    Fields<VsGroupMember>(s)
        .add("ip", &VsGroupMember::ip,
             from_string<AddressRange>("an address, range or prefix", "", parse_range,
                                       "address range (expected \"192.0.2.10\", \"192.0.2.10-20\", "
                                       "\"192.0.2.10-192.0.2.20\" or \"192.0.2.64/28\")"),
             "address, range a.b.c.d-e or prefix")
        .add("port", &VsGroupMember::port, integer<std::uint16_t>(0, 65535), "port (0 = the service's)")
        .add("fwmark", &VsGroupMember::fwmark, integer<std::uint32_t>(1, kU32Max), "firewall mark")
        .add("family", &VsGroupMember::family, family(), "family of a fwmark member");
    return s;
  }();
  return schema;
}

const ObjectSchema<VirtualServerGroup>& vsg_schema() {
  static const ObjectSchema<VirtualServerGroup> schema = [] {
    ObjectSchema<VirtualServerGroup> s{"virtual_server_group", "A named set of addresses and fwmarks.", {}, {}};
    Fields<VirtualServerGroup>(s).required("members", &VirtualServerGroup::members,
                                           array_of(object(vsg_member_schema()), 1), "members");
    return s;
  }();
  return schema;
}

const std::vector<std::pair<std::string, LvsMethod>> kMethods = {
    {"NAT", LvsMethod::kNat}, {"DR", LvsMethod::kDr}, {"TUN", LvsMethod::kTun}};

template <class C>
void add_common(Fields<C>& fields) {
  const DurationRule positive{.max = seconds(86400), .positive = true};
  fields
      .add_via(
          "connect_ip", [](C & c) -> auto& { return c.common.connect_ip; }, address(), "default: real server")
      .add_via(
          "connect_port", [](C & c) -> auto& { return c.common.connect_port; }, integer<std::uint16_t>(1, 65535),
          "default: real server's port")
      .add_via(
          "bindto", [](C & c) -> auto& { return c.common.bindto; }, address(), "source address")
      .add_via(
          "bind_port", [](C & c) -> auto& { return c.common.bind_port; }, integer<std::uint16_t>(1, 65535),
          "source port")
      .add_via(
          "bind_if", [](C & c) -> auto& { return c.common.bind_if; }, string(1, 15), "source interface")
      .add_via(
          "connect_timeout", [](C & c) -> auto& { return c.common.connect_timeout; }, duration(positive), "")
      .add_via(
          "fwmark", [](C & c) -> auto& { return c.common.fwmark; }, integer<std::uint32_t>(0, kU32Max),
          "mark of check packets")
      .add_via(
          "retry", [](C & c) -> auto& { return c.common.retry; }, integer<std::uint32_t>(0, 1000000),
          "retries before DOWN")
      .add_via(
          "delay_before_retry", [](C & c) -> auto& { return c.common.delay_before_retry; },
          duration({.max = seconds(86400)}), "")
      .add_via(
          "warmup", [](C & c) -> auto& { return c.common.warmup; }, duration({.max = seconds(86400)}),
          "random delay before the first check")
      .add_via(
          "delay_loop", [](C & c) -> auto& { return c.common.delay_loop; }, duration(positive), "check interval")
      .add_via(
          "alpha", [](C & c) -> auto& { return c.common.alpha; }, boolean(), "start DOWN")
      .add_via(
          "log_all_failures", [](C & c) -> auto& { return c.common.log_all_failures; }, boolean(), "");
}

const ObjectSchema<HttpUrl>& url_schema() {
  static const ObjectSchema<HttpUrl> schema = [] {
    ObjectSchema<HttpUrl> s{"http_url", "A URL an HTTP check fetches.", {}, {}};
    Fields<HttpUrl>(s)
        .required("path", &HttpUrl::path, string(), "URL path, e.g. \"/health\"")
        .add("digest", &HttpUrl::digest,
             from_string<std::string>(
                 "an MD5 hex digest", "^[0-9a-fA-F]{32}$",
                 [](const std::string& text) -> std::optional<std::string> {
                   if (text.size() != 32 || !parse_hex(text)) return std::nullopt;
                   std::string lower = text;
                   for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
                   return lower;
                 },
                 "MD5 digest (expected 32 hex digits)"),
             "MD5 of the body")
        .add("status_code", &HttpUrl::status_code, array_of(status_range_spec(), 1),
             "accepted status codes or ranges (default 200-299)");
    return s;
  }();
  return schema;
}

const ObjectSchema<TcpCheck>& tcp_check_schema() {
  static const ObjectSchema<TcpCheck> schema = [] {
    ObjectSchema<TcpCheck> s{"tcp_check", "TCP connect check.", {}, {}};
    Fields<TcpCheck> fields(s);
    add_common(fields);
    return s;
  }();
  return schema;
}

ObjectSchema<HttpCheck> make_http_schema(bool ssl) {
  ObjectSchema<HttpCheck> s{ssl ? "ssl_get" : "http_get", ssl ? "HTTPS GET check." : "HTTP GET check.", {}, {}};
  Fields<HttpCheck> fields(s);
  add_common(fields);
  fields.required("url", &HttpCheck::url, array_of(object(url_schema()), 1), "URLs to fetch")
      .add("virtualhost", &HttpCheck::virtualhost, string(), "Host: header")
      .add("http_protocol", &HttpCheck::http_protocol,
           enumeration<HttpProtocol>(
               {{"1.0", HttpProtocol::k10}, {"1.0C", HttpProtocol::k10C}, {"1.1", HttpProtocol::k11}}),
           "HTTP version")
      .add("fast_recovery", &HttpCheck::fast_recovery, boolean(),
           "keepalived compatibility; no effect: every probe checks all URLs");
  if (ssl) {
    fields.add("enable_sni", &HttpCheck::enable_sni, boolean(), "send SNI")
        .add("sni_name", &HttpCheck::sni_name, string(), "SNI name (default virtualhost)")
        .add("verify_certificate", &HttpCheck::verify_certificate, boolean(), "verify the server certificate")
        .add("tls_compliant", &HttpCheck::tls_compliant, boolean(), "send close_notify");
  }
  return s;
}

const ObjectSchema<HttpCheck>& http_get_schema() {
  static const ObjectSchema<HttpCheck> schema = make_http_schema(false);
  return schema;
}

const ObjectSchema<HttpCheck>& ssl_get_schema() {
  static const ObjectSchema<HttpCheck> schema = make_http_schema(true);
  return schema;
}

const ObjectSchema<MiscCheck>& misc_check_schema() {
  static const ObjectSchema<MiscCheck> schema = [] {
    ObjectSchema<MiscCheck> s{"misc_check", "External program check.", {}, {}};
    Fields<MiscCheck> fields(s);
    add_common(fields);
    fields.required("misc_path", &MiscCheck::misc_path, command(), "the check command")
        .add("misc_timeout", &MiscCheck::misc_timeout, duration({.max = seconds(86400), .positive = true}),
             "default delay_loop")
        .add("misc_dynamic", &MiscCheck::misc_dynamic, boolean(), "exit status 2..255 sets weight status-2")
        .add("user", &MiscCheck::user, string(1, 64), "")
        .add("group", &MiscCheck::group, string(1, 64), "");
    return s;
  }();
  return schema;
}

const ObjectSchema<SmtpCheck>& smtp_check_schema() {
  static const ObjectSchema<SmtpCheck> schema = [] {
    ObjectSchema<SmtpCheck> s{"smtp_check", "SMTP HELO check.", {}, {}};
    Fields<SmtpCheck> fields(s);
    add_common(fields);
    fields.add("helo_name", &SmtpCheck::helo_name, string(), "HELO name (default router_id)");
    return s;
  }();
  return schema;
}

const ObjectSchema<DnsCheck>& dns_check_schema() {
  static const ObjectSchema<DnsCheck> schema = [] {
    ObjectSchema<DnsCheck> s{"dns_check", "DNS query check.", {}, {}};
    Fields<DnsCheck> fields(s);
    add_common(fields);
    fields
        .add("type", &DnsCheck::type,
             enumeration<DnsType>({{"A", DnsType::kA},
                                   {"NS", DnsType::kNs},
                                   {"CNAME", DnsType::kCname},
                                   {"SOA", DnsType::kSoa},
                                   {"MX", DnsType::kMx},
                                   {"TXT", DnsType::kTxt},
                                   {"AAAA", DnsType::kAaaa}}),
             "query type")
        .add("name", &DnsCheck::name, string(1, 253), "query name");
    return s;
  }();
  return schema;
}

const ObjectSchema<UdpCheck>& udp_check_schema() {
  static const ObjectSchema<UdpCheck> schema = [] {
    ObjectSchema<UdpCheck> s{"udp_check", "UDP probe.", {}, {}};
    Fields<UdpCheck> fields(s);
    add_common(fields);
    fields
        .add("payload", &UdpCheck::payload,
             from_string<std::vector<std::uint8_t>>("a hex string", "^([0-9a-fA-F]{2})*$", parse_hex,
                                                    "hex payload (expected pairs of hex digits)"),
             "payload in hex")
        .add("require_reply", &UdpCheck::require_reply,
             from_string<std::string>(
                 "a hex string", "^([0-9a-fA-FxX]{2})*$",
                 [](const std::string& text) -> std::optional<std::string> {
                   std::string normal = text;
                   for (char& c : normal) {
                     if (c == 'x' || c == 'X') c = '0';
                   }
                   if (text.empty() || !parse_hex(normal)) return std::nullopt;
                   return text;
                 },
                 "reply pattern (expected hex digits, X for any nibble)"),
             "expected reply in hex, X = any nibble")
        .add("min_reply_length", &UdpCheck::min_reply_length, integer<std::uint32_t>(0, 65535), "")
        .add("max_reply_length", &UdpCheck::max_reply_length, integer<std::uint32_t>(0, 65535), "");
    return s;
  }();
  return schema;
}

const ObjectSchema<PingCheck>& ping_check_schema() {
  static const ObjectSchema<PingCheck> schema = [] {
    ObjectSchema<PingCheck> s{"ping_check", "ICMP echo check.", {}, {}};
    Fields<PingCheck> fields(s);
    add_common(fields);
    return s;
  }();
  return schema;
}

const ObjectSchema<FileCheck>& file_check_schema() {
  static const ObjectSchema<FileCheck> schema = [] {
    ObjectSchema<FileCheck> s{"file_check", "Real server state and weight from a track_file.", {}, {}};
    Fields<FileCheck> fields(s);
    add_common(fields);
    fields.required("track_file", &FileCheck::track_file, name_string(), "name of a track_file")
        .add("weight", &FileCheck::weight, integer<std::int32_t>(-kI32Max, kI32Max), "multiplier")
        .add("reverse", &FileCheck::reverse, boolean(), "");
    return s;
  }();
  return schema;
}

template <class R>
void add_server_defaults(Fields<R>& fields) {
  fields.add("retry", &R::retry, integer<std::uint32_t>(0, 1000000), "default retries of its checkers")
      .add("delay_before_retry", &R::delay_before_retry, duration({.max = seconds(86400)}), "")
      .add("warmup", &R::warmup, duration({.max = seconds(86400)}), "");
}

const ObjectSchema<RealServer>& real_server_schema() {
  static const ObjectSchema<RealServer> schema = [] {
    ObjectSchema<RealServer> s{"real_server", "A real server (IPVS destination) and its checkers.", {}, {}};
    using R = RealServer;
    const DurationRule positive{.max = seconds(86400), .positive = true};
    Fields<R> fields(s);
    fields.required("ip", &R::ip, address(), "address")
        .add("port", &R::port, integer<std::uint16_t>(0, 65535), "port (default: the service's)")
        .add("weight", &R::weight, integer<std::uint32_t>(0, kI32Max), "IPVS weight")
        .add("lvs_method", &R::lvs_method, enumeration(kMethods), "forwarding method (default: the service's)")
        .add("uthreshold", &R::uthreshold, integer<std::uint32_t>(0, kU32Max), "upper connection threshold")
        .add("lthreshold", &R::lthreshold, integer<std::uint32_t>(0, kU32Max), "lower connection threshold")
        .add("inhibit_on_failure", &R::inhibit_on_failure, boolean(), "")
        .add("alpha", &R::alpha, boolean(), "");
    add_server_defaults(fields);
    fields.add("connect_timeout", &R::connect_timeout, duration(positive), "")
        .add("delay_loop", &R::delay_loop, duration(positive), "")
        .add("virtualhost", &R::virtualhost, string(), "Host: of HTTP checks")
        .add("notify_up", &R::notify_up, command(), "run when the server goes up")
        .add("notify_down", &R::notify_down, command(), "run when the server goes down")
        .add("smtp_alert", &R::smtp_alert, boolean(), "")
        .add("tcp_check", &R::tcp_check, array_of(object(tcp_check_schema())), "")
        .add("http_get", &R::http_get, array_of(object(http_get_schema())), "")
        .add("ssl_get", &R::ssl_get, array_of(object(ssl_get_schema())), "")
        .add("misc_check", &R::misc_check, array_of(object(misc_check_schema())), "")
        .add("smtp_check", &R::smtp_check, array_of(object(smtp_check_schema())), "")
        .add("dns_check", &R::dns_check, array_of(object(dns_check_schema())), "")
        .add("udp_check", &R::udp_check, array_of(object(udp_check_schema())), "")
        .add("ping_check", &R::ping_check, array_of(object(ping_check_schema())), "")
        .add("file_check", &R::file_check, array_of(object(file_check_schema())), "");
    return s;
  }();
  return schema;
}

const ObjectSchema<SorryServer>& sorry_server_schema() {
  static const ObjectSchema<SorryServer> schema = [] {
    ObjectSchema<SorryServer> s{"sorry_server", "The real server used while quorum is lost.", {}, {}};
    Fields<SorryServer>(s)
        .required("ip", &SorryServer::ip, address(), "")
        .add("port", &SorryServer::port, integer<std::uint16_t>(0, 65535), "")
        .add("lvs_method", &SorryServer::lvs_method, enumeration(kMethods), "")
        .add("inhibit", &SorryServer::inhibit, boolean(), "inhibit_on_failure for the sorry server");
    return s;
  }();
  return schema;
}

const ObjectSchema<VirtualServer>& virtual_server_schema() {
  static const ObjectSchema<VirtualServer> schema = [] {
    ObjectSchema<VirtualServer> s{"virtual_server", "An IPVS service: ip+port, fwmark or group.", {}, {}};
    using V = VirtualServer;
    const DurationRule positive{.max = seconds(86400), .positive = true};
    Fields<V> fields(s);
    fields.add("ip", &V::ip, address(), "service address")
        .add("port", &V::port, integer<std::uint16_t>(0, 65535), "service port")
        .add("protocol", &V::protocol,
             enumeration<LvsProtocol>(
                 {{"TCP", LvsProtocol::kTcp}, {"UDP", LvsProtocol::kUdp}, {"SCTP", LvsProtocol::kSctp}}),
             "")
        .add("fwmark", &V::fwmark, integer<std::uint32_t>(1, kU32Max), "firewall-mark service")
        .add("ip_family", &V::ip_family, family(), "family of a fwmark service")
        .add("group", &V::group, name_string(), "virtual_server_group name")
        .add("lvs_sched", &V::lvs_sched,
             enumeration<LvsScheduler>({{"rr", LvsScheduler::kRr},
                                        {"wrr", LvsScheduler::kWrr},
                                        {"lc", LvsScheduler::kLc},
                                        {"wlc", LvsScheduler::kWlc},
                                        {"lblc", LvsScheduler::kLblc},
                                        {"lblcr", LvsScheduler::kLblcr},
                                        {"dh", LvsScheduler::kDh},
                                        {"sh", LvsScheduler::kSh},
                                        {"sed", LvsScheduler::kSed},
                                        {"nq", LvsScheduler::kNq},
                                        {"mh", LvsScheduler::kMh},
                                        {"fo", LvsScheduler::kFo},
                                        {"ovf", LvsScheduler::kOvf},
                                        {"twos", LvsScheduler::kTwos}}),
             "scheduler")
        .add("sh_port", &V::sh_port, boolean(), "")
        .add("sh_fallback", &V::sh_fallback, boolean(), "")
        .add("mh_port", &V::mh_port, boolean(), "")
        .add("mh_fallback", &V::mh_fallback, boolean(), "")
        .add("ops", &V::ops, boolean(), "one-packet scheduling")
        .add("lvs_method", &V::lvs_method, enumeration(kMethods), "forwarding method")
        .add("tunnel_type", &V::tunnel_type,
             enumeration<TunnelType>(
                 {{"ipip", TunnelType::kIpip}, {"gue", TunnelType::kGue}, {"gre", TunnelType::kGre}}),
             "")
        .add("tunnel_port", &V::tunnel_port, integer<std::uint16_t>(1, 65535), "")
        .add("tunnel_checksum", &V::tunnel_checksum,
             enumeration<TunnelChecksum>({{"nocsum", TunnelChecksum::kNoCsum},
                                          {"csum", TunnelChecksum::kCsum},
                                          {"remcsum", TunnelChecksum::kRemCsum}}),
             "")
        .add("persistence_timeout", &V::persistence_timeout,
             duration({.max = seconds(86400 * 365), .positive = true, .whole_seconds = true}), "")
        .add("persistence_granularity", &V::persistence_granularity, integer<std::uint8_t>(0, 128),
             "prefix length of the persistence mask")
        .add("persistence_engine", &V::persistence_engine, string(), "")
        .add("delay_loop", &V::delay_loop, duration(positive), "check interval")
        .add("connect_timeout", &V::connect_timeout, duration(positive), "");
    add_server_defaults(fields);
    fields.add("inhibit_on_failure", &V::inhibit_on_failure, boolean(), "weight 0 instead of removal")
        .add("alpha", &V::alpha, boolean(), "")
        .add("omega", &V::omega, boolean(), "")
        .add("quorum", &V::quorum, integer<std::uint32_t>(1, kI32Max), "")
        .add("hysteresis", &V::hysteresis, integer<std::uint32_t>(0, kI32Max), "")
        .add("quorum_up", &V::quorum_up, command(), "")
        .add("quorum_down", &V::quorum_down, command(), "")
        .add("ha_suspend", &V::ha_suspend, boolean(), "")
        .add("virtualhost", &V::virtualhost, string(), "")
        .add("smtp_alert", &V::smtp_alert, boolean(), "")
        .add("sorry_server", &V::sorry_server, object(sorry_server_schema()), "")
        .add("real_server", &V::real_server, array_of(object(real_server_schema())), "");
    return s;
  }();
  return schema;
}

}  // namespace

const ObjectSchema<Config>& config_schema() {
  static const ObjectSchema<Config> schema = [] {
    ObjectSchema<Config> s{"vigil", "A Vigil configuration (docs/config.md).", {}, {}};
    Fields<Config>(s)
        .add("global", &Config::global, object(global_schema()), "daemon-wide settings")
        .add("vrrp_script", &Config::vrrp_script, named_map(vrrp_script_schema()), "track scripts by name")
        .add("track_file", &Config::track_file, named_map(track_file_schema()), "tracked files by name")
        .add("track_process", &Config::track_process, named_map(track_process_schema()), "tracked processes by name")
        .add("vrrp_instance", &Config::vrrp_instance, named_map(vrrp_instance_schema()), "VRRP instances by name")
        .add("vrrp_sync_group", &Config::vrrp_sync_group, named_map(sync_group_schema()), "sync groups by name")
        .add("static_ipaddress", &Config::static_ipaddress, array_of(object(address_schema())), "")
        .add("static_routes", &Config::static_routes, array_of(object(route_schema())), "")
        .add("static_rules", &Config::static_rules, array_of(object(rule_schema())), "")
        .add("ssl", &Config::ssl, object(ssl_schema()), "")
        .add("virtual_server_group", &Config::virtual_server_group, named_map(vsg_schema()), "")
        .add("virtual_server", &Config::virtual_server, array_of(object(virtual_server_schema())), "IPVS services");
    return s;
  }();
  return schema;
}

}  // namespace vigil::config::schema
