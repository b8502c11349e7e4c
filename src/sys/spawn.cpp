#include "sys/spawn.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <sched.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>  // SYS_pidfd_open: glibc 2.36's <sys/pidfd.h> lacks extern "C"
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <string_view>

extern char** environ;  // NOLINT(readability-redundant-declaration)

namespace vigil::sys {

namespace {

constexpr std::string_view kDefaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
constexpr std::size_t kChildStackSize = std::size_t{256} * 1024;

// Everything the child needs, prepared by the parent: between clone and execve the child may only
// make raw system calls (it shares our memory, and glibc's set*id wrappers would signal our threads).
struct ChildPlan {
  const char* program = nullptr;
  char* const* argv = nullptr;
  char* const* envp = nullptr;
  const char* working_directory = nullptr;
  bool set_gid = false;
  gid_t gid = 0;
  bool set_uid = false;
  uid_t uid = 0;
  int stdin_fd = -1;  // -1: close fd 0
  int output_fd = -1;
  // Written by the child when a step fails; read by the parent once clone returns (CLONE_VFORK).
  int failed_errno = 0;
  const char* failed_step = nullptr;
};

// The kernel's struct sigaction (glibc's has a different layout): used for raw rt_sigaction.
struct KernelSigaction {
  void (*handler)(int);
  unsigned long flags;
  void (*restorer)();
  unsigned long mask;
};
constexpr unsigned long kKernelSigsetSize = sizeof(unsigned long);

[[noreturn]] void child_fail(ChildPlan* plan, const char* step) {
  plan->failed_errno = errno;
  plan->failed_step = step;
  ::_exit(127);
}

// Runs on its own stack in the child. No allocation, no locks, no sanitizer bookkeeping.
__attribute__((no_sanitize("address", "undefined"))) int child_main(void* argument) {
  auto* plan = static_cast<ChildPlan*>(argument);
  // Handlers are the daemon's (Asio's signal pipe): a signal before execve must not run them.
  const KernelSigaction default_action{SIG_DFL, 0, nullptr, 0};
  for (int signal = 1; signal < NSIG; ++signal) {
    if (signal == SIGKILL || signal == SIGSTOP) continue;
    ::syscall(SYS_rt_sigaction, signal, &default_action, nullptr, kKernelSigsetSize);
  }
  const unsigned long empty_mask = 0;
  ::syscall(SYS_rt_sigprocmask, SIG_SETMASK, &empty_mask, nullptr, kKernelSigsetSize);
  if (::syscall(SYS_setsid) < 0) child_fail(plan, "setsid");
  if (plan->stdin_fd >= 0) {
    if (::syscall(SYS_dup3, plan->stdin_fd, 0, 0) < 0) child_fail(plan, "dup stdin");
  } else {
    ::syscall(SYS_close, 0);
  }
  if (::syscall(SYS_dup3, plan->output_fd, 1, 0) < 0 || ::syscall(SYS_dup3, plan->output_fd, 2, 0) < 0) {
    child_fail(plan, "dup output");
  }
  // Every other descriptor goes: sockets, the io_uring, the pid-file lock, other scripts' pipes.
  if (::syscall(SYS_close_range, 3U, ~0U, 0U) < 0) {
    const long max_fd = ::sysconf(_SC_OPEN_MAX);
    for (long fd = 3; fd < max_fd; ++fd) ::syscall(SYS_close, fd);
  }
  if (plan->working_directory != nullptr && ::syscall(SYS_chdir, plan->working_directory) < 0) {
    child_fail(plan, "chdir");
  }
  if (plan->set_gid) {
    if (::syscall(SYS_setgroups, 1, &plan->gid) < 0) child_fail(plan, "setgroups");
    if (::syscall(SYS_setresgid, plan->gid, plan->gid, plan->gid) < 0) child_fail(plan, "setgid");
  } else if (plan->set_uid && ::syscall(SYS_setgroups, 0, nullptr) < 0) {
    child_fail(plan, "setgroups");  // a new uid must not keep the daemon's supplementary groups
  }
  if (plan->set_uid && ::syscall(SYS_setresuid, plan->uid, plan->uid, plan->uid) < 0) child_fail(plan, "setuid");
  ::syscall(SYS_execve, plan->program, plan->argv, plan->envp);
  child_fail(plan, "execve");
}

// One stack per thread is enough: CLONE_VFORK suspends the thread until the child has exec'ed.
char* child_stack_top() {
  thread_local void* stack = nullptr;
  if (stack == nullptr) {
    void* mapped = ::mmap(nullptr, kChildStackSize, PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK | MAP_GROWSDOWN, -1, 0);
    if (mapped == MAP_FAILED) return nullptr;
    stack = mapped;
  }
  return static_cast<char*>(stack) + kChildStackSize;
}

std::vector<char*> pointers(const std::vector<std::string>& strings) {
  std::vector<char*> result;
  result.reserve(strings.size() + 1);
  for (const std::string& s : strings) result.push_back(const_cast<char*>(s.c_str()));
  result.push_back(nullptr);
  return result;
}

std::string path_variable(const std::optional<std::vector<std::string>>& environment) {
  if (environment) {
    for (const std::string& entry : *environment) {
      if (entry.rfind("PATH=", 0) == 0) return entry.substr(5);
    }
    return std::string(kDefaultPath);
  }
  const char* path = std::getenv("PATH");  // NOLINT(concurrency-mt-unsafe): the daemon never sets env vars
  return path != nullptr ? std::string(path) : std::string(kDefaultPath);
}

// Keeps the descriptors the child duplicates onto 0..2 away from 0..2 (dup3 refuses oldfd == newfd).
Result<UniqueFd> above_standard(UniqueFd fd) {
  if (fd.get() > 2) return fd;
  const int moved = ::fcntl(fd.get(), F_DUPFD_CLOEXEC, 3);
  if (moved < 0) return fail(errno_error("fcntl(F_DUPFD_CLOEXEC)"));
  return UniqueFd(moved);
}

}  // namespace

std::string_view to_string(StdinMode mode) noexcept {
  switch (mode) {
    case StdinMode::DevNull: return "/dev/null";
    case StdinMode::Closed: return "closed";
  }
  return "unknown";
}

Result<std::string> resolve_program(const std::string& name, const std::string& path) {
  if (name.empty()) return fail(make_error(std::errc::invalid_argument, "empty program name"));
  if (name.find('/') != std::string::npos) {
    if (::access(name.c_str(), X_OK) != 0) return fail(errno_error(fmt::format("cannot execute {}", name)));
    return name;
  }
  std::size_t start = 0;
  while (start <= path.size()) {
    std::size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    const std::string_view directory = std::string_view(path).substr(start, end - start);
    std::string candidate = fmt::format("{}/{}", directory.empty() ? std::string_view(".") : directory, name);
    struct stat st {};
    if (::stat(candidate.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(candidate.c_str(), X_OK) == 0) {
      return candidate;
    }
    start = end + 1;
  }
  return fail(make_error(std::errc::no_such_file_or_directory, fmt::format("{} not found in PATH ({})", name, path)));
}

Result<SpawnedChild> spawn(const SpawnRequest& request) {
  if (request.argv.empty()) return fail(make_error(std::errc::invalid_argument, "empty command"));
  auto program = resolve_program(request.argv.front(), path_variable(request.environment));
  if (!program) return fail(program.error());

  int pipe_fds[2];
  if (::pipe2(pipe_fds, O_CLOEXEC) != 0) return fail(errno_error("pipe2"));
  UniqueFd read_end(pipe_fds[0]);
  auto write_end = above_standard(UniqueFd(pipe_fds[1]));
  if (!write_end) return fail(write_end.error());
  if (::fcntl(read_end.get(), F_SETFL, O_NONBLOCK) != 0) return fail(errno_error("fcntl(O_NONBLOCK)"));
  UniqueFd null_input;
  if (request.stdin_mode == StdinMode::DevNull) {
    auto opened = above_standard(UniqueFd(::open("/dev/null", O_RDONLY | O_CLOEXEC)));
    if (!opened || !*opened) return fail(errno_error("open /dev/null"));
    null_input = std::move(*opened);
  }

  const std::vector<char*> argv = pointers(request.argv);
  std::vector<char*> envp;
  if (request.environment) envp = pointers(*request.environment);

  ChildPlan plan;
  plan.program = program->c_str();
  plan.argv = argv.data();
  plan.envp = request.environment ? envp.data() : environ;
  plan.working_directory = request.working_directory.empty() ? nullptr : request.working_directory.c_str();
  plan.set_gid = request.gid.has_value();
  plan.gid = request.gid.value_or(0);
  plan.set_uid = request.uid.has_value();
  plan.uid = request.uid.value_or(0);
  plan.stdin_fd = null_input ? null_input.get() : -1;
  plan.output_fd = write_end->get();

  char* stack_top = child_stack_top();
  if (stack_top == nullptr) return fail(errno_error("mmap child stack"));
  // Block every signal so none runs a daemon handler in the child before it resets them.
  sigset_t all;
  sigset_t previous;
  sigfillset(&all);
  ::pthread_sigmask(SIG_SETMASK, &all, &previous);
  const pid_t pid = ::clone(child_main, stack_top, CLONE_VM | CLONE_VFORK | SIGCHLD, &plan);
  const int clone_errno = errno;
  const TimePoint started = Clock::now();
  ::pthread_sigmask(SIG_SETMASK, &previous, nullptr);
  if (pid < 0) return fail(make_error(std::error_code(clone_errno, std::generic_category()), "clone"));

  if (plan.failed_step != nullptr) {
    int status = 0;
    ::waitpid(pid, &status, 0);
    return fail(make_error(std::error_code(plan.failed_errno, std::generic_category()),
                           fmt::format("cannot start {}: {} failed", request.argv.front(), plan.failed_step)));
  }
  // The child cannot be reaped by anyone else (we never wait for "any" child), so its pid stays ours
  // until we reap it through this pidfd.
  UniqueFd pidfd(static_cast<int>(::syscall(SYS_pidfd_open, pid, 0)));
  if (!pidfd) {
    Error error = errno_error("pidfd_open");
    ::kill(-pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    return fail(std::move(error));
  }
  return SpawnedChild{pid, std::move(pidfd), std::move(read_end), started};
}

}  // namespace vigil::sys
