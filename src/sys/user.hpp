#pragma once
// Looking up the account scripts run as (script_user).
#include <sys/types.h>

#include <string>
#include <string_view>

#include "base/result.hpp"

namespace vigil::sys {

struct UserIds {
  uid_t uid;
  gid_t gid;  // the user's primary group unless a group was named
};

// `user` and `group` are names or numeric ids; an empty group means the user's primary group.
[[nodiscard]] Result<UserIds> lookup_user(std::string_view user, std::string_view group = {});

}  // namespace vigil::sys
