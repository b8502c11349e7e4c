#include "net/wire/sysctl.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>

namespace vigil::net::wire {
namespace {

std::string path_of(std::string_view key, std::string_view root) {
  std::string path(root);
  path += '/';
  path += key;
  return path;
}

class FileDescriptor {
 public:
  explicit FileDescriptor(int fd) : fd_(fd) {}
  FileDescriptor(const FileDescriptor&) = delete;
  FileDescriptor& operator=(const FileDescriptor&) = delete;
  ~FileDescriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int get() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

Result<std::string> read_sysctl(std::string_view key, std::string_view root) {
  const std::string path = path_of(key, root);
  const FileDescriptor file(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (file.get() < 0) return fail(errno_error("open " + path));
  std::string value;
  std::array<char, 256> chunk{};
  for (;;) {
    const ssize_t n = ::read(file.get(), chunk.data(), chunk.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return fail(errno_error("read " + path));
    if (n == 0) break;
    value.append(chunk.data(), static_cast<std::size_t>(n));
  }
  while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
  return value;
}

Result<void> write_sysctl(std::string_view key, std::string_view value, std::string_view root) {
  const std::string path = path_of(key, root);
  // No O_CREAT: a missing entry (interface gone, IPv6 disabled) is an error, never a new file.
  const FileDescriptor file(::open(path.c_str(), O_WRONLY | O_TRUNC | O_CLOEXEC));
  if (file.get() < 0) return fail(errno_error("open " + path));
  const std::string line = std::string(value) + "\n";
  const ssize_t n = ::write(file.get(), line.data(), line.size());
  if (n < 0) return fail(errno_error("write " + std::string(value) + " to " + path));
  if (static_cast<std::size_t>(n) != line.size()) {
    return fail(make_error(std::errc::io_error, "short write of " + std::string(value) + " to " + path));
  }
  return {};
}

Result<bool> ipv6_forwarding_enabled(std::string_view interface, std::string_view root) {
  auto value = read_sysctl("net/ipv6/conf/" + std::string(interface) + "/forwarding", root);
  if (!value) return fail(value.error());
  return *value != "0";
}

}  // namespace vigil::net::wire
