// SSL, virtual_server_group, virtual_server, real_server and the health checkers.
#include <fmt/format.h>

#include <bit>
#include <cctype>

#include "base/ip_address.hpp"
#include "kconf2toml/map_sections.hpp"

namespace vigil::kconf {
namespace {

constexpr double kMaxSeconds = 1e9;

void set_duration(MapContext& ctx, const Node& n, Value& table, const std::string& key, double min) {
  if (auto s = ctx.seconds(n, 0, min, kMaxSeconds, table)) table.set(key, duration_value(*s));
}

void set_int(MapContext& ctx, const Node& n, Value& table, const std::string& key, std::int64_t min, std::int64_t max) {
  if (auto v = ctx.integer(n, 0, min, max, table)) table.set(key, Value::integer(*v));
}

void set_flag(MapContext& ctx, const Node& n, Value& table, const std::string& key) {
  if (auto v = ctx.flag(n, table)) table.set(key, Value::boolean(*v));
}

void set_string(MapContext& ctx, const Node& n, Value& table, const std::string& key) {
  if (ctx.need_args(n, 1, table)) table.set(key, Value::string(n.args[0]));
}

void set_command(MapContext& ctx, const Node& n, Value& table, const std::string& key) {
  if (auto c = ctx.command(n, table)) table.set(key, std::move(*c));
}

std::string upper(std::string text) {
  for (auto& c : text) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return text;
}

// `NAT|DR|TUN [type ipip|gue port N|gre] [nocsum|csum|remcsum]` into `table`; false when not expressible.
bool map_method(MapContext& ctx, const Node& n, Value& table, const std::string& key) {
  if (!ctx.need_args(n, 1, table)) return false;
  const std::string method = upper(n.args[0]);
  if (method != "NAT" && method != "DR" && method != "TUN") {
    ctx.invalid(n, table, fmt::format("forwarding method '{}' is not NAT, DR or TUN", n.args[0]));
    return false;
  }
  table.set(key, Value::string(method));
  for (std::size_t i = 1; i < n.args.size(); ++i) {
    const std::string& w = n.args[i];
    if (w == "type" && i + 1 < n.args.size()) {
      table.set("tunnel_type", Value::string(n.args[++i]));
    } else if (w == "port" && i + 1 < n.args.size()) {
      table.set("tunnel_port", Value::integer(std::strtoll(n.args[++i].c_str(), nullptr, 10)));
    } else if (w == "nocsum" || w == "csum" || w == "remcsum") {
      table.set("tunnel_checksum", Value::string(w));
    } else {
      ctx.invalid(n, table, fmt::format("unexpected '{}' after the forwarding method", w));
    }
  }
  return true;
}

// Keys every checker accepts; true when `n` was one of them.
bool map_checker_common(MapContext& ctx, const Node& n, Value& check) {
  const auto& kw = n.keyword;
  if (kw == "connect_ip" || kw == "bindto") {
    if (ctx.need_args(n, 1, check)) {
      if (IpAddress::parse(n.args[0])) {
        check.set(kw, Value::string(n.args[0]));
      } else {
        ctx.invalid(n, check, fmt::format("'{}' is not an IP address", n.args[0]));
      }
    }
  } else if (kw == "connect_port" || kw == "bind_port") {
    set_int(ctx, n, check, kw, 0, 65535);
  } else if (kw == "bind_if") {
    set_string(ctx, n, check, kw);
  } else if (kw == "connect_timeout") {
    set_duration(ctx, n, check, kw, 0.000001);
  } else if (kw == "delay_before_retry" || kw == "warmup") {
    set_duration(ctx, n, check, kw, 0);
  } else if (kw == "delay_loop") {
    set_duration(ctx, n, check, kw, 0.000001);
  } else if (kw == "fwmark") {
    set_int(ctx, n, check, kw, 0, 4294967295LL);
  } else if (kw == "retry") {
    set_int(ctx, n, check, kw, 0, 1000000);
  } else if (kw == "alpha" || kw == "log_all_failures") {
    set_flag(ctx, n, check, kw);
  } else {
    return false;
  }
  return true;
}

void map_url(MapContext& ctx, const Node& node, Value& check, Value& urls) {
  Value url = Value::table();
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (kw == "path" || kw == "digest") {
      set_string(ctx, n, url, kw);
    } else if (kw == "virtualhost") {
      // Vigil has the Host: header per checker, not per url: fine while the urls agree.
      if (!ctx.need_args(n, 1, check)) continue;
      const Value* existing = check.find("virtualhost");
      if (existing && existing->text() != n.args[0]) {
        ctx.invalid(n, check, "a different virtualhost per url is not supported (Vigil has one per checker)");
      } else if (!existing) {
        Value& host = check.set("virtualhost", Value::string(n.args[0]));
        ctx.note(n, host, "the url's virtualhost is the checker's virtualhost in Vigil");
      }
    } else if (kw == "status_code") {
      Value codes = Value::array();
      for (const auto& w : n.args) {
        if (w.find('-') != std::string::npos) {
          codes.push(Value::string(w));
        } else {
          codes.push(Value::integer(std::strtoll(w.c_str(), nullptr, 10)));
        }
      }
      url.set(kw, std::move(codes));
    } else if (is_one_of(kw, {"regex", "regex_no_match", "regex_options", "regex_min_offset", "regex_max_offset",
                              "regex_stack"})) {
      ctx.unsupported(n, check,
                      "body regular expressions are not supported; check the body with digest, or use a "
                      "misc_check script");
    } else {
      ctx.unknown(n, check, "url");
    }
  }
  if (!url.find("path")) {
    ctx.invalid(node, check, "url without path");
    return;
  }
  urls.push(std::move(url));
}

void map_checker(MapContext& ctx, const Node& node, Value& server) {
  const std::string& kind = node.keyword;
  Value check = Value::table();
  check.comments.push_back(origin(node));
  Value urls = Value::array();
  urls.prefer_inline = true;
  std::vector<Value> smtp_hosts;
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (map_checker_common(ctx, n, check)) continue;
    if ((kind == "HTTP_GET" || kind == "SSL_GET")) {
      if (kw == "nb_get_retry") {
        Node renamed = n;
        renamed.keyword = "retry";
        map_checker_common(ctx, renamed, check);
      } else if (kw == "url") {
        map_url(ctx, n, check, urls);
      } else if (kw == "virtualhost" || kw == "http_protocol" || (kind == "SSL_GET" && kw == "sni_name")) {
        set_string(ctx, n, check, kw);
      } else if (kw == "fast_recovery" || (kind == "SSL_GET" && (kw == "enable_sni" || kw == "tls_compliant"))) {
        set_flag(ctx, n, check, kw);
      } else {
        ctx.unknown(n, check, kind);
      }
    } else if (kind == "MISC_CHECK") {
      if (kw == "misc_path") {
        set_command(ctx, n, check, kw);
      } else if (kw == "misc_timeout") {
        set_duration(ctx, n, check, kw, 0.000001);
      } else if (kw == "misc_dynamic") {
        set_flag(ctx, n, check, kw);
      } else if (kw == "user") {
        if (ctx.need_args(n, 1, check)) {
          check.set("user", Value::string(n.args[0]));
          if (n.args.size() > 1) check.set("group", Value::string(n.args[1]));
        }
      } else {
        ctx.unknown(n, check, kind);
      }
    } else if (kind == "SMTP_CHECK") {
      if (kw == "helo_name") {
        set_string(ctx, n, check, kw);
      } else if (kw == "host") {
        // The deprecated host{} sub-block is one more SMTP check with its own connection options.
        Value host = Value::table();
        host.comments.push_back(origin(n));
        for (const auto& h : n.children) {
          if (!map_checker_common(ctx, h, host)) ctx.unknown(h, host, "SMTP_CHECK host");
        }
        smtp_hosts.push_back(std::move(host));
      } else {
        ctx.unknown(n, check, kind);
      }
    } else if (kind == "DNS_CHECK") {
      if (kw == "type" && !n.args.empty() &&
          !is_one_of(upper(n.args[0]), {"A", "NS", "CNAME", "SOA", "MX", "TXT", "AAAA"})) {
        ctx.invalid(node, server,
                    fmt::format("DNS_CHECK type {} is not supported by Vigil (A, NS, CNAME, SOA, MX, "
                                "TXT, AAAA), so the whole checker is not converted",
                                n.args[0]));
        return;
      }
      if (kw == "type") {
        if (ctx.need_args(n, 1, check)) check.set(kw, Value::string(upper(n.args[0])));
      } else if (kw == "name") {
        set_string(ctx, n, check, kw);
      } else {
        ctx.unknown(n, check, kind);
      }
    } else if (kind == "UDP_CHECK") {
      if (kw == "payload" || kw == "require_reply") {
        std::string hex;
        for (const auto& w : n.args) hex += w;
        check.set(kw, Value::string(hex));
      } else if (kw == "min_reply_length" || kw == "max_reply_length") {
        set_int(ctx, n, check, kw, 0, 65535);
      } else {
        ctx.unknown(n, check, kind);
      }
    } else if (kind == "FILE_CHECK") {
      if (kw == "track_file") {
        set_string(ctx, n, check, kw);
      } else if (kw == "weight") {
        if (auto w = ctx.integer(n, 0, -2147483647, 2147483647, check)) {
          check.set("weight", Value::integer(*w));
          if (n.args.size() > 1 && n.args[1] == "reverse") check.set("reverse", Value::boolean(true));
        }
      } else {
        ctx.unknown(n, check, kind);
      }
    } else {
      ctx.unknown(n, check, kind);
    }
  }
  if (!urls.items().empty()) check.set("url", std::move(urls));

