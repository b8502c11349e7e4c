#include "sys/runtime_dir.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <string>

namespace vigil::sys {

namespace {

// Another daemon may unlink the file between our open() and flock(): then we hold a lock on an
// orphaned inode, so check we locked the file the path names now, and try again if not.
constexpr int kLockAttempts = 5;

bool same_file(int fd, const std::filesystem::path& path) {
  struct stat by_fd {};
  struct stat by_path {};
  if (::fstat(fd, &by_fd) != 0 || ::stat(path.c_str(), &by_path) != 0) return false;
  return by_fd.st_dev == by_path.st_dev && by_fd.st_ino == by_path.st_ino;
}

}  // namespace

std::optional<pid_t> read_pid_file(const std::filesystem::path& file) {
  std::ifstream in(file);
  long pid = 0;
  if (!(in >> pid) || pid <= 0) return std::nullopt;
  return static_cast<pid_t>(pid);
}

Result<RuntimeDir> RuntimeDir::acquire(const std::filesystem::path& directory) {
  std::error_code ec;
  std::filesystem::create_directories(directory, ec);
  if (ec) return fail(make_error(ec, fmt::format("cannot create runtime directory {}", directory.string())));
  const std::filesystem::path pid_path = directory / kPidFileName;
  for (int attempt = 0; attempt < kLockAttempts; ++attempt) {
    const int fd = ::open(pid_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
    if (fd < 0) return fail(errno_error(fmt::format("cannot open pid file {}", pid_path.string())));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
      const int saved = errno;
      ::close(fd);
      if (saved != EWOULDBLOCK) {
        return fail(make_error(std::error_code(saved, std::generic_category()),
                               fmt::format("cannot lock pid file {}", pid_path.string())));
      }
      const auto holder = read_pid_file(pid_path);
      return fail(make_error(std::errc::device_or_resource_busy,
                             fmt::format("runtime directory {} is in use by another vigild ({}); give each daemon "
                                         "its own --runtime-dir",
                                         directory.string(), holder ? fmt::format("pid {}", *holder) : "pid unknown")));
    }
    if (!same_file(fd, pid_path)) {
      ::close(fd);
      continue;
    }
    const std::string text = fmt::format("{}\n", ::getpid());
    if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, text.data(), text.size(), 0) != static_cast<ssize_t>(text.size())) {
      Error error = errno_error(fmt::format("cannot write pid file {}", pid_path.string()));
      ::close(fd);
      return fail(std::move(error));
    }
    return RuntimeDir(directory, fd);
  }
  return fail(
      make_error(std::errc::device_or_resource_busy,
                 fmt::format("pid file {} keeps being replaced; is another vigild starting?", pid_path.string())));
}

RuntimeDir::RuntimeDir(RuntimeDir&& other) noexcept
    : directory_(std::move(other.directory_)), lock_fd_(std::exchange(other.lock_fd_, -1)) {}

RuntimeDir& RuntimeDir::operator=(RuntimeDir&& other) noexcept {
  if (this != &other) {
    release();
    directory_ = std::move(other.directory_);
    lock_fd_ = std::exchange(other.lock_fd_, -1);
  }
  return *this;
}

RuntimeDir::~RuntimeDir() { release(); }

void RuntimeDir::release() noexcept {
  if (lock_fd_ < 0) return;
  ::unlink(pid_file().c_str());
  ::close(lock_fd_);
  lock_fd_ = -1;
}

Result<void> RuntimeDir::remove_stale(std::string_view name) const {
  const std::filesystem::path target = file(name);
  if (::unlink(target.c_str()) != 0 && errno != ENOENT) {
    return fail(errno_error(fmt::format("cannot remove stale {}", target.string())));
  }
  return {};
}

}  // namespace vigil::sys
