#pragma once
// The notify FIFOs (notify_fifo, vrrp_notify_fifo, lvs_notify_fifo): created when missing, opened
// read-write and non-blocking, so opening never waits for a reader and lines wait in the pipe
// until one comes; a full pipe drops the line (logged) rather than stall the daemon.
#include <string>
#include <string_view>
#include <vector>

#include "sys/unique_fd.hpp"

namespace vigil::engine {

// A relative FIFO path is under the runtime directory.
[[nodiscard]] std::string fifo_path_in(const std::string& runtime_dir, const std::string& path);

class NotifyFifos {
 public:
  NotifyFifos() = default;
  // Paths already resolved; one that cannot be created or opened is logged and left out.
  explicit NotifyFifos(const std::vector<std::string>& paths);

  // One whole line ("...\n"); lines up to PIPE_BUF bytes never interleave with other writers.
  void write(std::string_view line) const;
  [[nodiscard]] bool empty() const { return fds_.empty(); }

 private:
  std::vector<sys::UniqueFd> fds_;
};

}  // namespace vigil::engine
