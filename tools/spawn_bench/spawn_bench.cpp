// Measures how long starting (and reaping) /bin/true takes with fork+execve, with
// clone(CLONE_VM | CLONE_VFORK)+execve (what src/sys/spawn.cpp does) and with posix_spawn, while
// the parent holds 0 MiB, 256 MiB, 1 GiB ... of touched memory. fork copies the page tables, so its
// cost grows with the parent; the other two share the parent's memory until execve.
// Standalone on purpose: tools/ never links the runtime libraries.
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace {

char kProgram[] = "/bin/true";
char* const kArgv[] = {kProgram, nullptr};

pid_t spawn_fork() {
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::execve(kProgram, kArgv, environ);
    ::_exit(127);
  }
  return pid;
}

int clone_child(void*) {
  ::execve(kProgram, kArgv, environ);
  ::_exit(127);
}

pid_t spawn_clone() {
  static std::vector<char> stack(64 * 1024);
  return ::clone(clone_child, stack.data() + stack.size(), CLONE_VM | CLONE_VFORK | SIGCHLD, nullptr);
}

pid_t spawn_posix() {
  pid_t pid = -1;
  return ::posix_spawn(&pid, kProgram, nullptr, nullptr, kArgv, environ) == 0 ? pid : -1;
}

// Mean microseconds per spawn+reap.
double measure(const std::function<pid_t()>& spawn, int iterations) {
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < iterations; ++i) {
    const pid_t pid = spawn();
    if (pid < 0) {
      std::perror("spawn");
      std::exit(1);
    }
    int status = 0;
    ::waitpid(pid, &status, 0);
  }
  const std::chrono::duration<double, std::micro> elapsed = std::chrono::steady_clock::now() - start;
  return elapsed.count() / iterations;
}

}  // namespace

int main(int argc, char** argv) {
  const int iterations = argc > 1 ? std::atoi(argv[1]) : 200;
  std::vector<long> sizes_mib;
  for (int i = 2; i < argc; ++i) sizes_mib.push_back(std::atol(argv[i]));
  if (sizes_mib.empty()) sizes_mib = {0, 256, 1024};
  std::printf("%-10s %14s %14s %14s   (mean us per spawn+reap of /bin/true, %d iterations)\n", "parent RSS", "fork",
              "clone(VM|VFORK)", "posix_spawn", iterations);
  for (long mib : sizes_mib) {
    void* memory = nullptr;
    const std::size_t bytes = static_cast<std::size_t>(mib) * 1024 * 1024;
    if (bytes > 0) {
      memory = ::mmap(nullptr, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
      if (memory == MAP_FAILED) {
        std::perror("mmap");
        return 1;
      }
      std::memset(memory, 1, bytes);  // touch every page: page tables are what fork copies
    }
    const double fork_us = measure(spawn_fork, iterations);
    const double clone_us = measure(spawn_clone, iterations);
    const double posix_us = measure(spawn_posix, iterations);
    std::printf("%6ld MiB %14.1f %14.1f %14.1f\n", mib, fork_us, clone_us, posix_us);
    if (memory != nullptr) ::munmap(memory, bytes);
  }
  return 0;
}
