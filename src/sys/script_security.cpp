#include "sys/script_security.hpp"

#include <fmt/format.h>
#include <sys/stat.h>

#include <optional>
#include <string>

namespace vigil::sys {

namespace {

// Why `st` lets a non-root user change what `path` names, or nullopt when it does not.
std::optional<std::string> weakness(const struct stat& st) {
  const unsigned mode = st.st_mode & 07777U;
  if (st.st_uid != 0) return fmt::format("is owned by uid {}, not root", st.st_uid);
  const bool sticky_dir = S_ISDIR(st.st_mode) && (st.st_mode & S_ISVTX) != 0;
  if ((st.st_mode & S_IWOTH) != 0 && !sticky_dir) return fmt::format("is writable by everyone (mode {:04o})", mode);
  if ((st.st_mode & S_IWGRP) != 0 && st.st_gid != 0 && !sticky_dir) {
    return fmt::format("is writable by group gid {} (mode {:04o})", st.st_gid, mode);
  }
  return std::nullopt;
}

Error insecure(const std::filesystem::path& script, const std::filesystem::path& culprit, bool is_dir,
               const std::string& why) {
  return make_error(std::errc::permission_denied, fmt::format("script {} is insecure: {}{} {}", script.string(),
                                                              is_dir ? "directory " : "", culprit.string(), why));
}

// Checks every prefix of `path` ("/", "/a", "/a/b" ...) and the path itself.
Result<void> check_components(const std::filesystem::path& script, const std::filesystem::path& path,
                              bool follow_links) {
  std::filesystem::path prefix;
  for (const auto& part : path) {
    prefix /= part;
    struct stat st {};
    const int rc = follow_links ? ::stat(prefix.c_str(), &st) : ::lstat(prefix.c_str(), &st);
    if (rc != 0) return fail(errno_error(fmt::format("script {}: cannot stat {}", script.string(), prefix.string())));
    if (S_ISLNK(st.st_mode)) continue;  // a link's own mode means nothing; its target is checked resolved
    if (auto why = weakness(st)) return fail(insecure(script, prefix, S_ISDIR(st.st_mode), *why));
  }
  return {};
}

}  // namespace

Result<void> check_script_security(const std::filesystem::path& script) {
  if (!script.is_absolute()) {
    return fail(make_error(std::errc::invalid_argument,
                           fmt::format("script {} must be given as an absolute path", script.string())));
  }
  struct stat st {};
  if (::stat(script.c_str(), &st) != 0) return fail(errno_error(fmt::format("script {}", script.string())));
  if (!S_ISREG(st.st_mode)) {
    return fail(
        make_error(std::errc::invalid_argument, fmt::format("script {} is not a regular file", script.string())));
  }
  // Lexical path first (a link in a writable directory can be swapped), then the resolved one.
  if (auto lexical = check_components(script, script.lexically_normal(), false); !lexical) return lexical;
  std::error_code ec;
  const std::filesystem::path resolved = std::filesystem::canonical(script, ec);
  if (ec) return fail(make_error(ec, fmt::format("script {}: cannot resolve path", script.string())));
  return check_components(script, resolved, true);
}

}  // namespace vigil::sys
