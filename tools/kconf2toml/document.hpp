#pragma once
// The converted configuration as an ordered tree of values with comments, printed as TOML or YAML.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

namespace vigil::kconf {

class Value {
 public:
  enum class Kind { kString, kInteger, kFloat, kBool, kArray, kTable };

  Value() : kind_(Kind::kTable) {}
  static Value string(std::string text);
  static Value integer(std::int64_t number);
  static Value real(double number);
  static Value boolean(bool flag);
  static Value array();
  static Value table();

  [[nodiscard]] Kind kind() const { return kind_; }
  [[nodiscard]] bool is_table() const { return kind_ == Kind::kTable; }
  [[nodiscard]] bool is_array() const { return kind_ == Kind::kArray; }
  [[nodiscard]] const std::string& text() const { return text_; }
  [[nodiscard]] std::int64_t as_integer() const { return integer_; }
  [[nodiscard]] double as_real() const { return real_; }
  [[nodiscard]] bool as_bool() const { return boolean_; }

  // Tables keep insertion order; set() replaces an existing key in place (a later keepalived
  // line overrides an earlier one, as keepalived does).
  Value& set(const std::string& key, Value value);
  [[nodiscard]] Value* find(std::string_view key);
  [[nodiscard]] const Value* find(std::string_view key) const;
  bool erase(std::string_view key);
  // The table under `key`, created empty when missing.
  Value& child(const std::string& key);
  [[nodiscard]] const std::vector<std::pair<std::string, Value>>& entries() const { return entries_; }

  Value& push(Value value);
  [[nodiscard]] const std::vector<Value>& items() const { return items_; }
  [[nodiscard]] std::vector<Value>& items() { return items_; }

  // Comment lines printed before the value (before a table's header, or before `key = value`).
  std::vector<std::string> comments;
  // Printed inline (`[{ name = "a" }]`, `{ command = ... }`) instead of as [table] / [[array]] sections.
  bool prefer_inline = false;
  // Comment lines printed inside a table, after its own header: what could not be converted.
  std::vector<std::string> notes;

 private:
  Kind kind_;
  std::string text_;
  std::int64_t integer_ = 0;
  double real_ = 0;
  bool boolean_ = false;
  std::vector<Value> items_;
  std::vector<std::pair<std::string, Value>> entries_;
  // Key -> position in entries_, kept for large tables only (hundreds of instances or servers), so
  // that building a table stays linear.
  std::unordered_map<std::string, std::size_t> index_;
  [[nodiscard]] std::optional<std::size_t> position(std::string_view key) const;
};

[[nodiscard]] std::string to_toml(const Value& root);
[[nodiscard]] std::string to_yaml(const Value& root);

}  // namespace vigil::kconf
