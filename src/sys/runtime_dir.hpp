#pragma once
// Everything vigild writes at run time lives under one directory (--runtime-dir, default /run/vigil),
// so several daemons run side by side given different directories. Ownership of a directory is an
// flock(2) on its pid file: the kernel drops it when the daemon dies, so a stale file never blocks
// a start, while a live daemon's lock refuses a second one.
#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string_view>

#include "base/result.hpp"

namespace vigil::sys {

inline constexpr std::string_view kDefaultRuntimeDir = "/run/vigil";

class RuntimeDir {
 public:
  static constexpr std::string_view kPidFileName = "vigild.pid";

  // Creates the directory (and parents, mode 0755) if needed, locks the pid file and writes our pid.
  // Fails with EBUSY and a message naming the other daemon's pid when a live daemon holds it.
  [[nodiscard]] static Result<RuntimeDir> acquire(const std::filesystem::path& directory);

  RuntimeDir(RuntimeDir&& other) noexcept;
  RuntimeDir& operator=(RuntimeDir&& other) noexcept;
  RuntimeDir(const RuntimeDir&) = delete;
  RuntimeDir& operator=(const RuntimeDir&) = delete;
  // Removes the pid file (still under the lock, so no successor's file is ever removed) and unlocks.
  ~RuntimeDir();

  [[nodiscard]] const std::filesystem::path& directory() const noexcept { return directory_; }
  [[nodiscard]] std::filesystem::path pid_file() const { return file(kPidFileName); }
  [[nodiscard]] std::filesystem::path file(std::string_view name) const { return directory_ / name; }

  // Removes a socket or FIFO left by a dead daemon before it is bound again. Safe because holding
  // the lock proves no live daemon uses this directory. A missing file is fine.
  Result<void> remove_stale(std::string_view name) const;

 private:
  RuntimeDir(std::filesystem::path directory, int lock_fd) : directory_(std::move(directory)), lock_fd_(lock_fd) {}
  void release() noexcept;

  std::filesystem::path directory_;
  int lock_fd_ = -1;
};

// The pid recorded in a pid file, if it holds one.
[[nodiscard]] std::optional<pid_t> read_pid_file(const std::filesystem::path& file);

}  // namespace vigil::sys
