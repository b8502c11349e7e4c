#pragma once
// vigild's exit codes (also printed by --help):
//   0  success (--check: the file is valid; warnings allowed)
//   1  the config file is invalid (every error is printed)
//   2  usage error on the command line
//   3  start-up failed: io_uring unavailable, runtime directory busy or not writable, a component failed to start
//   4  internal error (an unexpected exception: a bug)
namespace vigil::daemon {

enum class ExitCode : int {
  Ok = 0,
  ConfigInvalid = 1,
  Usage = 2,
  StartFailed = 3,
  InternalError = 4,
};

inline constexpr const char* kExitCodeHelp =
    "Exit codes:\n"
    "  0  success (--check: the file is valid; warnings allowed)\n"
    "  1  the config file is invalid (every error is printed)\n"
    "  2  usage error on the command line\n"
    "  3  start-up failed: io_uring unavailable, runtime directory busy or not writable, ...\n"
    "  4  internal error (a bug: please report it)\n";

[[nodiscard]] constexpr int to_int(ExitCode code) noexcept { return static_cast<int>(code); }

}  // namespace vigil::daemon
