// global_defs, vrrp_script, track_file, vrrp_track_process, vrrp_instance, vrrp_sync_group.
#include <fmt/format.h>

#include <cmath>
#include <set>

#include "base/ip_address.hpp"
#include "kconf2toml/map_sections.hpp"
#include "kconf2toml/tokenizer.hpp"

namespace vigil::kconf {
namespace {

constexpr std::string_view kProcessTuning =
    "keepalived process tuning with no Vigil equivalent (Vigil is one process; see docs/config.md §2 for its own "
    "vrrp_rt_priority / vrrp_no_swap); remove it";
constexpr std::string_view kSnmpDbus =
    "SNMP and DBus are not supported; Vigil exports Prometheus metrics (global.metrics_listen) and has a control "
    "socket (vigilctl)";
constexpr std::string_view kFirewall =
    "Vigil does not manage iptables/nftables; if you rely on them (accept = false), add the rules yourself";
constexpr std::string_view kFiles =
    "keepalived-specific dump/reload file; Vigil uses `vigild --check` and `vigilctl` instead; remove it";
constexpr std::string_view kNotYet = "no Vigil equivalent yet; remove it or open an issue if you need it";

std::string_view global_advice(std::string_view kw) {
  if (is_one_of(kw, {"process_names",
                     "process_name",
                     "vrrp_process_name",
                     "checker_process_name",
                     "lvs_process_name",
                     "bfd_process_name",
                     "vrrp_priority",
                     "checker_priority",
                     "bfd_priority",
                     "checker_no_swap",
                     "bfd_no_swap",
                     "checker_rt_priority",
                     "bfd_rt_priority",
                     "checker_cpu_affinity",
                     "bfd_cpu_affinity",
                     "vrrp_rlimit_rttime",
                     "vrrp_rlimit_rtime",
                     "checker_rlimit_rttime",
                     "checker_rlimit_rtime",
                     "bfd_rlimit_rttime",
                     "bfd_rlimit_rtime",
                     "max_auto_priority",
                     "min_auto_priority_delay",
                     "vrrp_netlink_cmd_rcv_bufs",
                     "vrrp_netlink_cmd_rcv_bufs_force",
                     "vrrp_netlink_monitor_rcv_bufs",
                     "vrrp_netlink_monitor_rcv_bufs_force",
                     "lvs_netlink_cmd_rcv_bufs",
                     "lvs_netlink_cmd_rcv_bufs_force",
                     "lvs_netlink_monitor_rcv_bufs",
                     "lvs_netlink_monitor_rcv_bufs_force",
                     "process_monitor_rcv_bufs",
                     "process_monitor_rcv_bufs_force",
                     "vrrp_rx_bufs_policy",
                     "vrrp_rx_bufs_multiplier",
                     "umask",
                     "use_symlink_paths",
                     "set_supplementary_groups"})) {
    return kProcessTuning;
  }
  if (is_one_of(kw, {"snmp_socket", "enable_traps", "enable_snmp_vrrp", "enable_snmp_keepalived", "enable_snmp_rfc",
                     "enable_snmp_rfcv2", "enable_snmp_rfcv3", "enable_snmp_checker", "snmp_vs_stats_update_interval",
                     "snmp_rs_stats_update_interval", "enable_dbus", "dbus_service_name", "dbus_no_interface_name"})) {
    return kSnmpDbus;
  }
  if (is_one_of(kw, {"vrrp_iptables", "vrrp_ipsets", "nftables", "nftables_priority", "nftables_ifindex",
                     "nftables_ipvs", "nftables_ipvs_priority", "nftables_ipvs_start_fwmark", "nftables_counters"})) {
    return kFirewall;
  }
  if (is_one_of(kw, {"state_dump_file", "stats_dump_file", "json_dump_file", "json_version", "config_save_dir",
                     "tmp_config_directory", "data_use_instance", "reload_check_config", "reload_time_file",
                     "reload_repeat", "reload_file", "include_check", "iproute_usr_dir", "iproute_etc_dir",
                     "random_seed", "state_file_location", "stats_file_location", "json_file_location"})) {
    return kFiles;
  }
  if (kw == "lvs_sync_daemon") {
    return "IPVS connection synchronisation is not supported; start it with `ipvsadm --start-daemon` from a notify "
           "command";
  }
  if (is_one_of(kw, {"checker_log_all_failures",
                     "no_email_faults",
                     "disable_local_igmp",
                     "lvs_flush_on_stop",
                     "lvs_flush_onstop",
                     "vrrp_startup_delay",
                     "vrrp_delay_after_boot",
                     "log_unknown_vrids",
                     "vrrp_owner_ignore_adverts",
                     "vmac_prefix",
                     "vmac_addr_prefix",
                     "vrrp_garp_extra_if",
                     "vrrp_vmac_garp_intvl",
                     "rs_init_notifies",
                     "no_checker_emails",
                     "linkbeat_use_polling",
                     "vrrp_notify_priority_changes",
                     "fifo_write_vrrp_states_on_reload",
                     "startup_script_user",
                     "smtp_alert_vrrp_default",
                     "vrrp_min_garp_delay"})) {
    return kNotYet;
  }
  return {};
}

void set_duration(MapContext& ctx, const Node& n, Value& table, const std::string& key, double min, double max) {
  if (auto s = ctx.seconds(n, 0, min, max, table)) table.set(key, duration_value(*s));
}

void set_int(MapContext& ctx, const Node& n, Value& table, const std::string& key, std::int64_t min, std::int64_t max) {
  if (auto v = ctx.integer(n, 0, min, max, table)) table.set(key, Value::integer(*v));
}

void set_flag(MapContext& ctx, const Node& n, Value& table, const std::string& key) {
  if (auto v = ctx.flag(n, table)) table.set(key, Value::boolean(*v));
}

void set_string(MapContext& ctx, const Node& n, Value& table, const std::string& key) {
  if (!ctx.need_args(n, 1, table)) return;
  if (is_placeholder(n.args[0])) {
    ctx.invalid(n, table, fmt::format("'{}' is a template placeholder: render the template, then convert", n.args[0]));
    return;
  }
  table.set(key, Value::string(n.args[0]));
}

void set_command(MapContext& ctx, const Node& n, Value& table, const std::string& key) {
  if (auto c = ctx.command(n, table)) table.set(key, std::move(*c));
}

void set_address(MapContext& ctx, const Node& n, Value& table, const std::string& key) {
  if (!ctx.need_args(n, 1, table)) return;
  std::string text = n.args[0];
  if (const auto slash = text.find('/'); slash != std::string::npos && IpAddress::parse(text.substr(0, slash))) {
    Value v = Value::string(text.substr(0, slash));
    ctx.note(
        n, v,
        fmt::format("'{}' takes an address; the prefix length of {} is dropped, as keepalived does", n.keyword, text));
    table.set(key, std::move(v));
    return;
  }
  if (!IpAddress::parse(text)) {
    ctx.invalid(n, table, fmt::format("'{}' is not an IP address", text));
    return;
  }
  table.set(key, Value::string(text));
}

// The words of the lines of a block, or the arguments when written on the keyword line.
std::vector<const Node*> block_lines(const Node& node) {
  std::vector<const Node*> lines;
  for (const auto& child : node.children) lines.push_back(&child);
  return lines;
}

void require_block(MapContext& ctx, const Node& node, Value& table) {
  if (!node.has_block) ctx.invalid(node, table, "a '{ ... }' block is expected after it");
}

// `NAME [weight N [reverse|noreverse]]` lines of track_script/track_interface/...
void map_trackers(MapContext& ctx, const Node& node, Value& table, const std::string& key, std::int64_t min_weight,
                  std::int64_t max_weight) {
  require_block(ctx, node, table);
  Value list = Value::array();
  list.prefer_inline = true;
  for (const auto* line : block_lines(node)) {
    const auto words = line->words();
    if (is_placeholder(words[0])) {
      ctx.invalid(*line, table,
                  fmt::format("'{}' is a template placeholder: render the template, then convert", words[0]));
      continue;
    }
    if (words.size() == 1) {
      list.push(Value::string(words[0]));
      continue;
    }
    Value ref = Value::table();
    ref.set("name", Value::string(words[0]));
    bool ok = true;
    for (std::size_t i = 1; i < words.size() && ok; ++i) {
      if (words[i] == "weight" && i + 1 < words.size()) {
        char* end = nullptr;
        const long long w = std::strtoll(words[i + 1].c_str(), &end, 10);
        if (*end != '\0' || w < min_weight || w > max_weight) {
          ctx.invalid(*line, table, fmt::format("weight '{}' is not in {}..{}", words[i + 1], min_weight, max_weight));
          ok = false;
        }
        ref.set("weight", Value::integer(w));
        ++i;
      } else if (words[i] == "reverse" || words[i] == "noreverse") {
        ref.set("reverse", Value::boolean(words[i] == "reverse"));
      } else {
        ctx.invalid(*line, table, fmt::format("unexpected '{}' in a {} line", words[i], node.keyword));
        ok = false;
      }
    }
    if (ok) list.push(std::move(ref));
  }
  table.set(key, std::move(list));
}

// `weight N [reverse]` of vrrp_script / track_file / track_process / FILE_CHECK.
void map_weight(MapContext& ctx, const Node& n, Value& table, std::int64_t min, std::int64_t max) {
  if (auto w = ctx.integer(n, 0, min, max, table)) {
    table.set("weight", Value::integer(*w));
    if (n.args.size() > 1) {
      if (n.args[1] == "reverse") {
        table.set("reverse", Value::boolean(true));
      } else if (n.args[1] != "noreverse") {
        ctx.invalid(n, table, fmt::format("unexpected '{}'", n.args[1]));
      }
    }
  }
}

void map_user(MapContext& ctx, const Node& n, Value& table) {
  if (!ctx.need_args(n, 1, table)) return;
  std::string user = n.args[0];
  std::string group = n.args.size() > 1 ? n.args[1] : "";
  if (const auto colon = user.find(':'); colon != std::string::npos) {  // "user:group"
    group = user.substr(colon + 1);
    user = user.substr(0, colon);
  }
  table.set("user", Value::string(user));
  if (!group.empty()) table.set("group", Value::string(group));
}

std::optional<IpAddress> first_address(const Value& list) {
  for (const auto& item : list.items()) {
    std::string text = item.is_table() ? (item.find("address") ? item.find("address")->text() : "") : item.text();
    text = text.substr(0, text.find('/'));
    if (auto a = IpAddress::parse(text)) return a;
  }
  return std::nullopt;
}

}  // namespace

void map_global_defs(MapContext& ctx, const Node& node, Value& global, GlobalFacts& facts) {
  require_block(ctx, node, global);
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (kw == "router_id" || kw == "notification_email_from" || kw == "smtp_helo_name" || kw == "default_interface") {
      set_string(ctx, n, global, kw);
    } else if (kw == "notification_email") {
      Value list = Value::array();
      std::vector<std::string> words(n.args);
      for (const auto* line : block_lines(n)) {
        for (const auto& w : line->words()) words.push_back(w);
      }
      for (const auto& w : words) {
        if (w.find('@') == std::string::npos) {
          ctx.invalid(n, global, fmt::format("'{}' is not an email address (Vigil needs user@domain)", w));
        } else {
          list.push(Value::string(w));
        }
      }
      global.set(kw, std::move(list));
    } else if (kw == "smtp_server") {
      if (!ctx.need_args(n, 1, global)) continue;
      std::string host = n.args[0];
      if (n.args.size() > 1) {
        const std::string port(trim(n.args[1]));
        if (port.empty() || port.find_first_not_of("0123456789") != std::string::npos || port.size() > 5 ||
            std::stoi(port) > 65535) {
          ctx.invalid(n, global, fmt::format("'{}' is not a port number", n.args[1]));
          continue;
        }
        host = (host.find(':') != std::string::npos ? "[" + host + "]" : host) + ":" + port;
      }
      global.set(kw, Value::string(host));
    } else if (kw == "smtp_connect_timeout") {
      set_duration(ctx, n, global, kw, 0.000001, 1e9);
    } else if (kw == "smtp_alert" || kw == "smtp_alert_vrrp" || kw == "smtp_alert_checker" ||
               kw == "dynamic_interfaces" || kw == "vrrp_lower_prio_no_advert" ||
               kw == "vrrp_higher_prio_send_advert" || kw == "vrrp_check_unicast_src" ||
               kw == "vrrp_skip_check_adv_addr" || kw == "v3_checksum_as_v2" || kw == "lvs_flush" ||
               kw == "vrrp_no_swap") {
      if (kw == "dynamic_interfaces" && !n.args.empty() && n.args[0] == "allow_if_changes") {
        global.set(kw, Value::boolean(true));
        ctx.note(n, *global.find(kw), "'allow_if_changes' has no Vigil equivalent and is dropped");
        continue;
      }
      set_flag(ctx, n, global, kw);
    } else if (kw == "script_user") {
      if (!ctx.need_args(n, 1, global)) continue;
      global.set("script_user", Value::string(n.args[0]));
      if (n.args.size() > 1) global.set("script_group", Value::string(n.args[1]));
    } else if (kw == "enable_script_security") {
      global.set("script_security", Value::boolean(true));
    } else if (kw == "startup_script" || kw == "shutdown_script") {
      set_command(ctx, n, global, kw);
    } else if (kw == "startup_script_timeout" || kw == "shutdown_script_timeout") {
      set_duration(ctx, n, global, kw, 1, 1000);
    } else if (kw == "lvs_notify_fifo_script" || kw == "notify_fifo_script" || kw == "vrrp_notify_fifo_script") {
      // `SCRIPT [user [group]]`: the words after the script name its user, not arguments.
      if (n.args.size() > 1) {
        Value script = Value::string(n.args[0]);
        ctx.note(n, script, "the script's user/group is dropped: Vigil runs FIFO readers as vigild's own user");
        global.set(kw, std::move(script));
      } else {
        set_command(ctx, n, global, kw);
      }
    } else if (kw == "notify_fifo" || kw == "vrrp_notify_fifo" || kw == "lvs_notify_fifo") {
      set_string(ctx, n, global, kw);
      if (n.args.size() > 1 && global.find(kw)) {
        ctx.note(n, *global.find(kw), "the FIFO's owner (user/group) is not configurable in Vigil and is dropped");
      }
    } else if (kw == "vrrp_version") {
      if (auto v = ctx.integer(n, 0, 2, 3, global)) {
        facts.vrrp_version = static_cast<int>(*v);
        global.set(kw, Value::integer(*v));
      }
    } else if (kw == "vrrp_mcast_group4" || kw == "vrrp_mcast_group6") {
      set_address(ctx, n, global, kw);
    } else if (kw == "vrrp_garp_master_delay") {
      set_duration(ctx, n, global, kw, 0, 1000);
    } else if (kw == "vrrp_garp_master_refresh" || kw == "vrrp_garp_lower_prio_delay" || kw == "vrrp_garp_interval" ||
               kw == "vrrp_gna_interval") {
      set_duration(ctx, n, global, kw, 0, 1e6);
    } else if (kw == "vrrp_garp_master_repeat" || kw == "vrrp_garp_master_refresh_repeat") {
      set_int(ctx, n, global, kw, 1, 255);
    } else if (kw == "vrrp_garp_lower_prio_repeat") {
      set_int(ctx, n, global, kw, 0, 255);
    } else if (kw == "vrrp_min_garp") {
      auto on = ctx.flag(n, global);
      if (on && *on) {
        global.set("vrrp_garp_master_repeat", Value::integer(1));
        global.set("vrrp_garp_master_delay", Value::integer(0));
        global.set("vrrp_garp_master_refresh", Value::integer(0));
        ctx.note(n, *global.find("vrrp_garp_master_repeat"),
                 "vrrp_min_garp written out as one GARP, no second burst, no refresh");
      }
    } else if (kw == "vrrp_rt_priority") {
      set_int(ctx, n, global, kw, 0, 99);
    } else if (kw == "vrrp_cpu_affinity") {
      Value cpus = Value::array();
      for (const auto& w : n.args) {
        const auto dash = w.find('-');
        const long first = std::strtol(w.c_str(), nullptr, 10);
        const long last = dash == std::string::npos ? first : std::strtol(w.c_str() + dash + 1, nullptr, 10);
        for (long cpu = first; cpu <= last && cpu - first < 4096; ++cpu) cpus.push(Value::integer(cpu));
      }
      global.set(kw, std::move(cpus));
    } else if (kw == "lvs_timeouts") {
      Value timeouts = Value::table();
      timeouts.prefer_inline = true;
      for (std::size_t i = 0; i + 1 < n.args.size(); i += 2) {
        const std::string& which = n.args[i];
        const std::string key = which == "tcpfin" ? "tcp_fin" : which;
        if (key != "tcp" && key != "tcp_fin" && key != "udp") {
          ctx.invalid(n, global, fmt::format("unknown lvs_timeouts item '{}'", which));
          continue;
        }
        timeouts.set(key, Value::integer(std::strtoll(n.args[i + 1].c_str(), nullptr, 10)));
      }
      global.set(kw, std::move(timeouts));
    } else if (kw == "vrrp_strict") {
      facts.strict = true;
      ctx.unsupported(n, global,
                      "Vigil has no strict mode; what it implies and Vigil can express is written out (accept = false "
                      "unless priority 255, lower_prio_no_advert = true, no GARP on lower priority adverts); keep "
                      "authentication off and at most one VIP family per instance yourself");
    } else if (kw == "vrrp_down_timer_adverts") {
      if (auto v = ctx.integer(n, 0, 1, 100, global)) facts.down_timer_adverts = static_cast<int>(*v);
    } else if (const auto advice = global_advice(kw); !advice.empty()) {
      ctx.unsupported(n, global, advice);
    } else if (is_one_of(kw, {"garp_master_delay", "garp_master_repeat", "garp_master_refresh",
                              "garp_master_refresh_repeat", "garp_lower_prio_delay", "garp_lower_prio_repeat",
                              "garp_interval", "gna_interval", "lower_prio_no_advert", "higher_prio_send_advert",
                              "skip_check_adv_addr", "check_unicast_src", "version"})) {
      // An instance keyword in global_defs: keepalived ignored it; its global twin is vrrp_<keyword>.
      ctx.unknown(n, global, "global_defs", "vrrp_" + kw);
    } else {
      ctx.unknown(n, global, "global_defs");
    }
  }
}