  std::string key = kind;
  for (auto& c : key) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  Value& list = server.find(key) ? *server.find(key) : server.set(key, Value::array());
  if (smtp_hosts.empty()) {
    list.push(std::move(check));
    return;
  }
  for (auto& host : smtp_hosts) {  // each host gets the block's own settings as defaults
    for (const auto& [k, v] : check.entries()) {
      if (!host.find(k)) host.set(k, v);
    }
    host.notes.insert(host.notes.end(), check.notes.begin(), check.notes.end());
    list.push(std::move(host));
  }
}

bool is_checker(std::string_view kw) {
  return is_one_of(kw, {"TCP_CHECK", "HTTP_GET", "SSL_GET", "MISC_CHECK", "SMTP_CHECK", "DNS_CHECK", "UDP_CHECK",
                        "PING_CHECK", "FILE_CHECK"});
}

// Options real servers share with virtual servers (their defaults for the checkers).
bool map_server_common(MapContext& ctx, const Node& n, Value& table) {
  const auto& kw = n.keyword;
  if (kw == "retry") {
    set_int(ctx, n, table, kw, 0, 1000000);
  } else if (kw == "delay_before_retry" || kw == "warmup") {
    set_duration(ctx, n, table, kw, 0);
  } else if (kw == "connect_timeout" || kw == "delay_loop") {
    set_duration(ctx, n, table, kw, 0.000001);
  } else if (kw == "inhibit_on_failure" || kw == "alpha" || kw == "smtp_alert") {
    set_flag(ctx, n, table, kw);
  } else if (kw == "virtualhost") {
    set_string(ctx, n, table, kw);
  } else if (kw == "lvs_method") {
    map_method(ctx, n, table, kw);
  } else {
    return false;
  }
  return true;
}

