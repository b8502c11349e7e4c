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

namespace {
constexpr std::size_t kIndexFrom = 16;  // below this a scan is as fast as a hash lookup
}  // namespace

std::optional<std::size_t> Value::position(std::string_view key) const {
  if (entries_.size() >= kIndexFrom) {
    const auto it = index_.find(std::string(key));
    if (it == index_.end()) return std::nullopt;
    return it->second;
  }
  for (std::size_t i = 0; i < entries_.size(); ++i) {
    if (entries_[i].first == key) return i;
  }
  return std::nullopt;
}

Value& Value::set(const std::string& key, Value value) {
  if (const auto at = position(key)) {
    Value& v = entries_[*at].second;
    auto comments_kept = std::move(v.comments);
    v = std::move(value);
    if (v.comments.empty()) v.comments = std::move(comments_kept);
    return v;
  }
  entries_.emplace_back(key, std::move(value));
  if (entries_.size() == kIndexFrom) {
    for (std::size_t i = 0; i < entries_.size(); ++i) index_[entries_[i].first] = i;
  } else if (entries_.size() > kIndexFrom) {
    index_[key] = entries_.size() - 1;
  }
  return entries_.back().second;
}

Value* Value::find(std::string_view key) {
  const auto at = position(key);
  return at ? &entries_[*at].second : nullptr;
}

const Value* Value::find(std::string_view key) const {
  const auto at = position(key);
  return at ? &entries_[*at].second : nullptr;
}

bool Value::erase(std::string_view key) {
  const auto at = position(key);
  if (!at) return false;
  entries_.erase(entries_.begin() + static_cast<std::ptrdiff_t>(*at));
  index_.clear();
  if (entries_.size() >= kIndexFrom) {
    for (std::size_t i = 0; i < entries_.size(); ++i) index_[entries_[i].first] = i;
  }
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
