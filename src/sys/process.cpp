#include "sys/process.hpp"

#include <fmt/format.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/experimental/deferred.hpp>
#include <asio/experimental/parallel_group.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <asio/thread_pool.hpp>
#include <cerrno>
#include <cstring>

#include "sys/log.hpp"

namespace vigil::sys {

namespace {

using asio::posix::stream_descriptor;

constexpr std::size_t kReadChunk = 4096;
// After the script exits, what is still in the pipe is read without waiting; a background child
// that keeps the pipe open and keeps writing must not hold us here, hence a bound.
constexpr int kMaxDrainReads = 256;

class OutputCollector {
 public:
  explicit OutputCollector(std::size_t limit) : limit_(limit) {}

  void append(const char* data, std::size_t size) {
    total_ += size;
    if (kept_.size() < limit_) kept_.append(data, std::min(size, limit_ - kept_.size()));
  }
  [[nodiscard]] std::size_t total() const noexcept { return total_; }
  [[nodiscard]] bool truncated() const noexcept { return total_ > kept_.size(); }
  std::string take() {
    if (truncated()) kept_ += kTruncatedMarker;
    return std::move(kept_);
  }

 private:
  std::size_t limit_;
  std::size_t total_ = 0;
  std::string kept_;
};

// Starting a child blocks the calling thread until the child has exec'ed: 0.1-0.5 ms on an idle
// machine, but milliseconds when the CPUs are busy and the child has to wait for one. The daemon's
// thread serves timers, sockets and the other scripts meanwhile, so spawns run on a few threads of
// their own; with several, children that wait for a CPU also wait side by side, not in a queue.
constexpr std::size_t kSpawnerThreads = 4;

asio::thread_pool& spawner_threads() {
  static asio::thread_pool pool(kSpawnerThreads);
  return pool;
}

rt::Task<Result<SpawnedChild>> spawn_here(SpawnRequest request) { co_return spawn(request); }

struct ExitInfo {
  siginfo_t info{};
  bool timed_out = false;
  bool cancelled = false;
};

// The child as long as nobody has reaped it. Normally wait_for_exit kills (if need be) and reaps
// it; this is for the paths that never get there: the coroutine frame destroyed without being
// resumed (its io_context torn down with the script running), or an exception between the spawn
// and the wait (the caller cancelled while the spawn ran). The group gets SIGKILL at once and the
// reap, a blocking wait for a process that is dying, runs on a spawner thread, never on the loop.
class UnreapedChild {
 public:
  explicit UnreapedChild(pid_t pid) : pid_(pid) {}
  UnreapedChild(const UnreapedChild&) = delete;
  UnreapedChild& operator=(const UnreapedChild&) = delete;
  ~UnreapedChild() {
    if (reaped_) return;
    ::kill(-pid_, SIGKILL);
    asio::post(spawner_threads(), [pid = pid_] {
      siginfo_t ignored{};
      while (::waitid(P_PID, static_cast<id_t>(pid), &ignored, WEXITED) != 0 && errno == EINTR) {
      }
    });
  }
  void reaped() noexcept { reaped_ = true; }

 private:
  pid_t pid_;
  bool reaped_ = false;
};

void drain(int fd, OutputCollector& collector) {
  std::array<char, kReadChunk> buffer{};
  for (int i = 0; i < kMaxDrainReads; ++i) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n <= 0) return;
    collector.append(buffer.data(), static_cast<std::size_t>(n));
  }
}

rt::Task<void> collect_output(stream_descriptor& output, OutputCollector& collector) {
  std::array<char, kReadChunk> buffer{};
  for (;;) {
    auto [ec, n] = co_await output.async_read_some(asio::buffer(buffer), rt::use_nothrow);
    collector.append(buffer.data(), n);
    if (ec == asio::error::operation_aborted) {
      drain(output.native_handle(), collector);
      co_return;
    }
    if (ec) co_return;  // EOF: every writer (the script and its children) has closed the pipe
  }
}

constexpr int kMaxFailedWaits = 8;

