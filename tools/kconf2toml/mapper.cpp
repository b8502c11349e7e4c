#include "kconf2toml/mapper.hpp"

#include <fmt/format.h>

#include "base/ip_address.hpp"
#include "kconf2toml/map_sections.hpp"

namespace vigil::kconf {
namespace {

// Sections in the order docs/config.md lists them; empty ones are left out at the end.
constexpr std::string_view kSections[] = {
    "global",           "vrrp_script",   "track_file",   "track_process", "vrrp_instance",        "vrrp_sync_group",
    "static_ipaddress", "static_routes", "static_rules", "ssl",           "virtual_server_group", "virtual_server"};

bool is_empty(const Value& v) {
  return (v.is_table() && v.entries().empty() && v.notes.empty()) || (v.is_array() && v.items().empty());
}

// A service on a virtual_server_group has the family of the group's addresses (keepalived's rule);
// Vigil's ip_family says it when that is IPv6.
void infer_group_families(Value& services, const Value& groups) {
  for (auto& service : services.items()) {
    const Value* group_name = service.find("group");
    if (!group_name || service.find("ip_family")) continue;
    const Value* members = groups.find(group_name->text()) ? groups.find(group_name->text())->find("members") : nullptr;
    if (!members) continue;
    for (const auto& member : members->items()) {
      const Value* ip = member.find("ip");
      if (!ip) continue;
      const std::string text = ip->text().substr(0, ip->text().find_first_of("-/"));
      if (const auto address = IpAddress::parse(text); address && address->is_v6()) {
        Value& family = service.set("ip_family", Value::string("inet6"));
        family.comments.push_back("kconf2toml: IPv6, the family of the group's addresses (keepalived's rule)");
      }
      break;
    }
  }
}

}  // namespace

MapResult map_to_vigil(const std::vector<Node>& nodes) {
  Diagnostics diagnostics;
  MapContext ctx(diagnostics);
  Value root = Value::table();
  for (const auto section : kSections) {
    const bool list = section == "virtual_server" || section.substr(0, 7) == "static_";
    root.set(std::string(section), list ? Value::array() : Value::table());
  }
  GlobalFacts facts;
  // global_defs first: vrrp_version and vrrp_strict change how instances convert, wherever they are.
  for (const auto& node : nodes) {
    if (node.keyword != "global_defs") continue;
    Value& global = *root.find("global");
    if (global.comments.empty()) global.comments.push_back(origin(node));
    map_global_defs(ctx, node, global, facts);
  }
  for (const auto& node : nodes) {
    const auto& kw = node.keyword;
    if (kw == "global_defs") continue;
    if (kw == "vrrp_script") {
      map_vrrp_script(ctx, node, *root.find("vrrp_script"));
    } else if (kw == "track_file" || kw == "vrrp_track_file") {
      map_track_file(ctx, node, *root.find("track_file"));
    } else if (kw == "vrrp_track_process") {
      map_track_process(ctx, node, *root.find("track_process"));
    } else if (kw == "vrrp_instance") {
      map_vrrp_instance(ctx, node, *root.find("vrrp_instance"), root, facts);
    } else if (kw == "vrrp_sync_group") {
      map_sync_group(ctx, node, *root.find("vrrp_sync_group"), root);
    } else if (kw == "static_ipaddress") {
      Value& list = *root.find("static_ipaddress");
      map_address_lines(ctx, node, list, root);
      // static addresses are always written as tables (docs/config.md §8.1).
      list.prefer_inline = true;
    } else if (kw == "static_routes") {
      map_route_lines(ctx, node, *root.find("static_routes"), root);
    } else if (kw == "static_rules") {
      map_rule_lines(ctx, node, *root.find("static_rules"), root);
    } else if (kw == "SSL") {
      map_ssl(ctx, node, *root.find("ssl"));
    } else if (kw == "virtual_server_group") {
      map_virtual_server_group(ctx, node, *root.find("virtual_server_group"));
    } else if (kw == "virtual_server") {
      map_virtual_server(ctx, node, *root.find("virtual_server"), root);
    } else if (is_one_of(kw, {"net_namespace", "net_namespace_ipvs", "namespace_with_ipsets"})) {
      ctx.unsupported(node, root,
                      "run vigild in the namespace instead (systemd NetworkNamespacePath= or ip netns exec)");
    } else if (is_one_of(kw, {"use_pid_dir", "instance", "child_wait_time", "linkbeat_use_polling"})) {
      ctx.unsupported(node, root, "keepalived process option with no Vigil equivalent; remove it");
    } else if (kw == "bfd_instance") {
      ctx.unsupported(node, root, "BFD is not supported; track the peer with a vrrp_script instead");
    } else if (is_one_of(kw, {"track_group", "garp_group", "linkbeat_interfaces", "interface_up_down_delays"})) {
      ctx.unsupported(node, root, "no Vigil equivalent yet; remove it or open an issue if you need it");
    } else if (kw.rfind("~", 0) == 0) {
      ctx.unsupported(node, root,
                      "this keepalived directive (~LST ...) is not supported by the converter; "
                      "expand it by hand");
    } else {
      ctx.unknown(node, root, "the top level");
    }
  }
  infer_group_families(*root.find("virtual_server"), *root.find("virtual_server_group"));
  for (const auto section : kSections) {
    if (const auto* v = root.find(section); v && is_empty(*v)) root.erase(section);
  }
  return MapResult{std::move(root), diagnostics.take()};
}

}  // namespace vigil::kconf
