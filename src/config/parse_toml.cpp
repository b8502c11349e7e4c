// TOML front-end: toml++ text -> generic located tree. toml++ positions are already 1-based and it
// rejects duplicate keys itself; a syntax error stops the parse (toml++ reports only the first).
#include <sstream>
#include <string>
#include <toml++/toml.h>
#include <vector>

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
      const toml::table& table = *value.as_table();
      out.keys.reserve(table.size());
      out.key_locations.reserve(table.size());
      out.items.reserve(table.size());
      for (const auto& [key, child] : table) {
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
      out.items.reserve(value.as_array()->size());
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

std::string trim(std::string_view text) {
  const auto first = text.find_first_not_of(" \t\r");
  if (first == std::string_view::npos) return {};
  const auto last = text.find_last_not_of(" \t\r");
  return std::string(text.substr(first, last - first + 1));
}

// toml++ reports a duplicate as "cannot redefine existing integer 'priority'" at the end of the
// value. Say it as the YAML front-end does: at the key, with its key path, when the enclosing table
// is a plain [header] (inside [[arrays]] the element index is unknown, so the path stays empty).
void rewrite_duplicate(std::string_view text, Diagnostic& diagnostic) {
  const std::string& message = diagnostic.message;
  if (message.find("cannot redefine existing") == std::string::npos) return;
  const auto close = message.rfind('\'');
  const auto open = close == std::string::npos || close == 0 ? std::string::npos : message.rfind('\'', close - 1);
  if (open == std::string::npos) return;
  const std::string name = message.substr(open + 1, close - open - 1);
  std::vector<std::string_view> lines;
  for (std::size_t start = 0; start <= text.size();) {
    const auto end = text.find('\n', start);
    lines.push_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) break;
    start = end + 1;
  }
  const auto line_index = static_cast<std::size_t>(diagnostic.where.line - 1);
  if (diagnostic.where.line < 1 || line_index >= lines.size()) return;
  const std::string_view line = lines[line_index];
  diagnostic.where.column = static_cast<int>(line.find_first_not_of(" \t")) + 1;
  const std::string here = trim(line);
  if (here.starts_with("[")) {  // a table defined twice: the name is already its path
    diagnostic.key_path = name;
    diagnostic.message = "duplicate table \"" + name + "\"";
    return;
  }
  diagnostic.message = "duplicate key \"" + name + "\"";
  for (std::size_t i = line_index; i-- > 0;) {
    const std::string header = trim(lines[i]);
    if (header.starts_with("[[")) return;
    if (header.starts_with("[")) {
      const auto end = header.find(']');
      if (end == std::string::npos) return;
      diagnostic.key_path = trim(std::string_view(header).substr(1, end - 1)) + "." + name;
      return;
    }
  }
  diagnostic.key_path = name;
}

}  // namespace

ParsedTree parse_toml(std::string_view text, const std::string& file_name) {
  ParsedTree out;
  try {
    const toml::table table = toml::parse(text, std::string_view(file_name));
    out.root = convert(table, file_name, SourceLocation{file_name, 1, 1});
  } catch (const toml::parse_error& error) {
    Diagnostic diagnostic{Severity::kError, location_of(error.source(), file_name), "",
                          std::string(error.description())};
    rewrite_duplicate(text, diagnostic);
    out.diagnostics.push_back(std::move(diagnostic));
  }
  return out;
}

}  // namespace vigil::config