void map_vrrp_script(MapContext& ctx, const Node& node, Value& out) {
  Value script = Value::table();
  script.comments.push_back(origin(node));
  require_block(ctx, node, script);
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (kw == "script") {
      set_command(ctx, n, script, kw);
    } else if (kw == "interval" || kw == "timeout") {
      set_duration(ctx, n, script, kw, 0.000001, 1e9);
    } else if (kw == "weight") {
      map_weight(ctx, n, script, -253, 253);
    } else if (kw == "rise" || kw == "fall") {
      set_int(ctx, n, script, kw, 1, 1000000);
    } else if (kw == "user") {
      map_user(ctx, n, script);
    } else if (kw == "init_fail") {
      script.set(kw, Value::boolean(true));
    } else {
      ctx.unknown(n, script, "vrrp_script");
    }
  }
  out.set(node.args.empty() ? std::string("unnamed") : node.args[0], std::move(script));
}

void map_track_file(MapContext& ctx, const Node& node, Value& out) {
  Value file = Value::table();
  file.comments.push_back(origin(node));
  if (node.keyword == "vrrp_track_file") {
    ctx.note(node, file, "vrrp_track_file is the old spelling of track_file");
  }
  require_block(ctx, node, file);
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (kw == "file") {
      set_string(ctx, n, file, kw);
    } else if (kw == "weight") {
      map_weight(ctx, n, file, -2147483647, 2147483647);
    } else if (kw == "init_file") {
      file.set("init_file", Value::boolean(true));
      for (const auto& w : n.args) {
        if (w == "overwrite") {
          file.set("init_overwrite", Value::boolean(true));
        } else {
          file.set("init_value", Value::integer(std::strtoll(w.c_str(), nullptr, 10)));
        }
      }
    } else {
      ctx.unknown(n, file, node.keyword);
    }
  }
  out.set(node.args.empty() ? std::string("unnamed") : node.args[0], std::move(file));
}