void map_real_server(MapContext& ctx, const Node& node, Value& servers, Value& notes) {
  Value rs = Value::table();
  rs.comments.push_back(origin(node));
  if (node.args.empty() || !IpAddress::parse(node.args[0])) {
    ctx.invalid(node, notes, "a real_server needs an IP address, so the whole real_server is not converted");
    return;
  }
  rs.set("ip", Value::string(node.args[0]));
  if (node.args.size() > 1) rs.set("port", Value::integer(std::strtoll(node.args[1].c_str(), nullptr, 10)));
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (map_server_common(ctx, n, rs)) continue;
    if (kw == "weight") {
      set_int(ctx, n, rs, kw, 0, 2147483647);
    } else if (kw == "uthreshold" || kw == "lthreshold") {
      set_int(ctx, n, rs, kw, 0, 2147483647);
    } else if (kw == "notify_up" || kw == "notify_down") {
      set_command(ctx, n, rs, kw);
    } else if (is_checker(kw)) {
      map_checker(ctx, n, rs);
    } else if (kw == "BFD_CHECK") {
      ctx.unsupported(n, rs, "BFD is not supported; use a tcp_check or ping_check");
    } else if (kw == "snmp_name") {
      ctx.unsupported(n, rs, "SNMP is not supported");
    } else {
      ctx.unknown(n, rs, "real_server");
    }
  }
  servers.push(std::move(rs));
}

