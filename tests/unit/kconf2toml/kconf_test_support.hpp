#pragma once
// Helpers for the kconf2toml tests: parse or convert a snippet held in memory.
#include <algorithm>
#include <string>
#include <vector>

#include "kconf2toml/converter.hpp"
#include "kconf2toml/mapper.hpp"
#include "kconf2toml/parser.hpp"

namespace kconf_test {

using vigil::kconf::Diagnostic;
using vigil::kconf::Node;
using vigil::kconf::Severity;
using vigil::kconf::Value;

inline vigil::kconf::ParseResult parse(const std::string& text, const std::string& config_id = "",
                                       const vigil::kconf::MemoryFileSource& files = {}) {
  vigil::kconf::ParseOptions options;
  options.config_id = config_id;
  return vigil::kconf::parse_text(text, "/etc/keepalived/keepalived.conf", files, options);
}

// "keyword arg arg" for every top-level node, then its children indented: a compact view of the tree.
inline void flatten_into(const std::vector<Node>& nodes, int depth, std::vector<std::string>& out) {
  for (const auto& n : nodes) {
    std::string line(static_cast<std::size_t>(depth) * 2, ' ');
    line += n.keyword;
    for (const auto& a : n.args) line += " " + a;
    out.push_back(line);
    flatten_into(n.children, depth + 1, out);
  }
}

inline std::vector<std::string> flatten(const std::vector<Node>& nodes) {
  std::vector<std::string> out;
  flatten_into(nodes, 0, out);
  return out;
}

inline bool has_diagnostic(const std::vector<Diagnostic>& diagnostics, Severity severity, const std::string& text,
                           std::size_t line = 0) {
  return std::any_of(diagnostics.begin(), diagnostics.end(), [&](const Diagnostic& d) {
    return d.severity == severity && d.message.find(text) != std::string::npos &&
           (line == 0 || d.location.line == line);
  });
}

struct Mapped {
  Value doc;
  std::vector<Diagnostic> diagnostics;
};

inline Mapped map(const std::string& text) {
  auto parsed = parse(text);
  auto mapped = vigil::kconf::map_to_vigil(parsed.nodes);
  Mapped out{std::move(mapped.document), std::move(parsed.diagnostics)};
  out.diagnostics.insert(out.diagnostics.end(), mapped.diagnostics.begin(), mapped.diagnostics.end());
  return out;
}

// Value at a dotted path ("vrrp_instance.VI_1.priority"); nullptr when absent.
inline const Value* at(const Value& root, const std::string& path) {
  const Value* v = &root;
  std::size_t start = 0;
  while (v && start <= path.size()) {
    const auto dot = path.find('.', start);
    const std::string key = path.substr(start, dot == std::string::npos ? std::string::npos : dot - start);
    if (v->is_array()) {
      const auto index = static_cast<std::size_t>(std::stoul(key));
      v = index < v->items().size() ? &v->items()[index] : nullptr;
    } else {
      v = v->find(key);
    }
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return v;
}

inline std::string toml_of(const std::string& text) {
  vigil::kconf::ConvertOptions options;
  vigil::kconf::MemoryFileSource files;
  return vigil::kconf::convert_text(text, "k.conf", files, options).text;
}

}  // namespace kconf_test
