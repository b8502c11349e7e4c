#include "control/report.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <ctime>
#include <optional>
#include <vector>

namespace vigil::control {

namespace {

using nlohmann::json;

const json& instances_of(const json& status) {
  static const json kEmpty = json::array();
  if (!status.is_object()) return kEmpty;
  const auto it = status.find("vrrp_instances");
  return it != status.end() && it->is_array() ? *it : kEmpty;
}

std::string text(const json& value, std::string_view fallback = "-") {
  if (value.is_string()) return value.get<std::string>();
  if (value.is_null()) return std::string(fallback);
  return value.dump();
}

std::string member_text(const json& object, const char* key, std::string_view fallback = "-") {
  if (!object.is_object()) return std::string(fallback);
  const auto it = object.find(key);
  return it == object.end() ? std::string(fallback) : text(*it, fallback);
}

// Counters are unsigned in the engine's JSON; a document read back from text may hold them as
// signed integers.
std::optional<std::uint64_t> count_value(const json& value) {
  if (value.is_number_unsigned()) return value.get<std::uint64_t>();
  if (value.is_number_integer() && value.get<std::int64_t>() >= 0) return value.get<std::uint64_t>();
  return std::nullopt;
}

std::string tracker_text(const char* kind, const config::TrackRef& ref) {
  std::string out = fmt::format("{}:{}", kind, ref.name);
  if (ref.weight) out += fmt::format("({:+})", *ref.weight);
  if (ref.reverse) out += "(reverse)";
  return out;
}

// "3m ago" style ages for the status table.
std::string age(const json& when, double now_unix) {
  if (!when.is_number()) return "-";
  const double seconds = std::max(0.0, now_unix - when.get<double>());
  if (seconds < 120) return fmt::format("{:.0f}s ago", seconds);
  if (seconds < 7200) return fmt::format("{:.0f}m ago", seconds / 60);
  if (seconds < 172800) return fmt::format("{:.0f}h ago", seconds / 3600);
  return fmt::format("{:.0f}d ago", seconds / 86400);
}

std::string join(const json& array, std::string_view separator) {
  if (!array.is_array() || array.empty()) return "-";
  std::string out;
  for (const auto& item : array) {
    if (!out.empty()) out += separator;
    out += text(item);
  }
  return out;
}

// Column-aligned table; the last column is not padded.
std::string table(const std::vector<std::vector<std::string>>& rows) {
  if (rows.empty()) return {};
  std::vector<std::size_t> widths(rows.front().size(), 0);
  for (const auto& row : rows) {
    for (std::size_t column = 0; column < row.size() && column < widths.size(); ++column) {
      widths[column] = std::max(widths[column], row[column].size());
    }
  }
  std::string out;
  for (const auto& row : rows) {
    std::string line;
    for (std::size_t column = 0; column < row.size(); ++column) {
      if (column + 1 == row.size()) {
        line += row[column];
      } else {
        line += fmt::format("{:<{}}  ", row[column], widths[column]);
      }
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + '\n';
  }
  return out;
}

std::string escape_label(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '"': out += "\\\""; break;
      case '\n': out += "\\n"; break;
      default: out += c;
    }
  }
  return out;
}

std::string format_value(double value) {
  if (std::isnan(value)) return "NaN";
  if (std::floor(value) == value && std::fabs(value) < 1e15) return fmt::format("{:.0f}", value);
  return fmt::format("{}", value);
}

// One metric family: HELP and TYPE once, then its samples.
class Family {
 public:
  Family(std::string name, std::string type, std::string help)
      : name_(std::move(name)), type_(std::move(type)), help_(std::move(help)) {}

  void add(const std::vector<std::pair<std::string, std::string>>& labels, double value) {
    add_series("", labels, value);
  }

