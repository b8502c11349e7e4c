#pragma once
// The section mappers behind map_to_vigil(), one per keepalived area.
#include <optional>
#include <string>

#include "kconf2toml/document.hpp"
#include "kconf2toml/keyword_tree.hpp"
#include "kconf2toml/map_context.hpp"

namespace vigil::kconf {

// What the VRRP mappers need to know about global_defs to apply keepalived's semantics.
struct GlobalFacts {
  int vrrp_version = 2;
  bool strict = false;
  std::optional<int> down_timer_adverts;  // vrrp_down_timer_adverts: Vigil has only the per-instance key
};

void map_global_defs(MapContext& ctx, const Node& node, Value& global, GlobalFacts& facts);
void map_vrrp_script(MapContext& ctx, const Node& node, Value& out);
void map_track_file(MapContext& ctx, const Node& node, Value& out);
void map_track_process(MapContext& ctx, const Node& node, Value& out);
void map_vrrp_instance(MapContext& ctx, const Node& node, Value& out, Value& notes, const GlobalFacts& facts);
void map_sync_group(MapContext& ctx, const Node& node, Value& out, Value& notes);
// static_ipaddress / static_routes / static_rules, and the VIP/route/rule lines of instances.
void map_address_lines(MapContext& ctx, const Node& node, Value& list, Value& notes_table);
void map_route_lines(MapContext& ctx, const Node& node, Value& list, Value& notes_table);
void map_rule_lines(MapContext& ctx, const Node& node, Value& list, Value& notes_table);

void map_ssl(MapContext& ctx, const Node& node, Value& out);
void map_virtual_server_group(MapContext& ctx, const Node& node, Value& out);
// `notes`: where a virtual_server that cannot be converted at all is carried as a comment.
void map_virtual_server(MapContext& ctx, const Node& node, Value& out, Value& notes);

}  // namespace vigil::kconf
