// YAML text for a Value tree: block mappings and sequences, every string double-quoted so that no
// scalar changes type under YAML 1.1 or 1.2 rules.
#include <fmt/format.h>

#include <string>

#include "kconf2toml/document.hpp"

namespace vigil::kconf {
namespace {

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\x{:02X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

bool is_plain_key(std::string_view key) {
  if (key.empty()) return false;
  const char first = key.front();
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z') || first == '_')) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  // Words YAML 1.1 reads as booleans or null stay strings only when quoted.
  for (const std::string_view word :
       {"y",   "Y",   "n",   "N",    "yes",  "Yes",  "YES",   "no",    "No",    "NO",   "on",   "On",  "ON",
        "off", "Off", "OFF", "true", "True", "TRUE", "false", "False", "FALSE", "null", "Null", "NULL"}) {
    if (key == word) return false;
  }
  return true;
}

std::string key_text(std::string_view key) { return is_plain_key(key) ? std::string(key) : quote(key); }

std::string scalar(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString: return quote(v.text());
    case Value::Kind::kInteger: return std::to_string(v.as_integer());
    case Value::Kind::kFloat: {
      std::string text = fmt::format("{}", v.as_real());
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
      return text;
    }
    case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
    case Value::Kind::kArray: return "[]";
    case Value::Kind::kTable: return "{}";
  }
  return "";
}

bool is_empty_container(const Value& v) {
  return (v.is_array() && v.items().empty()) || (v.is_table() && v.entries().empty());
}

void comment_lines(std::string& out, const std::vector<std::string>& lines, std::size_t indent) {
  for (const auto& line : lines) out += std::string(indent, ' ') + (line.empty() ? "#\n" : "# " + line + "\n");
}

void mapping(std::string& out, const Value& table, std::size_t indent);

void sequence(std::string& out, const Value& array, std::size_t indent) {
  const std::string pad(indent, ' ');
  for (const auto& item : array.items()) {
    comment_lines(out, item.comments, indent);
    if (item.is_table() && !item.entries().empty()) {
      // The item's own notes go above its "- " line, which must carry its first key.
      comment_lines(out, item.notes, indent);
      std::string body;
      Value copy = item;
      copy.comments.clear();
      copy.notes.clear();
      mapping(body, copy, indent + 2);
      // The first line of the item's mapping goes on the "- " line.
      body.replace(indent, 2, "- ");
      out += body;
    } else if (item.is_array() && !item.items().empty()) {
      out += pad + "-\n";
      sequence(out, item, indent + 2);
    } else {
      out += pad + "- " + scalar(item) + "\n";
    }
  }
}

void mapping(std::string& out, const Value& table, std::size_t indent) {
  const std::string pad(indent, ' ');
  comment_lines(out, table.notes, indent);
  for (const auto& [key, v] : table.entries()) {
    comment_lines(out, v.comments, indent);
    if (is_empty_container(v) || (!v.is_array() && !v.is_table())) {
      out += pad + key_text(key) + ": " + scalar(v) + "\n";
    } else if (v.is_table()) {
      out += pad + key_text(key) + ":\n";
      mapping(out, v, indent + 2);
    } else {
      out += pad + key_text(key) + ":\n";
      sequence(out, v, indent + 2);
    }
  }
}

}  // namespace

std::string to_yaml(const Value& root) {
  std::string out;
  comment_lines(out, root.comments, 0);
  if (root.entries().empty() && root.notes.empty()) return out + "{}\n";
  mapping(out, root, 0);
  return out;
}

}  // namespace vigil::kconf
