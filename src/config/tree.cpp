#include "config/tree.hpp"

namespace vigil::config {

const char* to_string(NodeKind kind) {
  switch (kind) {
    case NodeKind::kNull: return "null";
    case NodeKind::kBool: return "boolean";
    case NodeKind::kInteger: return "integer";
    case NodeKind::kFloat: return "float";
    case NodeKind::kString: return "string";
    case NodeKind::kArray: return "array";
    case NodeKind::kTable: return "table";
  }
  return "?";
}

const Node* Node::find(std::string_view key) const {
  for (std::size_t i = 0; i < keys.size(); ++i) {
    if (keys[i] == key) return &items[i];
  }
  return nullptr;
}

std::string Node::describe() const {
  switch (kind) {
    case NodeKind::kNull: return text.empty() ? "nothing (null)" : "a " + text;
    case NodeKind::kBool: return std::string("a boolean (") + (boolean ? "true" : "false") + ")";
    case NodeKind::kInteger: return "an integer (" + std::to_string(integer) + ")";
    case NodeKind::kFloat: return "a float (" + text + ")";
    case NodeKind::kString: return "a string (\"" + text + "\")";
    case NodeKind::kArray: return "an array";
    case NodeKind::kTable: return "a table";
  }
  return "?";
}

}  // namespace vigil::config
