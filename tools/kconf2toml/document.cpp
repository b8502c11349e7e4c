#include "kconf2toml/document.hpp"

#include <algorithm>

namespace vigil::kconf {

Value Value::string(std::string text) {
  Value v;
  v.kind_ = Kind::kString;
  v.text_ = std::move(text);
  return v;
}

Value Value::integer(std::int64_t number) {
  Value v;
  v.kind_ = Kind::kInteger;
  v.integer_ = number;
  return v;
}

Value Value::real(double number) {
  Value v;
  v.kind_ = Kind::kFloat;
  v.real_ = number;
  return v;
}

Value Value::boolean(bool flag) {
  Value v;
  v.kind_ = Kind::kBool;
  v.boolean_ = flag;
  return v;
}

Value Value::array() {
  Value v;
  v.kind_ = Kind::kArray;
  return v;
}

Value Value::table() { return Value(); }

Value& Value::set(const std::string& key, Value value) {
  for (auto& [k, v] : entries_) {
    if (k == key) {
      auto comments_kept = std::move(v.comments);
      v = std::move(value);
      if (v.comments.empty()) v.comments = std::move(comments_kept);
      return v;
    }
  }
  entries_.emplace_back(key, std::move(value));
  return entries_.back().second;
}

Value* Value::find(std::string_view key) {
  for (auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

const Value* Value::find(std::string_view key) const {
  for (const auto& [k, v] : entries_) {
    if (k == key) return &v;
  }
  return nullptr;
}

bool Value::erase(std::string_view key) {
  const auto it = std::find_if(entries_.begin(), entries_.end(), [&](const auto& e) { return e.first == key; });
  if (it == entries_.end()) return false;
  entries_.erase(it);
  return true;
}

Value& Value::child(const std::string& key) {
  if (auto* existing = find(key)) return *existing;
  return set(key, Value::table());
}

Value& Value::push(Value value) {
  items_.push_back(std::move(value));
  return items_.back();
}

}  // namespace vigil::kconf
