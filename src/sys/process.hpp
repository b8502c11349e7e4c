#pragma once
// The script runner: co_await run(argv, options) starts a process on the caller's io_context and
// resumes with how it ended and what it printed. Nothing blocks: the exit is awaited on a pidfd and
// the output is read from a pipe, so thousands of scripts can run at once.
#include <sys/types.h>

#include <cstddef>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/duration.hpp"
#include "base/result.hpp"
#include "rt/tokens.hpp"
#include "sys/spawn.hpp"

namespace vigil::sys {

inline constexpr std::size_t kDefaultOutputLimit = 4096;

struct ScriptOptions {
  Duration timeout{};  // zero: no limit
  // On timeout or cancellation: zero sends SIGKILL at once, otherwise SIGTERM, this long, then SIGKILL.
  Duration term_grace{};
  std::optional<uid_t> uid;
  std::optional<gid_t> gid;
  std::optional<std::vector<std::string>> environment;  // "NAME=value"; nullopt: the daemon's own
  std::string working_directory;                        // empty: the daemon's
  StdinMode stdin_mode = StdinMode::DevNull;
  std::size_t output_limit = kDefaultOutputLimit;  // bytes of stdout+stderr kept; the rest is counted and dropped
  // Called with the child's pid (its process group id too) once it runs: a long-running script's
  // owner can signal its group (engine/fifo_script). The group is valid until run() resumes.
  std::function<void(pid_t)> on_started;
};

enum class ScriptOutcome {
  Exited,     // exit_code is set
  Signaled,   // killed by `signal` (not by us)
  TimedOut,   // we killed its process group after the timeout; `signal` is what ended it
  Cancelled,  // the caller cancelled the run: we killed its process group and reaped it
};

[[nodiscard]] std::string_view to_string(ScriptOutcome outcome) noexcept;

inline constexpr std::string_view kTruncatedMarker = "\n[output truncated]";

struct ScriptResult {
  ScriptOutcome outcome = ScriptOutcome::Exited;
  int exit_code = -1;
  int signal = 0;
  std::string output;  // stdout and stderr as interleaved by the script; ends with kTruncatedMarker if cut
  bool output_truncated = false;
  std::size_t output_bytes = 0;  // everything the script wrote, kept or not
  Duration duration{};           // from start to reap
  TimePoint started{};           // when the child had exec'ed (its start, as the scheduler sees it)
  pid_t pid = 0;

  [[nodiscard]] bool succeeded() const noexcept { return outcome == ScriptOutcome::Exited && exit_code == 0; }
  // "exited with status 1", "killed by signal 9 (Killed)", "timed out after 2s (killed by signal 9)".
  [[nodiscard]] std::string describe(Duration timeout = {}) const;
};

// Errors are failures to start (not found, not executable, bad uid, out of descriptors); anything
// that happens once the script runs is a ScriptResult. Cancelling the awaiting coroutine (terminal
// cancellation through its slot: a parallel_group, with_timeout, a bound cancellation_signal) kills
// the script's process group as a timeout does (SIGTERM, term_grace, SIGKILL), reaps it and
// resumes with a Cancelled result; the caller's next co_await throws, as after any cancellation.
// A run whose coroutine is destroyed without resuming (its io_context torn down) SIGKILLs the group
// and is reaped on another thread. Grandchildren that left the group (setsid) are not followed.
[[nodiscard]] rt::Task<Result<ScriptResult>> run(std::vector<std::string> argv, ScriptOptions options = {});

// A shell command line is just argv {shell, "-c", line}.
[[nodiscard]] std::vector<std::string> shell_command(std::string_view line, std::string shell = "/bin/sh");

}  // namespace vigil::sys
