#include "sys/user.hpp"

#include <fmt/format.h>
#include <grp.h>
#include <pwd.h>

#include <charconv>
#include <optional>
#include <vector>

namespace vigil::sys {

namespace {

std::optional<unsigned long> parse_id(std::string_view text) {
  unsigned long value = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

}  // namespace

Result<UserIds> lookup_user(std::string_view user, std::string_view group) {
  std::vector<char> buffer(16384);
  UserIds ids{};
  const std::string user_name(user);
  passwd entry{};
  passwd* found = nullptr;
  int rc = ::getpwnam_r(user_name.c_str(), &entry, buffer.data(), buffer.size(), &found);
  if (found == nullptr) {
    if (const auto numeric = parse_id(user)) {
      rc = ::getpwuid_r(static_cast<uid_t>(*numeric), &entry, buffer.data(), buffer.size(), &found);
      if (found == nullptr) {
        if (group.empty()) {
          return fail(make_error(std::errc::invalid_argument,
                                 fmt::format("uid {} has no passwd entry: name a group too", *numeric)));
        }
        ids.uid = static_cast<uid_t>(*numeric);
      }
    }
    if (found == nullptr && !parse_id(user)) {
      return fail(rc != 0 ? make_error(std::error_code(rc, std::generic_category()),
                                       fmt::format("cannot look up user '{}'", user))
                          : make_error(std::errc::invalid_argument, fmt::format("no such user '{}'", user)));
    }
  }
  if (found != nullptr) {
    ids.uid = entry.pw_uid;
    ids.gid = entry.pw_gid;
  }
  if (group.empty()) return ids;
  const std::string group_name(group);
  struct group group_entry {};
  struct group* group_found = nullptr;
  rc = ::getgrnam_r(group_name.c_str(), &group_entry, buffer.data(), buffer.size(), &group_found);
  if (group_found != nullptr) {
    ids.gid = group_entry.gr_gid;
  } else if (const auto numeric = parse_id(group)) {
    ids.gid = static_cast<gid_t>(*numeric);
  } else {
    return fail(rc != 0 ? make_error(std::error_code(rc, std::generic_category()),
                                     fmt::format("cannot look up group '{}'", group))
                        : make_error(std::errc::invalid_argument, fmt::format("no such group '{}'", group)));
  }
  return ids;
}

}  // namespace vigil::sys