  // A histogram's series: name_bucket, name_sum, name_count.
  void add_series(std::string_view suffix, const std::vector<std::pair<std::string, std::string>>& labels,
                  double value) {
    std::string line = name_;
    line += suffix;
    if (!labels.empty()) {
      line += '{';
      for (std::size_t i = 0; i < labels.size(); ++i) {
        if (i > 0) line += ',';
        line += fmt::format("{}=\"{}\"", labels[i].first, escape_label(labels[i].second));
      }
      line += '}';
    }
    samples_ += fmt::format("{} {}\n", line, format_value(value));
  }

  void write(std::string& out) const {
    out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help_, name_, type_);
    out += samples_;
  }

 private:
  std::string name_, type_, help_, samples_;
};

// keepalived's numeric states (vrrp.h), which the exporter publishes unchanged.
int keepalived_state_number(const std::string& state) {
  if (state == "BACKUP") return 1;
  if (state == "MASTER") return 2;
  if (state == "FAULT") return 3;
  return 0;  // INIT, STOP
}

std::string address_without_length(const std::string& prefix) { return prefix.substr(0, prefix.find('/')); }

const json& virtual_servers_of(const json& status) {
  static const json kEmpty = json::array();
  if (!status.is_object()) return kEmpty;
  const auto it = status.find("virtual_servers");
  return it != status.end() && it->is_array() ? *it : kEmpty;
}

// "http_get[0] ok", "tcp_check[0] DOWN (3 failed: connection refused)".
std::string checker_text(const json& checker) {
  std::string out = member_text(checker, "name");
  const json failed = checker.value("failed_in_a_row", json(0));
  const bool up = checker.value("up", false);
  const std::string last = member_text(checker, "last_result", "");
  if (last.empty()) {
    out += up ? " up (not probed yet)" : " DOWN (not probed yet)";
  } else if (last == "ok") {
    out += up ? " ok" : " DOWN (passed, not yet up)";
  } else {
    out += fmt::format(" {} ({} failed: {})", up ? "failing" : "DOWN", text(failed),
                       member_text(checker, "last_failure", "?"));
  }
  return out;
}

std::string quorum_text(const json& server) {
  const json quorum = server.value("quorum", json::object());
  if (!quorum.is_object()) return "-";
  return fmt::format("{} {}/{}", quorum.value("up", false) ? "up" : "LOST", text(quorum.value("live_weight", json())),
                     text(quorum.value("required", json())));
}

std::string sorry_text(const json& server) {
  const json sorry = server.value("sorry_server", json());
  if (!sorry.is_object()) return "-";
  return member_text(sorry, "address") + (sorry.value("active", false) ? " ACTIVE" : " idle");
}

// One row per real server; the virtual server's columns only on its first row.
std::string format_virtual_servers(const json& status, double now_unix) {
  const json& servers = virtual_servers_of(status);
  std::string out;
  if (const auto ipvs = status.find("ipvs"); ipvs != status.end() && ipvs->is_object()) {
    const std::string state = member_text(*ipvs, "state", "");
    if (state == "unavailable") out += "\nIPVS: unavailable (the kernel has no IPVS)\n";
  }
  if (servers.empty()) return out;
  std::vector<std::vector<std::string>> rows{{"VIRTUAL SERVER", "SCHED", "QUORUM", "SORRY SERVER", "REAL SERVER",
                                              "WEIGHT", "STATE", "LAST CHANGE", "CHECKERS"}};
  for (const auto& server : servers) {
    std::vector<std::string> first{
        member_text(server, "name") + (server.value("suspended", false) ? " (suspended)" : ""),
        member_text(server, "scheduler"), quorum_text(server), sorry_text(server)};
    const json reals = server.value("real_servers", json::array());
    if (reals.empty()) {
      first.insert(first.end(), {"-", "-", "-", "-", "-"});
      rows.push_back(std::move(first));
      continue;
    }
    bool first_row = true;
    for (const auto& real : reals) {
      std::vector<std::string> row = first_row ? first : std::vector<std::string>{"", "", "", ""};
      first_row = false;
      std::vector<std::string> checkers;
      const json list = real.value("checkers", json::array());
      for (const auto& checker : list) checkers.push_back(checker_text(checker));
      std::string checker_column;
      for (const auto& c : checkers) checker_column += (checker_column.empty() ? "" : ", ") + c;
      row.push_back(member_text(real, "address"));
      row.push_back(fmt::format("{}/{}", member_text(real, "weight"), member_text(real, "current_weight")));
      row.push_back(real.value("up", false) ? "UP" : "DOWN");
      row.push_back(real.value("last_change", json()).is_number() ? age(real["last_change"], now_unix) : "since start");
      row.push_back(checker_column.empty() ? "-" : checker_column);
      rows.push_back(std::move(row));
    }
  }
  out += '\n' + table(rows);
  return out;
}

