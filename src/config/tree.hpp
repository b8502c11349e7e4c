#pragma once
// The generic located tree both front-ends produce: TOML and YAML become the same nodes, so one
// schema-driven binder turns either into the typed model.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"

namespace vigil::config {

enum class NodeKind { kNull, kBool, kInteger, kFloat, kString, kArray, kTable };
[[nodiscard]] const char* to_string(NodeKind kind);

struct Node {
  NodeKind kind = NodeKind::kNull;
  SourceLocation where;  // of the value
  bool boolean = false;
  std::int64_t integer = 0;
  double real = 0;
  std::string text;  // kString: the string; other scalars: the source spelling, for messages

  // kArray: the elements. kTable: the values, in file order, parallel to keys/key_locations.
  std::vector<Node> items;
  std::vector<std::string> keys;
  std::vector<SourceLocation> key_locations;

  [[nodiscard]] bool is_scalar() const { return kind != NodeKind::kArray && kind != NodeKind::kTable; }
  // The value of `key` in a table, or nullptr.
  [[nodiscard]] const Node* find(std::string_view key) const;
  // "an integer (300)", "a string (\"high\")", "a table": for "expected X, got Y" messages.
  [[nodiscard]] std::string describe() const;
};

// What a front-end returns: the root table, or syntax diagnostics (then `root` is a null node).
struct ParsedTree {
  Node root;
  std::vector<Diagnostic> diagnostics;
};

// The only two functions that see toml++ and yaml-cpp (parse_toml.cpp, parse_yaml.cpp).
[[nodiscard]] ParsedTree parse_toml(std::string_view text, const std::string& file_name);
[[nodiscard]] ParsedTree parse_yaml(std::string_view text, const std::string& file_name);

}  // namespace vigil::config