void map_track_process(MapContext& ctx, const Node& node, Value& out) {
  Value proc = Value::table();
  proc.comments.push_back(origin(node));
  require_block(ctx, node, proc);
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (kw == "process") {
      if (!ctx.need_args(n, 1, proc)) continue;
      proc.set("process", Value::string(n.args[0]));
      if (n.args.size() > 1) {
        Value params = Value::array();
        for (std::size_t i = 1; i < n.args.size(); ++i) params.push(Value::string(n.args[i]));
        proc.set("parameters", std::move(params));
      }
    } else if (kw == "param_match") {
      set_string(ctx, n, proc, kw);
    } else if (kw == "weight") {
      map_weight(ctx, n, proc, -254, 254);
    } else if (kw == "quorum") {
      set_int(ctx, n, proc, kw, 1, 65535);
    } else if (kw == "quorum_max") {
      set_int(ctx, n, proc, kw, 0, 65535);
    } else if (kw == "delay") {
      if (auto s = ctx.seconds(n, 0, 0, 1e6, proc)) {
        proc.set("fork_delay", duration_value(*s));
        proc.set("terminate_delay", duration_value(*s));
      }
    } else if (kw == "fork_delay" || kw == "terminate_delay") {
      set_duration(ctx, n, proc, kw, 0, 1e6);
    } else if (kw == "full_command") {
      proc.set(kw, Value::boolean(true));
    } else {
      ctx.unknown(n, proc, "vrrp_track_process");
    }
  }
  out.set(node.args.empty() ? std::string("unnamed") : node.args[0], std::move(proc));
}