bool has_exited(stream_descriptor& pidfd) {
  siginfo_t info{};
  return ::waitid(P_PIDFD, static_cast<id_t>(pidfd.native_handle()), &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
         info.si_pid != 0;
}

// How often a wait for a child's exit also asks the kernel directly. Asio 1.22's io_uring backend
// used to deliver cancel answers to unrelated operations (a pidfd poll failed with ENOENT or
// completed early, another went missing); src/rt/asio_impl.cpp corrects that, and asking the kernel
// now and then still bounds what any lost completion of this wait could cost.
constexpr Duration kExitRecheck = std::chrono::seconds(1);

// Waits for the pidfd to become readable, at most `limit` (zero: no limit).
// Returns true when the process exited, false on timeout or cancellation (`cancelled` tells which).
rt::Task<bool> await_exit(stream_descriptor& pidfd, Duration limit, bool& cancelled) {
  cancelled = false;
  const bool bounded = limit > Duration::zero();
  const TimePoint deadline = bounded ? Clock::now() + limit : TimePoint::max();
  asio::steady_timer timer(co_await asio::this_coro::executor);
  int failed_waits = 0;  // a wait that keeps failing must not spin until the timeout
  for (;;) {
    const TimePoint now = Clock::now();
    const bool last_round = bounded && deadline - now <= kExitRecheck;
    timer.expires_at(last_round ? deadline : now + kExitRecheck);
    auto [order, exit_ec, timer_ec] = co_await asio::experimental::make_parallel_group(
                                          pidfd.async_wait(stream_descriptor::wait_read, asio::experimental::deferred),
                                          timer.async_wait(asio::experimental::deferred))
                                          .async_wait(asio::experimental::wait_for_one(), asio::use_awaitable);
    if (order[0] == 0 && !exit_ec) {
      // The caller's reap blocks, so readiness is confirmed with the kernel first.
      if (has_exited(pidfd) || ++failed_waits > kMaxFailedWaits) co_return true;
      log_debug("a script's pidfd reported ready before the script exited; waiting again");
      continue;
    }
    if (order[0] == 0 && exit_ec != asio::error::operation_aborted && ++failed_waits <= kMaxFailedWaits) {
      // The wait itself failed (not our cancellation): the child is still ours, wait again.
      log_debug("waiting for a script to exit failed ({}); waiting again", exit_ec.message());
      if (has_exited(pidfd)) co_return true;
      continue;
    }
    if (order[0] == 1 && !timer_ec) {
      // A recheck tick or the deadline. Both may have been due when this thread got to run (a
      // busy machine), or the poll's completion was lost: ask the kernel.
      if (has_exited(pidfd)) co_return true;
      if (last_round) co_return false;  // timed out
      continue;
    }
    cancelled = true;  // neither side completed on its own
    co_return false;
  }
}

// Kills the group and waits for the leader; killing before reaping means the group id cannot be
// reused by an unrelated process while we signal it.
rt::Task<void> kill_group_and_wait(stream_descriptor& pidfd, pid_t pid, Duration term_grace) {
  bool cancelled = false;
  if (term_grace > Duration::zero()) {
    ::kill(-pid, SIGTERM);
    if (co_await await_exit(pidfd, term_grace, cancelled)) {
      ::kill(-pid, SIGKILL);  // the leader is gone; its children may not be
      co_return;
    }
  }
  ::kill(-pid, SIGKILL);
  if (!co_await await_exit(pidfd, Duration::zero(), cancelled)) {
    // Cancelled while waiting for a SIGKILLed process: it dies within moments, wait for it here.
    siginfo_t ignored{};
    ::waitid(P_PIDFD, static_cast<id_t>(pidfd.native_handle()), &ignored, WEXITED | WNOWAIT);
  }
}

rt::Task<ExitInfo> wait_for_exit(stream_descriptor& pidfd, stream_descriptor& output, pid_t pid,
                                 const ScriptOptions& options) {
  ExitInfo result;
  bool cancelled = false;
  if (!co_await await_exit(pidfd, options.timeout, cancelled)) {
    result.timed_out = !cancelled;
    result.cancelled = cancelled;
    if (cancelled) {
      // The caller gave up on the script (a checker removed by a reload, a stop): it must not
      // outlive the run. A cancelled coroutine's next co_await throws at once, which would skip
      // the kill and the reap, so this one stops listening to cancellation: the kill below takes
      // term_grace at most, then the SIGKILLed process's exit.
      co_await asio::this_coro::reset_cancellation_state(asio::disable_cancellation());
    }
    co_await kill_group_and_wait(pidfd, pid, options.term_grace);
  }
  ::waitid(P_PIDFD, static_cast<id_t>(pidfd.native_handle()), &result.info, WEXITED);
  // The script is gone; children it left in the background may still hold the pipe open.
  asio::error_code ignored;
  output.cancel(ignored);
  co_return result;
}

}  // namespace