// A track script's next run as "in 3s" (its schedule is in the future; a past one means it is due).
std::string due_in(const json& when, double now_unix) {
  if (!when.is_number()) return "-";
  const double seconds = when.get<double>() - now_unix;
  return seconds <= 0 ? "due" : fmt::format("in {:.0f}s", seconds);
}

std::string format_scripts(const json& status, double now_unix) {
  const json scripts = status.is_object() ? status.value("vrrp_scripts", json::array()) : json::array();
  if (!scripts.is_array() || scripts.empty()) return {};
  std::vector<std::vector<std::string>> rows{
      {"SCRIPT", "STATUS", "RUNS", "FAILURES", "TIMEOUTS", "LAST RUN", "TOOK", "NEXT RUN"}};
  for (const auto& script : scripts) {
    if (!script.is_object()) continue;
    std::string state = member_text(script, "status");
    if (script.value("disabled", false)) state += " (disabled)";
    if (script.value("running", false)) state += " (running)";
    rows.push_back({member_text(script, "name"), state, member_text(script, "runs"), member_text(script, "failures"),
                    member_text(script, "timeouts"), age(script.value("last_run", json()), now_unix),
                    fmt::format("{:.3f}s", script.value("last_duration_seconds", 0.0)),
                    due_in(script.value("next_run", json()), now_unix)});
  }
  return '\n' + table(rows);
}

// A histogram from the status document's {"bounds", "counts", "count", "sum"} under `key`;
// nothing when the document has none.
std::optional<Family> histogram_family(std::string name, std::string help, const json& status, const char* key) {
  const json histogram = status.is_object() ? status.value(key, json()) : json();
  if (!histogram.is_object()) return std::nullopt;
  Family family(std::move(name), "histogram", std::move(help));
  const json bounds = histogram.value("bounds", json::array());
  const json counts = histogram.value("counts", json::array());
  double cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i].is_number() ? counts[i].get<double>() : 0.0;
    const bool bounded = i < bounds.size() && bounds[i].is_number();
    family.add_series("_bucket", {{"le", bounded ? format_value(bounds[i].get<double>()) : "+Inf"}}, cumulative);
  }
  family.add_series("_sum", {}, histogram.value("sum", 0.0));
  family.add_series("_count", {}, histogram.value("count", 0.0));
  return family;
}

}  // namespace

void add_trackers(json& status, const config::Config& config) {
  if (!status.is_object() || !status.contains("vrrp_instances")) return;
  for (auto& instance : status["vrrp_instances"]) {
    json trackers = json::array();
    const auto found = config.vrrp_instance.find(member_text(instance, "name", ""));
    if (found != config.vrrp_instance.end()) {
      const auto& vi = found->second;
      for (const auto& ref : vi.track_script) trackers.push_back(tracker_text("script", ref));
      for (const auto& ref : vi.track_interface) trackers.push_back(tracker_text("interface", ref));
      for (const auto& ref : vi.track_file) trackers.push_back(tracker_text("file", ref));
      for (const auto& ref : vi.track_process) trackers.push_back(tracker_text("process", ref));
    }
    instance["trackers"] = std::move(trackers);
  }
}

