// The `ip addr` / `ip route` / `ip rule`-like lines of virtual_ipaddress, virtual_routes,
// virtual_rules and static_*. A line with anything Vigil cannot express is kept whole as a comment.
#include <fmt/format.h>

#include "base/ip_address.hpp"
#include "kconf2toml/map_sections.hpp"

namespace vigil::kconf {
namespace {

bool is_prefix(const std::string& text) { return IpPrefix::parse(text).has_value(); }
bool is_address(const std::string& text) { return IpAddress::parse(text).has_value(); }

bool is_number(const std::string& text) {
  return !text.empty() && text.find_first_not_of("0123456789") == std::string::npos;
}

Value table_or_name(const std::string& text) {
  if (is_number(text)) return Value::integer(std::strtoll(text.c_str(), nullptr, 10));
  return Value::string(text);
}

}  // namespace

void map_address_lines(MapContext& ctx, const Node& node, Value& list, Value& notes_table) {
  for (const auto& line : node.children) {
    const auto words = line.words();
    if (is_placeholder(words[0])) {
      ctx.invalid(line, notes_table,
                  fmt::format("'{}' is a template placeholder: render the template, then convert", words[0]));
      continue;
    }
    if (!is_prefix(words[0])) {
      ctx.invalid(line, notes_table, fmt::format("'{}' is not an address or prefix", words[0]));
      continue;
    }
    Value address = Value::table();
    address.set("address", Value::string(words[0]));
    std::string problem;
    for (std::size_t i = 1; i < words.size() && problem.empty(); ++i) {
      const std::string& w = words[i];
      const bool has_value = i + 1 < words.size();
      if ((w == "dev" || w == "scope" || w == "label") && has_value) {
        address.set(w, Value::string(words[++i]));
      } else if ((w == "brd" || w == "broadcast") && has_value) {
        if (!is_address(words[i + 1])) {
          problem = fmt::format("broadcast '{}' (+/-) is not supported", words[i + 1]);
        } else {
          address.set("broadcast", Value::string(words[++i]));
        }
      } else if (w == "peer" && has_value) {
        address.set("peer", Value::string(words[++i]));
      } else if (w == "no_track") {
        address.set("no_track", Value::boolean(true));
      } else if (w == "preferred_lft" && has_value) {
        address.set("preferred_lft", table_or_name(words[++i]));
      } else if (w == "-nodad" || w == "nodad") {
        // Vigil adds IPv6 VIPs with nodad anyway.
      } else {
        problem = fmt::format("'{}' is not supported on address lines", w);
      }
    }
    if (!problem.empty()) {
      ctx.invalid(line, notes_table, problem);
      continue;
    }
    if (address.entries().size() == 1) {
      list.push(Value::string(words[0]));
    } else {
      list.prefer_inline = true;
      list.push(std::move(address));
    }
  }
}

void map_route_lines(MapContext& ctx, const Node& node, Value& list, Value& notes_table) {
  list.prefer_inline = true;
  for (const auto& line : node.children) {
    const auto words = line.words();
    Value route = Value::table();
    std::string problem;
    for (std::size_t i = 0; i < words.size() && problem.empty(); ++i) {
      const std::string& w = words[i];
      const bool has_value = i + 1 < words.size();
      if (w == "to" && has_value) {
        route.set("to", Value::string(words[++i]));
      } else if ((w == "via" || w == "gw") && has_value) {
        route.set("via", Value::string(words[++i]));
      } else if ((w == "src" || w == "dev" || w == "scope") && has_value) {
        route.set(w, Value::string(words[++i]));
      } else if ((w == "table" || w == "lookup") && has_value) {
        route.set("table", table_or_name(words[++i]));
      } else if ((w == "metric" || w == "preference" || w == "priority") && has_value && is_number(words[i + 1])) {
        route.set("metric", Value::integer(std::strtoll(words[++i].c_str(), nullptr, 10)));
      } else if ((w == "protocol" || w == "proto") && has_value) {
        route.set("protocol", table_or_name(words[++i]));
      } else if (w == "blackhole" || w == "unreachable" || w == "prohibit" || w == "local" || w == "unicast") {
        route.set("type", Value::string(w));
      } else if (w == "onlink" || w == "no_track") {
        route.set(w, Value::boolean(true));
      } else if (!route.find("to") && (w == "default" || is_prefix(w))) {
        route.set("to", Value::string(w));
      } else {
        problem = fmt::format("route option '{}' is not supported by Vigil", w);
      }
    }
    if (problem.empty() && !route.find("to")) problem = "the route has no destination";
    if (!problem.empty()) {
      ctx.invalid(line, notes_table, problem);
      continue;
    }
    list.push(std::move(route));
  }
}

void map_rule_lines(MapContext& ctx, const Node& node, Value& list, Value& notes_table) {
  list.prefer_inline = true;
  for (const auto& line : node.children) {
    const auto words = line.words();
    Value rule = Value::table();
    std::string problem;
    for (std::size_t i = 0; i < words.size() && problem.empty(); ++i) {
      const std::string& w = words[i];
      const bool has_value = i + 1 < words.size();
      if ((w == "from" || w == "to") && has_value) {
        const std::string& prefix = words[++i];
        if (prefix != "all" && prefix != "default") rule.set(w, Value::string(prefix));  // else: any address
      } else if ((w == "iif" || w == "oif") && has_value) {
        rule.set(w, Value::string(words[++i]));
      } else if ((w == "table" || w == "lookup") && has_value) {
        rule.set("table", table_or_name(words[++i]));
      } else if ((w == "priority" || w == "preference" || w == "pref") && has_value && is_number(words[i + 1])) {
        rule.set("priority", Value::integer(std::strtoll(words[++i].c_str(), nullptr, 10)));
      } else if (w == "fwmark" && has_value) {
        const std::string& mark = words[++i];
        const auto slash = mark.find('/');
        rule.set("fwmark", Value::integer(std::strtoll(mark.substr(0, slash).c_str(), nullptr, 0)));
        if (slash != std::string::npos) {
          rule.set("fwmask", Value::integer(std::strtoll(mark.substr(slash + 1).c_str(), nullptr, 0)));
        }
      } else if (w == "not") {
        rule.set("invert", Value::boolean(true));
      } else if (w == "inet" || w == "inet6") {
        rule.set("family", Value::string(w));
      } else if (w == "blackhole" || w == "unreachable" || w == "prohibit") {
        rule.set("action", Value::string(w));
      } else if (w == "no_track") {
        rule.set("no_track", Value::boolean(true));
      } else {
        problem = fmt::format("rule option '{}' is not supported by Vigil", w);
      }
    }
    if (!problem.empty()) {
      ctx.invalid(line, notes_table, problem);
      continue;
    }
    list.push(std::move(rule));
  }
}

}  // namespace vigil::kconf
