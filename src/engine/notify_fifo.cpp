#include "engine/notify_fifo.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>
#include <system_error>

#include "sys/log.hpp"

namespace vigil::engine {

std::string fifo_path_in(const std::string& runtime_dir, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(runtime_dir) / path).string();
}

NotifyFifos::NotifyFifos(const std::vector<std::string>& paths) {
  for (const auto& path : paths) {
    if (::mkfifo(path.c_str(), 0600) != 0 && errno != EEXIST) {
      sys::log_error("cannot create notify FIFO {}: {}", path, std::system_category().message(errno));
      continue;
    }
    sys::UniqueFd fd(::open(path.c_str(), O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!fd) {
      sys::log_error("cannot open notify FIFO {}: {}", path, std::system_category().message(errno));
      continue;
    }
    fds_.push_back(std::move(fd));
  }
}

void NotifyFifos::write(std::string_view line) const {
  for (const auto& fd : fds_) {
    if (::write(fd.get(), line.data(), line.size()) < 0) {
      sys::log_warning("notify FIFO: line dropped ({})", std::system_category().message(errno));
    }
  }
}

}  // namespace vigil::engine
