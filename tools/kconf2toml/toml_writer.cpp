// TOML text for a Value tree: scalars and inline arrays first, then [tables] and [[arrays of tables]].
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <string>

#include "kconf2toml/document.hpp"

namespace vigil::kconf {
namespace {

bool is_bare_key(std::string_view key) {
  if (key.empty()) return false;
  for (const char c : key) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::string quote(std::string_view text) {
  std::string out = "\"";
  for (const char c : text) {
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\t': out += "\\t"; break;
      case '\r': out += "\\r"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
          out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
        } else {
          out += c;
        }
    }
  }
  out += '"';
  return out;
}

std::string key_text(std::string_view key) { return is_bare_key(key) ? std::string(key) : quote(key); }

bool is_section_array(const Value& v) {
  if (!v.is_array() || v.items().empty() || v.prefer_inline) return false;
  for (const auto& item : v.items()) {
    if (!item.is_table()) return false;
  }
  return true;
}

bool is_section(const Value& v) { return (v.is_table() && !v.prefer_inline) || is_section_array(v); }

std::string inline_value(const Value& v);

std::string inline_table(const Value& v) {
  if (v.entries().empty()) return "{}";
  std::string out = "{ ";
  bool first = true;
  for (const auto& [k, item] : v.entries()) {
    if (!first) out += ", ";
    first = false;
    out += key_text(k) + " = " + inline_value(item);
  }
  return out + " }";
}

std::string real_text(double number) {
  std::string text = fmt::format("{}", number);
  if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
  return text;
}

std::string inline_value(const Value& v) {
  switch (v.kind()) {
    case Value::Kind::kString: return quote(v.text());
    case Value::Kind::kInteger: return std::to_string(v.as_integer());
    case Value::Kind::kFloat: return real_text(v.as_real());
    case Value::Kind::kBool: return v.as_bool() ? "true" : "false";
    case Value::Kind::kTable: return inline_table(v);
    case Value::Kind::kArray: {
      std::string out = "[";
      bool first = true;
      for (const auto& item : v.items()) {
        if (!first) out += ", ";
        first = false;
        out += inline_value(item);
      }
      return out + "]";
    }
  }
  return "";
}

void comment_lines(std::string& out, const std::vector<std::string>& lines) {
  for (const auto& line : lines) out += line.empty() ? "#\n" : "# " + line + "\n";
}

void key_value(std::string& out, const std::string& key, const Value& v) {
  comment_lines(out, v.comments);
  const std::string flat = inline_value(v);
  if (!v.is_array() || flat.size() + key.size() <= 100) {
    out += key_text(key) + " = " + flat + "\n";
    return;
  }
  out += key_text(key) + " = [\n";  // long arrays: one element a line
  for (const auto& item : v.items()) out += "  " + inline_value(item) + ",\n";
  out += "]\n";
}

std::string join_path(const std::string& path, const std::string& key) {
  return path.empty() ? key_text(key) : path + "." + key_text(key);
}

void table_body(std::string& out, const Value& table, const std::string& path);

void section(std::string& out, const std::string& path, const Value& table, bool array_item) {
  const bool has_plain =
      std::any_of(table.entries().begin(), table.entries().end(), [](const auto& e) { return !is_section(e.second); });
  const bool header = array_item || has_plain || !table.notes.empty() || table.entries().empty();
  if (header || !table.comments.empty()) out += "\n";
  comment_lines(out, table.comments);
  if (header) out += array_item ? "[[" + path + "]]\n" : "[" + path + "]\n";
  table_body(out, table, path);
}

void table_body(std::string& out, const Value& table, const std::string& path) {
  for (const auto& [key, v] : table.entries()) {
    if (!is_section(v)) key_value(out, key, v);
  }
  comment_lines(out, table.notes);
  for (const auto& [key, v] : table.entries()) {
    if (v.is_table() && !v.prefer_inline) {
      section(out, join_path(path, key), v, false);
    } else if (is_section_array(v)) {
      comment_lines(out, v.comments);
      for (const auto& item : v.items()) section(out, join_path(path, key), item, true);
    }
  }
}

}  // namespace

std::string to_toml(const Value& root) {
  std::string out;
  comment_lines(out, root.comments);
  for (const auto& [key, v] : root.entries()) {
    if (!is_section(v)) key_value(out, key, v);
  }
  if (!root.notes.empty()) out += "\n";
  comment_lines(out, root.notes);
  for (const auto& [key, v] : root.entries()) {
    if (v.is_table() && !v.prefer_inline) {
      section(out, key_text(key), v, false);
    } else if (is_section_array(v)) {
      comment_lines(out, v.comments);
      for (const auto& item : v.items()) section(out, key_text(key), item, true);
    }
  }
  return out;
}

}  // namespace vigil::kconf
