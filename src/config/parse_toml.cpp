// TOML front-end: toml++ text -> generic located tree. toml++ positions are already 1-based and it
// rejects duplicate keys itself; a syntax error stops the parse (toml++ reports only the first).
#include <sstream>
#include <string>
#include <toml++/toml.h>

#include "config/tree.hpp"

namespace vigil::config {
namespace {

SourceLocation location_of(const toml::source_region& region, const std::string& file) {
  return SourceLocation{file, static_cast<int>(region.begin.line), static_cast<int>(region.begin.column)};
}

Node convert(const toml::node& value, const std::string& file, const SourceLocation& fallback) {
  Node out;
  out.where = location_of(value.source(), file);
  if (out.where.line == 0) out.where = fallback;  // implicit tables ([a.b] creates a) have no source
  switch (value.type()) {
    case toml::node_type::table: {
      out.kind = NodeKind::kTable;
      for (const auto& [key, child] : *value.as_table()) {
        SourceLocation key_where = location_of(key.source(), file);
        if (key_where.line == 0) key_where = out.where;
        out.keys.emplace_back(key.str());
        out.key_locations.push_back(key_where);
        out.items.push_back(convert(child, file, key_where));
      }
      break;
    }
    case toml::node_type::array: {
      out.kind = NodeKind::kArray;
      for (const toml::node& child : *value.as_array()) out.items.push_back(convert(child, file, out.where));
      break;
    }
    case toml::node_type::string:
      out.kind = NodeKind::kString;
      out.text = value.as_string()->get();
      break;
    case toml::node_type::integer:
      out.kind = NodeKind::kInteger;
      out.integer = value.as_integer()->get();
      out.text = std::to_string(out.integer);
      break;
    case toml::node_type::floating_point: {
      out.kind = NodeKind::kFloat;
      out.real = value.as_floating_point()->get();
      std::ostringstream spelling;
      spelling << out.real;
      out.text = spelling.str();
      break;
    }
    case toml::node_type::boolean:
      out.kind = NodeKind::kBool;
      out.boolean = value.as_boolean()->get();
      out.text = out.boolean ? "true" : "false";
      break;
    case toml::node_type::date:
    case toml::node_type::time:
    case toml::node_type::date_time:
    case toml::node_type::none: {
      // No Vigil key takes a TOML date or time: keep it as a string-less null so the binder says
      // "expected ..., got a date/time".
      out.kind = NodeKind::kNull;
      out.text = "TOML date/time";
      break;
    }
  }
  return out;
}

}  // namespace

ParsedTree parse_toml(std::string_view text, const std::string& file_name) {
  ParsedTree out;
  try {
    const toml::table table = toml::parse(text, std::string_view(file_name));
    out.root = convert(table, file_name, SourceLocation{file_name, 1, 1});
  } catch (const toml::parse_error& error) {
    out.diagnostics.push_back(
        Diagnostic{Severity::kError, location_of(error.source(), file_name), "", std::string(error.description())});
  }
  return out;
}

}  // namespace vigil::config