std::optional<int> netmask_length(const std::string& text) {
  if (const auto mask = IpAddress::parse(text)) {
    int length = 0;
    bool ended = false;
    for (const auto byte : mask->bytes()) {
      const int ones = std::countl_one(static_cast<unsigned char>(byte));
      if (ended && byte != 0) return std::nullopt;
      if (ones < 8) {
        if (static_cast<unsigned char>(byte << ones) != 0) return std::nullopt;
        ended = true;
      }
      length += ones;
    }
    return length;
  }
  if (!text.empty() && text.find_first_not_of("0123456789") == std::string::npos) {
    return static_cast<int>(std::strtol(text.c_str(), nullptr, 10));
  }
  return std::nullopt;
}

}  // namespace

void map_ssl(MapContext& ctx, const Node& node, Value& out) {
  for (const auto& n : node.children) {
    if (is_one_of(n.keyword, {"password", "ca", "certificate", "key"})) {
      set_string(ctx, n, out, n.keyword);
    } else {
      ctx.unknown(n, out, "SSL");
    }
  }
}

void map_virtual_server_group(MapContext& ctx, const Node& node, Value& out) {
  Value group = Value::table();
  group.comments.push_back(origin(node));
  Value members = Value::array();
  members.prefer_inline = true;
  for (const auto& line : node.children) {
    const auto words = line.words();
    Value member = Value::table();
    if (words[0] == "fwmark") {
      if (words.size() < 2) {
        ctx.invalid(line, group, "fwmark without a number");
        continue;
      }
      member.set("fwmark", Value::integer(std::strtoll(words[1].c_str(), nullptr, 0)));
      if (words.size() > 2) member.set("family", Value::string(words[2]));
    } else {
      member.set("ip", Value::string(words[0]));
      if (words.size() > 1) member.set("port", Value::integer(std::strtoll(words[1].c_str(), nullptr, 10)));
    }
    members.push(std::move(member));
  }
  group.set("members", std::move(members));
  out.set(node.args.empty() ? std::string("unnamed") : node.args[0], std::move(group));
}