std::map<std::string, std::uint64_t> instance_counters(const json& instance) {
  std::map<std::string, std::uint64_t> counters;
  if (!instance.is_object()) return counters;
  if (const auto stats = instance.find("stats"); stats != instance.end() && stats->is_object()) {
    for (const auto& [name, value] : stats->items()) {
      if (const auto count = count_value(value)) counters[name] = *count;
    }
  }
  if (const auto receive = instance.find("receive"); receive != instance.end() && receive->is_object()) {
    for (const auto& [name, value] : receive->items()) {
      if (const auto count = count_value(value)) {
        counters[name] = *count;
      } else if (value.is_object()) {
        for (const auto& [reason, per_reason] : value.items()) {
          if (const auto reason_count = count_value(per_reason)) counters[name + "." + reason] = *reason_count;
        }
      }
    }
  }
  return counters;
}

void StatsBaseline::clear(const json& status, double now_unix) {
  baseline_.clear();
  for (const auto& instance : instances_of(status)) {
    baseline_[member_text(instance, "name", "")] = instance_counters(instance);
  }
  cleared_at_ = now_unix;
}

json StatsBaseline::stats(const json& status) const {
  json instances = json::array();
  for (const auto& instance : instances_of(status)) {
    const std::string name = member_text(instance, "name", "");
    const auto base = baseline_.find(name);
    json counters = json::object();
    for (const auto& [key, value] : instance_counters(instance)) {
      std::uint64_t since = value;
      if (base != baseline_.end()) {
        const auto old = base->second.find(key);
        // A counter below its baseline was reset (the instance was re-created): count from zero.
        if (old != base->second.end() && old->second <= value) since = value - old->second;
      }
      counters[key] = since;
    }
    instances.push_back({{"name", name},
                         {"interface", instance.value("interface", json())},
                         {"virtual_router_id", instance.value("virtual_router_id", json())},
                         {"counters", std::move(counters)}});
  }
  return {{"cleared_at", cleared_at_ ? json(*cleared_at_) : json()}, {"vrrp_instances", std::move(instances)}};
}

std::string format_status(const json& status, double now_unix) {
  std::string out;
  if (const auto daemon = status.find("daemon"); daemon != status.end() && daemon->is_object()) {
    out += fmt::format("vigild {} (pid {}), config {}, up since {}\n", member_text(*daemon, "version"),
                       member_text(*daemon, "pid"), member_text(*daemon, "config_file"),
                       age(daemon->value("started_at", json()), now_unix));
    const json last = daemon->value("last_reload", json());
    if (last.is_object()) {
      if (last.value("ok", false)) {
        out += fmt::format("last reload: ok, {}\n", age(last.value("at", json()), now_unix));
      } else {
        out += fmt::format("last reload: FAILED, {}; the previous config stays in force:\n",
                           age(last.value("at", json()), now_unix));
        const json errors = last.value("errors", json::array());
        for (const auto& error : errors) out += "  " + text(error) + '\n';
      }
    }
    out += '\n';
  }
  const json& instances = instances_of(status);
  if (instances.empty()) {
    out += "no VRRP instances\n";
  } else {
    std::vector<std::vector<std::string>> rows{
        {"INSTANCE", "STATE", "PRIO", "VRID", "INTERFACE", "MASTER", "VIPS", "TRACKERS", "LAST CHANGE"}};
    for (const auto& instance : instances) {
      rows.push_back(
          {member_text(instance, "name"), member_text(instance, "state"),
           fmt::format("{}/{}", member_text(instance, "base_priority"), member_text(instance, "effective_priority")),
           member_text(instance, "virtual_router_id"), member_text(instance, "interface"),
           member_text(instance, "master_address"), join(instance.value("virtual_ipaddress", json()), ","),
           join(instance.value("trackers", json()), ","), age(instance.value("last_transition", json()), now_unix)});
    }
    out += table(rows);
  }
  out += format_scripts(status, now_unix);
  out += format_virtual_servers(status, now_unix);
  return out;
}

