#pragma once
// What both netlink codecs build and read messages with (the rtnetlink requests here and the IPVS
// generic-netlink messages in net/ipvs): a writer that keeps the first failure of a chain of libnl
// puts, so builders read top to bottom, and attribute readers that check the length first.
#include <netlink/attr.h>

#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "base/error.hpp"
#include "base/result.hpp"
#include "net/netlink/request.hpp"

namespace vigil::net::netlink {

class AttributeWriter {
 public:
  // `message` is null when allocating it failed; `label` names it in the error ("netlink address").
  AttributeWriter(Message message, std::string label)
      : message_(std::move(message)), label_(std::move(label)), ok_(message_ != nullptr) {}

  void put(int type, const void* data, std::size_t size) {
    if (ok_) ok_ = nla_put(message_.get(), type, static_cast<int>(size), data) == 0;
  }
  template <class T>
  void put_value(int type, T value) {
    put(type, &value, sizeof value);
  }
  void put_u32(int type, std::uint32_t value) { put_value(type, value); }
  void put_string(int type, std::string_view text) {
    const std::string terminated(text);
    put(type, terminated.c_str(), terminated.size() + 1);
  }
  nlattr* nest(int type) {
    if (!ok_) return nullptr;
    nlattr* start = nla_nest_start(message_.get(), type);
    ok_ = start != nullptr;
    return start;
  }
  void end(nlattr* start) {
    if (ok_) ok_ = nla_nest_end(message_.get(), start) == 0;
  }
  Result<Message> finish() {
    if (!ok_) return fail(make_error(std::errc::no_buffer_space, "build " + label_ + ": message too large"));
    return std::move(message_);
  }

 protected:
  Message message_;
  std::string label_;
  bool ok_;
};

// The attribute's value, or nullopt when it is missing or shorter than T.
template <class T>
std::optional<T> get_value(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) < static_cast<int>(sizeof(T))) return std::nullopt;
  T value{};
  std::memcpy(&value, nla_data(attr), sizeof value);
  return value;
}

inline std::optional<std::uint32_t> get_u32(const nlattr* attr) { return get_value<std::uint32_t>(attr); }

// A string attribute up to its NUL or its end, whichever comes first ("" when missing).
inline std::string get_string(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) <= 0) return {};
  const auto* data = static_cast<const char*>(nla_data(attr));
  return {data, ::strnlen(data, static_cast<std::size_t>(nla_len(attr)))};
}

}  // namespace vigil::net::netlink
