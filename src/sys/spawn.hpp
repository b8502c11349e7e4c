#pragma once
// Starting a child process without fork(): clone(CLONE_VM | CLONE_VFORK) shares the parent's memory
// until execve, so the cost does not grow with the daemon's size (fork copies the page tables;
// see tools/spawn_bench). The child gets its own session and process group, default signal
// dispositions and an empty signal mask, and no descriptor except 0, 1 and 2.
#include <sys/types.h>

#include <optional>
#include <string>
#include <vector>

#include "base/duration.hpp"
#include "base/result.hpp"
#include "sys/unique_fd.hpp"

namespace vigil::sys {

enum class StdinMode {
  DevNull,  // read end of /dev/null (default: a script reading stdin sees EOF)
  Closed,   // no fd 0 at all
};

[[nodiscard]] std::string_view to_string(StdinMode mode) noexcept;

struct SpawnRequest {
  std::vector<std::string> argv;                        // argv[0]: a path, or a name looked up in the child's PATH
  std::optional<std::vector<std::string>> environment;  // "NAME=value"; nullopt: the daemon's own
  std::string working_directory;                        // empty: the daemon's
  std::optional<uid_t> uid;  // without gid: the daemon's gid stays, supplementary groups are dropped
  std::optional<gid_t> gid;  // also becomes the only supplementary group (see lookup_user)
  StdinMode stdin_mode = StdinMode::DevNull;
};

struct SpawnedChild {
  pid_t pid = 0;
  UniqueFd pidfd;       // readable once the child has exited; reap with waitid(P_PIDFD)
  UniqueFd output;      // non-blocking read end of the pipe on the child's stdout and stderr
  TimePoint started{};  // when clone returned: the child had exec'ed (CLONE_VFORK waits for that)
};

// Errors: the program was not found or not executable, chdir/setgid/setuid failed in the child
// (the child is reaped before returning), or the system ran out of processes/descriptors.
[[nodiscard]] Result<SpawnedChild> spawn(const SpawnRequest& request);

// Finds `name` the way execvp would: a name with a '/' is taken as is, otherwise PATH is searched.
[[nodiscard]] Result<std::string> resolve_program(const std::string& name, const std::string& path_variable);

}  // namespace vigil::sys