void map_virtual_server(MapContext& ctx, const Node& node, Value& out, Value& notes) {
  Value vs = Value::table();
  vs.comments.push_back(origin(node));
  const auto& a = node.args;
  if (a.size() >= 2 && a[0] == "fwmark") {
    vs.set("fwmark", Value::integer(std::strtoll(a[1].c_str(), nullptr, 0)));
  } else if (a.size() >= 2 && a[0] == "group") {
    vs.set("group", Value::string(a[1]));
  } else if (!a.empty() && IpAddress::parse(a[0])) {
    vs.set("ip", Value::string(a[0]));
    vs.set("port", Value::integer(a.size() > 1 ? std::strtoll(a[1].c_str(), nullptr, 10) : 0));
  } else {
    ctx.invalid(node, notes,
                "a virtual_server needs IP [PORT], fwmark N or group NAME, so the whole virtual_server is not "
                "converted");
    return;
  }
  Value servers = Value::array();
  Value sorry = Value::table();
  sorry.prefer_inline = true;
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (map_server_common(ctx, n, vs)) continue;
    if (kw == "lvs_sched" || kw == "lb_algo") {
      set_string(ctx, n, vs, "lvs_sched");
    } else if (kw == "lb_kind") {
      map_method(ctx, n, vs, "lvs_method");
    } else if (kw == "protocol") {
      if (ctx.need_args(n, 1, vs)) vs.set(kw, Value::string(upper(n.args[0])));
    } else if (kw == "persistence_timeout") {
      if (n.args.empty()) {
        vs.set(kw, Value::integer(360));  // keepalived's value when none is given
      } else if (auto s = ctx.seconds(n, 0, 0, 31536000, vs)) {
        vs.set(kw, Value::integer(static_cast<std::int64_t>(*s)));
      }
    } else if (kw == "ip_family") {
      if (!vs.find("fwmark") && !vs.find("group")) {
        ctx.invalid(n, vs, "ip_family applies only to fwmark services");
      } else {
        set_string(ctx, n, vs, kw);
      }
    } else if (kw == "persistence_granularity") {
      if (!ctx.need_args(n, 1, vs)) continue;
      if (auto length = netmask_length(n.args[0])) {
        vs.set(kw, Value::integer(*length));
      } else {
        ctx.invalid(n, vs, fmt::format("'{}' is not a netmask", n.args[0]));
      }
    } else if (kw == "persistence_engine") {
      set_string(ctx, n, vs, kw);
    } else if (kw == "omega" || kw == "ha_suspend" || kw == "ops") {
      set_flag(ctx, n, vs, kw);
    } else if (kw == "sh-port" || kw == "sh-fallback" || kw == "mh-port" || kw == "mh-fallback") {
      std::string key = kw;
      key[2] = '_';
      vs.set(key, Value::boolean(true));
    } else if (kw == "quorum") {
      set_int(ctx, n, vs, kw, 1, 2147483647);
    } else if (kw == "hysteresis") {
      set_int(ctx, n, vs, kw, 0, 2147483647);
    } else if (kw == "quorum_up" || kw == "quorum_down") {
      set_command(ctx, n, vs, kw);
    } else if (kw == "sorry_server") {
      if (!ctx.need_args(n, 1, vs)) continue;
      sorry.set("ip", Value::string(n.args[0]));
      if (n.args.size() > 1) sorry.set("port", Value::integer(std::strtoll(n.args[1].c_str(), nullptr, 10)));
    } else if (kw == "sorry_server_inhibit") {
      sorry.set("inhibit", Value::boolean(true));
    } else if (kw == "sorry_server_lvs_method") {
      map_method(ctx, n, sorry, "lvs_method");
    } else if (kw == "real_server") {
      map_real_server(ctx, n, servers, vs);
    } else if (kw == "hashed" || kw == "flag-1" || kw == "flag-2" || kw == "flag-3") {
      ctx.unsupported(n, vs, "use the named scheduler flags (sh_port, sh_fallback, mh_port, mh_fallback)");
    } else if (kw == "weight" || kw == "snmp_name") {
      ctx.unsupported(
          n, vs,
          kw == "weight" ? "a virtual server weight has no Vigil equivalent; remove it" : "SNMP is not supported");
    } else {
      ctx.unknown(n, vs, "virtual_server");
    }
  }
  if (vs.find("fwmark") && !vs.find("ip_family") && !servers.items().empty()) {
    // keepalived takes a fwmark service's family from its real servers when ip_family is not given.
    const auto first = IpAddress::parse(servers.items().front().find("ip")->text());
    if (first && first->is_v6()) {
      Value& family = vs.set("ip_family", Value::string("inet6"));
      family.comments.push_back("kconf2toml: IPv6, the family of the real servers (keepalived's default)");
    }
  }
  if (const Value* granularity = vs.find("persistence_granularity"); granularity && granularity->as_integer() > 32) {
    const Value* ip = vs.find("ip");
    const Value* family = vs.find("ip_family");
    const bool ipv6 = ip ? IpAddress::parse(ip->text())->is_v6() : (family && family->text() == "inet6");
    if (!ipv6 && !vs.find("group")) {
      ctx.diagnostics().warning(node.location,
                                "persistence_granularity is an IPv6 mask on an IPv4 service "
                                "(keepalived rejects it): not converted");
      vs.notes.push_back("kconf2toml: persistence_granularity dropped: an IPv6 mask on an IPv4 service");
      vs.erase("persistence_granularity");
    }
  }
  if (!sorry.entries().empty()) {
    if (sorry.find("ip")) {
      vs.set("sorry_server", std::move(sorry));
    } else {
      ctx.diagnostics().warning(node.location, "sorry_server options without sorry_server: dropped");
    }
  }
  if (!servers.items().empty()) vs.set("real_server", std::move(servers));
  out.push(std::move(vs));
}

}  // namespace vigil::kconf
