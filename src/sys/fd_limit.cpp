#include "sys/fd_limit.hpp"

#include <fcntl.h>
#include <unistd.h>

namespace vigil::sys {

Result<rlim_t> raise_open_file_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0) return fail(errno_error("getrlimit(RLIMIT_NOFILE)"));
  if (limit.rlim_cur == limit.rlim_max) return limit.rlim_cur;
  limit.rlim_cur = limit.rlim_max;
  if (::setrlimit(RLIMIT_NOFILE, &limit) != 0) return fail(errno_error("setrlimit(RLIMIT_NOFILE)"));
  return limit.rlim_cur;
}

Result<void> ensure_standard_fds() {
  for (int fd = 0; fd <= 2; ++fd) {
    if (::fcntl(fd, F_GETFD) >= 0) continue;
    const int opened = ::open("/dev/null", O_RDWR);
    if (opened < 0) return fail(errno_error("open /dev/null"));
    if (opened != fd) {
      ::dup2(opened, fd);
      ::close(opened);
    }
  }
  return {};
}

}  // namespace vigil::sys