void map_vrrp_instance(MapContext& ctx, const Node& node, Value& out, Value& notes, const GlobalFacts& facts) {
  Value vi = Value::table();
  vi.comments.push_back(origin(node));
  require_block(ctx, node, vi);
  const Node* state_node = nullptr;
  const Node* advert_node = nullptr;
  std::optional<double> advert;
  std::optional<int> version;
  bool accept_given = false;

  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (kw == "state") {
      if (!ctx.need_args(n, 1, vi)) continue;
      if (n.args[0] == "MASTER" || n.args[0] == "BACKUP") {
        vi.set("state", Value::string(n.args[0]));
        state_node = &n;
      } else {
        ctx.invalid(n, vi, fmt::format("state '{}' is neither MASTER nor BACKUP", n.args[0]));
      }
    } else if (kw == "interface") {
      set_string(ctx, n, vi, kw);
    } else if (kw == "virtual_router_id") {
      set_int(ctx, n, vi, kw, 1, 255);
    } else if (kw == "priority") {
      set_int(ctx, n, vi, kw, 1, 255);
    } else if (kw == "advert_int") {
      advert = ctx.seconds(n, 0, 0.01, 255, vi);
      advert_node = &n;
    } else if (kw == "version") {
      if (auto v = ctx.integer(n, 0, 2, 3, vi)) {
        version = static_cast<int>(*v);
        vi.set("version", Value::integer(*v));
      }
    } else if (kw == "authentication") {
      require_block(ctx, n, vi);
      Value auth = Value::table();
      auth.prefer_inline = true;
      bool ok = true;
      for (const auto& a : n.children) {
        if (a.keyword == "auth_type") {
          if (!a.args.empty() && a.args[0] == "PASS") {
            auth.set("auth_type", Value::string("PASS"));
          } else {
            ctx.unsupported(a, vi,
                            "only PASS authentication exists in Vigil (AH is deprecated by RFC 3768); peers still "
                            "using AH will not talk to Vigil: remove authentication on all of them");
            ok = false;
          }
        } else if (a.keyword == "auth_pass") {
          if (!ctx.need_args(a, 1, vi)) {
            ok = false;
            continue;
          }
          std::string pass = a.args[0];
          if (is_placeholder(pass)) {
            ctx.invalid(a, vi, "the password is a template placeholder: render the template, then convert");
            ok = false;
            continue;
          }
          Value v = Value::string(pass.substr(0, 8));
          if (pass.size() > 8) {
            ctx.diagnostics().warning(a.location, fmt::format("auth_pass is {} characters; keepalived uses only the "
                                                              "first 8, so the converted password is \"{}\"",
                                                              pass.size(), pass.substr(0, 8)));
            v.comments.push_back(fmt::format("kconf2toml: auth_pass truncated to 8 characters as keepalived did ({})",
                                             a.location.to_string()));
          }
          auth.set("auth_pass", std::move(v));
        } else {
          ctx.unknown(a, vi, "authentication");
        }
      }
      if (ok && auth.find("auth_pass")) {
        if (!auth.find("auth_type")) auth.set("auth_type", Value::string("PASS"));
        Value& stored = vi.set("authentication", std::move(auth));
        // A comment inside an inline table cannot be printed: hoist the truncation note.
        if (auto* pass = stored.find("auth_pass"); pass && !pass->comments.empty()) {
          stored.comments = std::move(pass->comments);
          pass->comments.clear();
        }
      }
    } else if (kw == "virtual_ipaddress" || kw == "virtual_ipaddress_excluded") {
      require_block(ctx, n, vi);
      Value list = Value::array();
      if (auto* existing = vi.find(kw)) list = std::move(*existing);
      map_address_lines(ctx, n, list, vi);
      vi.set(kw, std::move(list));
    } else if (kw == "virtual_routes") {
      require_block(ctx, n, vi);
      Value list = Value::array();
      map_route_lines(ctx, n, list, vi);
      vi.set(kw, std::move(list));
    } else if (kw == "virtual_rules") {
      require_block(ctx, n, vi);
      Value list = Value::array();
      map_rule_lines(ctx, n, list, vi);
      vi.set(kw, std::move(list));
    } else if (kw == "unicast_src_ip" || kw == "mcast_src_ip") {
      set_address(ctx, n, vi, kw);
    } else if (kw == "unicast_peer") {
      require_block(ctx, n, vi);
      Value peers = Value::array();
      peers.prefer_inline = true;
      for (const auto* line : block_lines(n)) {
        const auto words = line->words();
        if (is_placeholder(words[0]) || !IpAddress::parse(words[0])) {
          ctx.invalid(*line, vi, fmt::format("'{}' is not an IP address", words[0]));
          continue;
        }
        if (words.size() == 1) {
          peers.push(Value::string(words[0]));
          continue;
        }
        Value peer = Value::table();
        peer.set("address", Value::string(words[0]));
        for (std::size_t i = 1; i + 1 < words.size(); i += 2) {
          if (words[i] == "min_ttl" || words[i] == "max_ttl") {
            peer.set(words[i], Value::integer(std::strtoll(words[i + 1].c_str(), nullptr, 10)));
          } else {
            ctx.invalid(*line, vi, fmt::format("unexpected '{}' in a unicast_peer line", words[i]));
          }
        }
        peers.push(std::move(peer));
      }
      vi.set(kw, std::move(peers));
    } else if (kw == "check_unicast_src" || kw == "dont_track_primary" || kw == "vmac_xmit_base" ||
               kw == "smtp_alert" || kw == "lower_prio_no_advert" || kw == "higher_prio_send_advert" ||
               kw == "skip_check_adv_addr" || kw == "v3_checksum_as_v2") {
      set_flag(ctx, n, vi, kw);
    } else if (kw == "nopreempt") {
      vi.set("preempt", Value::boolean(false));
    } else if (kw == "preempt") {
      vi.set("preempt", Value::boolean(true));
    } else if (kw == "preempt_delay") {
      set_duration(ctx, n, vi, kw, 0, 1000);
    } else if (kw == "accept" || kw == "no_accept") {
      vi.set("accept", Value::boolean(kw == "accept"));
      accept_given = true;
    } else if (kw == "use_vmac") {
      vi.set("use_vmac", Value::boolean(true));
      if (!n.args.empty()) {
        if (n.args[0].size() > 15) {
          ctx.invalid(n, vi, fmt::format("VMAC name '{}' is longer than 15", n.args[0]));
        } else {
          vi.set("vmac_name", Value::string(n.args[0]));
        }
        if (n.args.size() > 1) {
          ctx.note(n, *vi.find("use_vmac"),
                   "use_vmac options after the name (MAC, netlink_notify_msg, group) are "
                   "not supported and dropped");
        }
      }
    } else if (kw == "garp_master_delay") {
      set_duration(ctx, n, vi, kw, 0, 1000);
    } else if (kw == "garp_master_refresh" || kw == "garp_lower_prio_delay") {
      set_duration(ctx, n, vi, kw, 0, 1e6);
    } else if (kw == "garp_master_repeat" || kw == "garp_master_refresh_repeat") {
      set_int(ctx, n, vi, kw, 1, 255);
    } else if (kw == "garp_lower_prio_repeat") {
      set_int(ctx, n, vi, kw, 0, 255);
    } else if (kw == "down_timer_adverts") {
      set_int(ctx, n, vi, kw, 1, 100);
    } else if (kw == "track_script") {
      map_trackers(ctx, n, vi, kw, -253, 253);
    } else if (kw == "track_interface") {
      map_trackers(ctx, n, vi, kw, -254, 254);
    } else if (kw == "track_file") {
      map_trackers(ctx, n, vi, kw, -2147483647, 2147483647);
    } else if (kw == "track_process") {
      map_trackers(ctx, n, vi, kw, -254, 254);
    } else if (kw == "notify_master" || kw == "notify_backup" || kw == "notify_fault" || kw == "notify_stop" ||
               kw == "notify_master_rx_lower_pri" || kw == "notify") {
      set_command(ctx, n, vi, kw);
    } else if (kw == "native_ipv6") {
      ctx.note(n, vi, "native_ipv6 is deprecated; Vigil takes the family from the VIPs");
    } else if (kw == "strict_mode") {
      ctx.unsupported(n, vi, "Vigil has no strict mode; check the RFC rules it enforced yourself");
    } else if (kw == "lvs_sync_daemon_interface") {
      ctx.unsupported(n, vi,
                      "IPVS connection synchronisation is not supported; start it with `ipvsadm "
                      "--start-daemon` from a notify command");
    } else if (kw == "track_bfd" || kw == "auth_hmac") {
      ctx.unsupported(n, vi,
                      kw == "track_bfd" ? "BFD is not supported; track the peer with a vrrp_script instead"
                                        : "HMAC authentication is keepalived-specific and not supported");
    } else if (is_one_of(kw, {"use_vmac_addr",
                              "use_ipvlan",
                              "unicast_fault_no_peer",
                              "old_unicast_checksum",
                              "vrf",
                              "mcast_dst_ip",
                              "track_src_ip",
                              "unicast_ttl",
                              "promote_secondaries",
                              "linkbeat_use_polling",
                              "debug",
                              "notify_deleted",
                              "notify_priority_changes",
                              "timer_expired_backup",
                              "thread_timer_expired",
                              "garp_extra_if",
                              "vmac_garp_intvl",
                              "owner_ignore_adverts",
                              "kernel_rx_buf_size",
                              "no_virtual_ipaddress"})) {
      ctx.unsupported(n, vi, kNotYet);
    } else if (kw == "lvs_sync_daemon_inteface") {
      ctx.unknown(n, vi, "vrrp_instance", "lvs_sync_daemon_interface");
    } else if (kw.rfind("vrrp_", 0) == 0 && kw.size() > 5) {
      ctx.unknown(n, vi, "vrrp_instance", kw.substr(5) + " (the instance form of the global keyword)");
    } else {
      ctx.unknown(n, vi, "vrrp_instance");
    }
  }

  // Semantics keepalived applies after reading the block.
  if (state_node && state_node->args[0] == "MASTER" && !vi.find("priority")) {
    Value& p = vi.set("priority", Value::integer(255));
    ctx.note(*state_node, p, "state MASTER without priority: keepalived uses priority 255 (address owner)");
  }
  const Value* vips = vi.find("virtual_ipaddress");
  const auto family_address = vips ? first_address(*vips) : std::nullopt;
  const bool ipv6 = family_address && family_address->is_v6();
  const int effective_version = ipv6 ? 3 : version.value_or(facts.vrrp_version);
  if (advert && advert_node) {
    double rounded = 0;
    if (effective_version == 2) {
      rounded = std::max(1.0, std::round(*advert));
    } else {
      rounded = std::min(40.95, std::round(*advert * 100) / 100);
    }
    Value& a = vi.set("advert_int", duration_value(rounded));
    if (std::fabs(rounded - *advert) > 1e-9) {
      ctx.note(*advert_node, a,
               fmt::format("advert_int {} rounded to {} s as keepalived does for VRRPv{} ({})", advert_node->args[0],
                           rounded, effective_version,
                           effective_version == 2 ? "whole seconds" : "centiseconds, at most 40.95 s"));
    }
  }
  if (vi.find("unicast_src_ip") && !vi.find("unicast_peer")) {
    // keepalived uses unicast_src_ip as the advert source whatever the mode: without peers it is
    // the multicast source.
    Value source = std::move(*vi.find("unicast_src_ip"));
    vi.erase("unicast_src_ip");
    if (!vi.find("mcast_src_ip")) {
      Value& moved = vi.set("mcast_src_ip", std::move(source));
      moved.comments.push_back("kconf2toml: unicast_src_ip without unicast_peer is the multicast source in keepalived");
    }
  }
  if (Value* list = vi.find("virtual_ipaddress"); list && list->items().size() > 255) {
    Value& excluded = vi.find("virtual_ipaddress_excluded") ? *vi.find("virtual_ipaddress_excluded")
                                                            : vi.set("virtual_ipaddress_excluded", Value::array());
    const std::size_t moved = list->items().size() - 255;
    for (std::size_t i = 255; i < list->items().size(); ++i) excluded.push(std::move(list->items()[i]));
    list->items().resize(255);
    if (list->prefer_inline) excluded.prefer_inline = true;
    ctx.diagnostics().warning(node.location,
                              fmt::format("vrrp_instance {}: an advert carries at most 255 addresses; the last {} of "
                                          "virtual_ipaddress are moved to virtual_ipaddress_excluded (still added "
                                          "and removed with the state, not advertised)",
                                          node.args.empty() ? "" : node.args[0], moved));
  }
  if (facts.strict) {
    const Value* prio = vi.find("priority");
    const bool owner = prio && prio->as_integer() == 255;
    if (!accept_given && !owner) vi.set("accept", Value::boolean(false));
    if (!vi.find("lower_prio_no_advert")) vi.set("lower_prio_no_advert", Value::boolean(true));
    if (!vi.find("garp_lower_prio_repeat")) vi.set("garp_lower_prio_repeat", Value::integer(0));
  }
  if (facts.down_timer_adverts && !vi.find("down_timer_adverts")) {
    vi.set("down_timer_adverts", Value::integer(*facts.down_timer_adverts));
  }
  const std::string name = node.args.empty() ? std::string("unnamed") : node.args[0];
  std::string missing;
  if (!vi.find("virtual_router_id")) {
    missing = "valid virtual_router_id";
  } else if (!vi.find("interface") && !(vi.find("unicast_src_ip") && vi.find("unicast_peer"))) {
    missing = "interface";
  }
  if (!missing.empty()) {
    ctx.invalid(node, notes,
                fmt::format("vrrp_instance {} has no {}, so the whole instance is not converted", name, missing));
    return;
  }
  if (out.find(name)) {
    ctx.invalid(node, notes,
                fmt::format("vrrp_instance {} is defined twice, so the second one is not converted", name));
    return;
  }
  out.set(name, std::move(vi));
}

