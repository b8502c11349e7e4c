#pragma once
// keepalived's enable_script_security: a script run by the daemon must not be replaceable by a
// non-root user, so neither the file nor any directory on its path (before and after resolving
// symlinks) may be writable by one.
#include <filesystem>

#include "base/result.hpp"

namespace vigil::sys {

// Accepts an absolute path to a regular file when it and every directory on its path are owned by
// root and are writable neither by a non-root group nor by others. A root-owned sticky directory
// (like /tmp) is accepted: others cannot rename or remove root's entries in it.
// The error names the offending path and why, e.g.
//   "script /srv/x/check.sh is insecure: directory /srv/x is writable by everyone (mode 0777)".
[[nodiscard]] Result<void> check_script_security(const std::filesystem::path& script);

}  // namespace vigil::sys
