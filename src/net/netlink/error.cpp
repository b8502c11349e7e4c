#include "net/netlink/error.hpp"

#include <string>

namespace vigil::net::netlink {

namespace {

class NetlinkCategory final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "netlink"; }
  [[nodiscard]] std::string message(int ev) const override { return std::generic_category().message(ev); }
  // Lets callers write `error.code == std::errc::file_exists`.
  [[nodiscard]] std::error_condition default_error_condition(int ev) const noexcept override {
    return std::generic_category().default_error_condition(ev);
  }
};

}  // namespace

const std::error_category& netlink_category() noexcept {
  static const NetlinkCategory category;
  return category;
}

Error kernel_error(int errno_value, std::string_view what, std::string_view extack) {
  std::string message(what);
  message += ": ";
  message += netlink_category().message(errno_value);
  if (!extack.empty()) {
    message += " (kernel: ";
    message += extack;
    message += ')';
  }
  return Error{std::error_code(errno_value, netlink_category()), std::move(message)};
}

bool has_errno(const Error& error, int errno_value) noexcept {
  return error.code == std::error_condition(errno_value, std::generic_category());
}

}  // namespace vigil::net::netlink