void map_sync_group(MapContext& ctx, const Node& node, Value& out, Value& notes) {
  Value group = Value::table();
  group.comments.push_back(origin(node));
  require_block(ctx, node, group);
  for (const auto& n : node.children) {
    const auto& kw = n.keyword;
    if (kw == "group") {
      Value members = Value::array();
      for (const auto* line : block_lines(n)) {
        for (const auto& w : line->words()) members.push(Value::string(w));
      }
      group.set("group", std::move(members));
    } else if (kw == "track_script") {
      map_trackers(ctx, n, group, kw, -253, 253);
    } else if (kw == "track_interface" || kw == "track_process") {
      map_trackers(ctx, n, group, kw, -254, 254);
    } else if (kw == "track_file") {
      map_trackers(ctx, n, group, kw, -2147483647, 2147483647);
    } else if (kw == "notify_master" || kw == "notify_backup" || kw == "notify_fault" || kw == "notify_stop" ||
               kw == "notify") {
      set_command(ctx, n, group, kw);
    } else if (kw == "smtp_alert" || kw == "sync_group_tracking_weight") {
      set_flag(ctx, n, group, kw);
    } else if (kw == "global_tracking") {
      group.set("sync_group_tracking_weight", Value::boolean(true));
      ctx.note(n, *group.find("sync_group_tracking_weight"),
               "global_tracking is the deprecated name of sync_group_tracking_weight");
    } else if (kw == "track_bfd") {
      ctx.unsupported(n, group, "BFD is not supported; track the peer with a vrrp_script instead");
    } else if (kw == "notify_priority_changes") {
      ctx.unsupported(n, group, kNotYet);
    } else {
      ctx.unknown(n, group, "vrrp_sync_group");
    }
  }
  const std::string name = node.args.empty() ? std::string("unnamed") : node.args[0];
  if (!group.find("group") || group.find("group")->items().empty()) {
    ctx.invalid(node, notes,
                fmt::format("vrrp_sync_group {} has no `group {{ ... }}` of instances (keepalived "
                            "removes such a group), so the whole group is not converted",
                            name));
    return;
  }
  out.set(name, std::move(group));
}

}  // namespace vigil::kconf