std::string_view to_string(ScriptOutcome outcome) noexcept {
  switch (outcome) {
    case ScriptOutcome::Exited: return "exited";
    case ScriptOutcome::Signaled: return "signaled";
    case ScriptOutcome::TimedOut: return "timed out";
    case ScriptOutcome::Cancelled: return "cancelled";
  }
  return "unknown";
}

std::string ScriptResult::describe(Duration timeout) const {
  const auto signal_text = [this] {
    const char* name = ::sigabbrev_np(signal);
    return fmt::format("killed by signal {} (SIG{})", signal, name != nullptr ? name : "?");
  };
  switch (outcome) {
    case ScriptOutcome::Exited: return fmt::format("exited with status {}", exit_code);
    case ScriptOutcome::Signaled: return signal_text();
    case ScriptOutcome::TimedOut:
      return timeout > Duration::zero()
                 ? fmt::format("timed out after {} ({})", format_duration(timeout), signal_text())
                 : fmt::format("timed out ({})", signal_text());
    case ScriptOutcome::Cancelled:
      return exit_code >= 0 ? fmt::format("cancelled (it exited with status {} meanwhile)", exit_code)
                            : fmt::format("cancelled ({})", signal_text());
  }
  return "unknown";
}

std::vector<std::string> shell_command(std::string_view line, std::string shell) {
  return {std::move(shell), "-c", std::string(line)};
}

rt::Task<Result<ScriptResult>> run(std::vector<std::string> argv, ScriptOptions options) {
  auto executor = co_await asio::this_coro::executor;
  const TimePoint started = Clock::now();
  SpawnRequest request{argv,        options.environment, options.working_directory,
                       options.uid, options.gid,         options.stdin_mode};
  auto spawning = spawn_here(std::move(request));
  // Runs on a spawner thread; this coroutine resumes on its own executor.
  auto child = co_await asio::co_spawn(spawner_threads(), std::move(spawning), asio::use_awaitable);
  if (!child) co_return fail(child.error());
  const pid_t pid = child->pid;
  UnreapedChild unreaped(pid);
  if (options.on_started) options.on_started(pid);
  stream_descriptor pidfd(executor, child->pidfd.release());
  stream_descriptor output(executor, child->output.release());
  OutputCollector collector(options.output_limit);

  auto [order, wait_exception, exit_info, read_exception] =
      co_await asio::experimental::make_parallel_group(
          asio::co_spawn(executor, wait_for_exit(pidfd, output, pid, options), asio::experimental::deferred),
          asio::co_spawn(executor, collect_output(output, collector), asio::experimental::deferred))
          .async_wait(asio::experimental::wait_for_all(), asio::use_awaitable);
  (void)order;
  if (!wait_exception) unreaped.reaped();
  if (wait_exception) std::rethrow_exception(wait_exception);
  if (read_exception) std::rethrow_exception(read_exception);

  ScriptResult result;
  result.pid = pid;
  result.started = child->started;
  result.duration = Clock::now() - started;
  if (exit_info.info.si_code == CLD_EXITED) {
    result.outcome = ScriptOutcome::Exited;
    result.exit_code = exit_info.info.si_status;
  } else {
    result.outcome = ScriptOutcome::Signaled;
    result.signal = exit_info.info.si_status;
  }
  if (exit_info.timed_out) result.outcome = ScriptOutcome::TimedOut;
  if (exit_info.cancelled) result.outcome = ScriptOutcome::Cancelled;
  result.output_bytes = collector.total();
  result.output_truncated = collector.truncated();
  result.output = collector.take();
  log_debug(LogFields{{"VIGIL_SCRIPT", argv.front()}}, "script {} (pid {}) {} after {}", argv.front(), pid,
            result.describe(options.timeout), format_duration(result.duration));
  if (!result.output.empty()) log_debug(LogFields{{"VIGIL_SCRIPT", argv.front()}}, "script output: {}", result.output);
  co_return result;
}

}  // namespace vigil::sys