std::string format_stats(const json& stats) {
  std::string out;
  if (const auto cleared = stats.find("cleared_at"); cleared != stats.end() && cleared->is_number()) {
    const auto when = static_cast<std::time_t>(cleared->get<double>());
    std::tm utc{};
    ::gmtime_r(&when, &utc);
    out += fmt::format("counters since {:04}-{:02}-{:02} {:02}:{:02}:{:02} UTC (stats --clear)\n", utc.tm_year + 1900,
                       utc.tm_mon + 1, utc.tm_mday, utc.tm_hour, utc.tm_min, utc.tm_sec);
  } else {
    out += "counters since start\n";
  }
  for (const auto& instance : instances_of(stats)) {
    out += fmt::format("\n{} (vrid {} on {})\n", member_text(instance, "name"),
                       member_text(instance, "virtual_router_id"), member_text(instance, "interface"));
    std::vector<std::vector<std::string>> rows;
    const json counters = instance.value("counters", json::object());
    for (const auto& [name, value] : counters.items()) {
      rows.push_back({"  " + name, text(value)});
    }
    out += table(rows);
  }
  return out;
}

std::string render_metrics(const json& status) {
  const json& instances = instances_of(status);
  const json daemon = status.is_object() ? status.value("daemon", json::object()) : json::object();

  Family up("keepalived_up", "gauge", "Whether the daemon is running (always 1 when scraped)");
  up.add({}, 1);
  Family state("keepalived_vrrp_state", "gauge",
               "VRRP state per VIP, keepalived's numbers: 0 INIT, 1 BACKUP, 2 MASTER, 3 FAULT");
  Family sent("keepalived_advertisements_sent_total", "counter", "Advertisements sent");
  Family received("keepalived_advertisements_received_total", "counter", "Advertisements received and accepted");
  Family became("keepalived_become_master_total", "counter", "Transitions to MASTER");
  Family released("keepalived_release_master_total", "counter", "Transitions away from MASTER");
  Family zero_sent("keepalived_priority_zero_sent_total", "counter", "Priority-0 advertisements sent");
  Family zero_received("keepalived_priority_zero_received_total", "counter", "Priority-0 advertisements received");
  Family length("keepalived_packet_length_errors_total", "counter", "Advertisements too short for their contents");
  Family interval("keepalived_advertisements_interval_errors_total", "counter",
                  "Advertisements with another interval (VRRPv2: dropped)");
  Family ttl("keepalived_ip_ttl_errors_total", "counter", "Advertisements with a TTL or hop limit other than 255");
  Family type("keepalived_invalid_type_received_total", "counter", "VRRP packets that are not advertisements");
  Family address_list("keepalived_address_list_errors_total", "counter",
                      "Advertisements whose address list differs from ours");
  Family auth_invalid("keepalived_authentication_invalid_total", "counter", "Unknown VRRPv2 authentication type");
  Family auth_mismatch("keepalived_authentication_mismatch_total", "counter",
                       "VRRPv2 authentication type differs from ours");
  Family auth_failure("keepalived_authentication_failure_total", "counter", "VRRPv2 password differs");
  Family priority("vigil_vrrp_priority", "gauge", "Priority: configured (base) and after trackers (effective)");
  Family rejected("vigil_vrrp_adverts_rejected_total", "counter", "Received advertisements dropped, by reason");
  Family vip_failures("vigil_vrrp_vip_failures_total", "counter", "VIP netlink transactions that failed");
  Family transition("vigil_vrrp_last_transition_timestamp_seconds", "gauge", "Unix time of the last state change");

  for (const auto& instance : instances) {
    const std::vector<std::pair<std::string, std::string>> labels{
        {"iname", member_text(instance, "name", "")},
        {"intf", member_text(instance, "interface", "")},
        {"vrid", member_text(instance, "virtual_router_id", "")}};
    const auto counters = instance_counters(instance);
    const auto value = [&](const std::string& key) -> double {
      const auto it = counters.find(key);
      return it == counters.end() ? 0.0 : static_cast<double>(it->second);
    };
    const int state_number = keepalived_state_number(member_text(instance, "state", ""));
    const json vips = instance.value("virtual_ipaddress", json::array());
    if (vips.empty()) {
      auto with_address = labels;
      with_address.emplace_back("ip_address", "");
      state.add(with_address, state_number);
    }
    for (const auto& vip : vips) {
      auto with_address = labels;
      with_address.emplace_back("ip_address", address_without_length(text(vip, "")));
      state.add(with_address, state_number);
    }
    sent.add(labels, value("adverts_sent"));
    received.add(labels, value("adverts_received"));
    became.add(labels, value("become_master"));
    released.add(labels, value("release_master"));
    zero_sent.add(labels, value("priority_zero_sent"));
    zero_received.add(labels, value("priority_zero_received"));
    length.add(labels, value("rejected.too-short") + value("rejected.address-count-too-large"));
    interval.add(labels, value("rejected.interval-mismatch") + value("interval_differs"));
    ttl.add(labels, value("rejected.bad-ttl"));
    type.add(labels, value("rejected.not-advertisement"));
    address_list.add(labels, value("address_list_mismatch"));
    auth_invalid.add(labels, value("rejected.unknown-auth-type"));
    auth_mismatch.add(labels, value("rejected.auth-type-mismatch"));
    auth_failure.add(labels, value("rejected.auth-failure"));
    vip_failures.add(labels, value("vip_failures"));
    for (const char* kind : {"base", "effective"}) {
      auto with_kind = labels;
      with_kind.emplace_back("kind", kind);
      const json prio = instance.value(std::string(kind) + "_priority", json());
      priority.add(with_kind, prio.is_number() ? prio.get<double>() : 0.0);
    }
    for (const auto& [key, count] : counters) {
      if (key.rfind("rejected.", 0) != 0) continue;
      auto with_reason = labels;
      with_reason.emplace_back("reason", key.substr(std::string_view("rejected.").size()));
      rejected.add(with_reason, static_cast<double>(count));
    }
    if (const json last = instance.value("last_transition", json()); last.is_number()) {
      transition.add(labels, last.get<double>());
    }
  }

  // The exporter's script families: status 1 GOOD / 0 BAD (the rise/fall verdict), state 0 idle /
  // 1 running; then Vigil's own counters per script.
  Family script_status("keepalived_script_status", "gauge", "vrrp_script result after rise/fall: 1 GOOD, 0 BAD");
  Family script_state("keepalived_script_state", "gauge", "vrrp_script run state: 0 idle, 1 running");
  Family script_runs("vigil_script_runs_total", "counter", "vrrp_script runs finished");
  Family script_failures("vigil_script_failures_total", "counter",
                         "vrrp_script runs that did not exit 0 (timeouts included)");
  Family script_timeouts("vigil_script_timeouts_total", "counter", "vrrp_script runs killed at their timeout");
  Family script_duration("vigil_script_last_duration_seconds", "gauge", "How long the last vrrp_script run took");
  const json scripts = status.is_object() ? status.value("vrrp_scripts", json::array()) : json::array();
  for (const auto& script : scripts) {
    if (!script.is_object()) continue;
    const std::vector<std::pair<std::string, std::string>> labels{{"name", member_text(script, "name", "")}};
    const auto count = [&](const char* key) -> double {
      const auto it = script.find(key);
      const auto value = it == script.end() ? std::nullopt : count_value(*it);
      return value ? static_cast<double>(*value) : 0.0;
    };
    script_status.add(labels, member_text(script, "status", "") == "GOOD" ? 1 : 0);
    script_state.add(labels, script.value("running", false) ? 1 : 0);
    script_runs.add(labels, count("runs"));
    script_failures.add(labels, count("failures"));
    script_timeouts.add(labels, count("timeouts"));
    script_duration.add(labels, script.value("last_duration_seconds", 0.0));
  }

  Family reloads("vigil_reloads_total", "counter", "Config reloads (SIGHUP or vigilctl reload) by result");
  reloads.add({{"result", "success"}}, daemon.value("reloads_succeeded", 0.0));
  reloads.add({{"result", "failure"}}, daemon.value("reloads_failed", 0.0));
  Family reload_ok("vigil_last_reload_success", "gauge", "1 when the last reload was applied, 0 when it failed");
  Family reload_duration("vigil_last_reload_duration_seconds", "gauge", "Time the last reload took");
  Family reload_time("vigil_last_reload_timestamp_seconds", "gauge", "Unix time of the last reload");
  if (const json last = daemon.value("last_reload", json()); last.is_object()) {
    reload_ok.add({}, last.value("ok", false) ? 1 : 0);
    reload_duration.add({}, last.value("duration_seconds", 0.0));
    reload_time.add({}, last.value("at", 0.0));
  }
  Family started("vigil_start_timestamp_seconds", "gauge", "Unix time the daemon started");
  started.add({}, daemon.value("started_at", 0.0));

  // The load balancer: one series per virtual server, real server and checker (their number is
  // the config's, so the cardinality is what the operator wrote).
  Family vs_quorum("vigil_virtual_server_quorum_up", "gauge", "1 while the virtual server holds its quorum");
  Family vs_weight("vigil_virtual_server_live_weight", "gauge", "Total weight of the live real servers");
  Family vs_sorry("vigil_virtual_server_sorry_server_active", "gauge", "1 while the sorry server is the pool");
  Family rs_up("vigil_real_server_up", "gauge", "1 while every checker of the real server passes");
  Family rs_weight("vigil_real_server_weight", "gauge",
                   "Real server weight: configured, and current (what IPVS was given; 0 when not in the pool)");
  Family rs_change("vigil_real_server_last_change_timestamp_seconds", "gauge",
                   "Unix time the real server last went up or down");
  Family checker_up("vigil_checker_up", "gauge", "The checker's verdict (1 up, 0 down)");
  Family checks("vigil_checker_checks_total", "counter", "Probes run by the checker, by result");
  Family failed_in_a_row("vigil_checker_failures_in_a_row", "gauge", "Failed probes since the checker's last pass");
  for (const auto& server : virtual_servers_of(status)) {
    const std::string vs_name = member_text(server, "name", "");
    const std::vector<std::pair<std::string, std::string>> vs_labels{{"virtual_server", vs_name}};
    const json quorum = server.value("quorum", json::object());
    vs_quorum.add(vs_labels, quorum.value("up", false) ? 1 : 0);
    vs_weight.add(vs_labels, quorum.value("live_weight", 0.0));
    const json sorry = server.value("sorry_server", json());
    vs_sorry.add(vs_labels, sorry.is_object() && sorry.value("active", false) ? 1 : 0);
    const json reals = server.value("real_servers", json::array());
    for (const auto& real : reals) {
      const std::vector<std::pair<std::string, std::string>> rs_labels{
          {"virtual_server", vs_name}, {"real_server", member_text(real, "address", "")}};
      rs_up.add(rs_labels, real.value("up", false) ? 1 : 0);
      auto configured = rs_labels;
      configured.emplace_back("kind", "configured");
      rs_weight.add(configured, real.value("weight", 0.0));
      auto current = rs_labels;
      current.emplace_back("kind", "current");
      const json now_weight = real.value("current_weight", json());
      rs_weight.add(current, now_weight.is_number() ? now_weight.get<double>() : 0.0);
      if (const json changed = real.value("last_change", json()); changed.is_number()) {
        rs_change.add(rs_labels, changed.get<double>());
      }
      const json list = real.value("checkers", json::array());
      for (const auto& checker : list) {
        auto labels = rs_labels;
        labels.emplace_back("checker", member_text(checker, "name", ""));
        checker_up.add(labels, checker.value("up", false) ? 1 : 0);
        failed_in_a_row.add(labels, checker.value("failed_in_a_row", 0.0));
        auto passed = labels;
        passed.emplace_back("result", "success");
        checks.add(passed, checker.value("probes_passed", 0.0));
        auto failed = labels;
        failed.emplace_back("result", "failure");
        checks.add(failed, checker.value("probes_failed", 0.0));
      }
    }
  }

  // The kernel's traffic counters of Vigil's IPVS services, under the keepalived exporter's names
  // and labels (addr "192.0.2.10:80", proto "6"); a real server's series also name their service
  // (`service`), since one real server may serve several. Declared untyped: the exporter's names
  // lack the "_total" a counter's name needs, and they stay as dashboards know them.
  const std::array<std::pair<const char*, const char*>, 5> kLvsCounters{{{"in_packets", "packets_in"},
                                                                         {"out_packets", "packets_out"},
                                                                         {"in_bytes", "bytes_in"},
                                                                         {"out_bytes", "bytes_out"},
                                                                         {"conn", "connections"}}};
  std::vector<Family> lvs_vip;
  std::vector<Family> lvs_rs;
  for (const auto& [suffix, field] : kLvsCounters) {
    lvs_vip.emplace_back(fmt::format("keepalived_lvs_vip_{}", suffix), "untyped",
                         fmt::format("IPVS service {} since it was added (kernel counter)", field));
    lvs_rs.emplace_back(fmt::format("keepalived_lvs_rs_{}", suffix), "untyped",
                        fmt::format("IPVS real server {} since it was added (kernel counter)", field));
  }
  const json ipvs = status.is_object() ? status.value("ipvs", json::object()) : json::object();
  for (const auto& service : ipvs.value("services", json::array())) {
    const std::string addr = member_text(service, "address", "");
    const std::string proto = std::to_string(service.value("protocol", 0));
    for (std::size_t i = 0; i < kLvsCounters.size(); ++i) {
      lvs_vip[i].add({{"addr", addr}, {"proto", proto}}, service.value(kLvsCounters[i].second, 0.0));
    }
    for (const auto& destination : service.value("destinations", json::array())) {
      const std::vector<std::pair<std::string, std::string>> labels{
          {"addr", member_text(destination, "address", "")}, {"proto", proto}, {"service", addr}};
      for (std::size_t i = 0; i < kLvsCounters.size(); ++i) {
        lvs_rs[i].add(labels, destination.value(kLvsCounters[i].second, 0.0));
      }
    }
  }

  // One histogram for all instances (engine/advert_lateness.hpp), present once VRRP runs, and one
  // for all vrrp_scripts (engine/tracking.hpp).
  const auto lateness =
      histogram_family("vigil_advert_send_lateness_seconds",
                       "Scheduled VRRP advertisements: time sent minus time scheduled", status, "advert_send_lateness");
  const auto script_lateness = histogram_family(
      "vigil_script_start_lateness_seconds", "vrrp_script runs: time the script started (exec'ed) minus time scheduled",
      status, "script_start_lateness");

  std::string out;
  for (const Family* family : {&up,
                               &state,
                               &sent,
                               &received,
                               &became,
                               &released,
                               &zero_sent,
                               &zero_received,
                               &length,
                               &interval,
                               &ttl,
                               &type,
                               &address_list,
                               &auth_invalid,
                               &auth_mismatch,
                               &auth_failure,
                               &priority,
                               &rejected,
                               &vip_failures,
                               &transition,
                               &reloads,
                               &reload_ok,
                               &reload_duration,
                               &reload_time,
                               &started,
                               &vs_quorum,
                               &vs_weight,
                               &vs_sorry,
                               &rs_up,
                               &rs_weight,
                               &rs_change,
                               &checker_up,
                               &checks,
                               &failed_in_a_row}) {
    family->write(out);
  }
  for (const auto* group : {&lvs_vip, &lvs_rs}) {
    for (const auto& family : *group) family.write(out);
  }
  for (const Family* family :
       {&script_status, &script_state, &script_runs, &script_failures, &script_timeouts, &script_duration}) {
    family->write(out);
  }
  for (const auto& histogram : {&lateness, &script_lateness}) {
    if (*histogram) (*histogram)->write(out);
  }
  return out;
}

}  // namespace vigil::control
