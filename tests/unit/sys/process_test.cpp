#include "sys/process.hpp"

#include <doctest/doctest.h>

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <unistd.h>

#include <algorithm>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <string>
#include <thread>

#include "rt/with_timeout.hpp"
#include "sys/fd_limit.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using vigil::Result;
using vigil::sys::ScriptOptions;
using vigil::sys::ScriptOutcome;
using vigil::sys::ScriptResult;

namespace {

Result<ScriptResult> run_one(std::vector<std::string> argv, ScriptOptions options = {}) {
  asio::io_context context(1);
  std::optional<Result<ScriptResult>> result;
  std::exception_ptr failure;
  asio::co_spawn(context, vigil::sys::run(std::move(argv), std::move(options)),
                 [&](std::exception_ptr e, Result<ScriptResult> r) {
                   failure = e;
                   result = std::move(r);
                 });
  context.run();
  if (failure) std::rethrow_exception(failure);
  REQUIRE(result.has_value());
  return std::move(*result);
}

Result<ScriptResult> run_shell(const std::string& line, ScriptOptions options = {}) {
  return run_one(vigil::sys::shell_command(line), std::move(options));
}

// 'R', 'S', 'Z' ... from /proc/<pid>/stat, or nullopt when the process is gone.
std::optional<char> process_state(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
  const auto paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return std::nullopt;
  return text[paren + 2];
}

// Gone, or a zombie that init is about to reap: in both cases it no longer runs.
bool stopped_running(pid_t pid) {
  for (int i = 0; i < 100; ++i) {
    const auto state = process_state(pid);
    if (!state || *state == 'Z' || *state == 'X') return true;
    std::this_thread::sleep_for(20ms);
  }
  return false;
}

std::vector<pid_t> zombie_children() {
  std::vector<pid_t> zombies;
  for (const auto& entry : std::filesystem::directory_iterator("/proc")) {
    const std::string name = entry.path().filename();
    if (!std::all_of(name.begin(), name.end(), ::isdigit)) continue;
    std::ifstream stat(entry.path() / "stat");
    std::string text((std::istreambuf_iterator<char>(stat)), std::istreambuf_iterator<char>());
    const auto paren = text.rfind(')');
    if (paren == std::string::npos) continue;
    char state = 0;
    long parent = 0;
    std::istringstream rest(text.substr(paren + 2));
    rest >> state >> parent;
    if (state == 'Z' && parent == ::getpid()) zombies.push_back(std::stoi(name));
  }
  return zombies;
}

// Whether `pid` is gone for good: reaped, not merely dead (a zombie still answers kill(pid, 0)).
bool reaped(pid_t pid) { return ::kill(pid, 0) != 0 && errno == ESRCH; }

// Waits (a bounded poll, no timing asserted) for something another thread or process does.
bool eventually(const std::function<bool()>& done) {
  for (int i = 0; i < 1000; ++i) {
    if (done()) return true;
    std::this_thread::sleep_for(10ms);
  }
  return done();
}

// A file the script writes once it is ready to be cancelled (its trap set, its background child
// started): "PID\n" of the background child, or anything.
class ReadyFile {
 public:
  ReadyFile() {
    static int counter = 0;
    path_ = std::filesystem::temp_directory_path() /
            ("vigil-process-test-" + std::to_string(::getpid()) + "-" + std::to_string(++counter));
    std::filesystem::remove(path_);
  }
  ~ReadyFile() { std::filesystem::remove(path_); }
  ReadyFile(const ReadyFile&) = delete;
  ReadyFile& operator=(const ReadyFile&) = delete;
  [[nodiscard]] std::string path() const { return path_.string(); }
  [[nodiscard]] std::string text() const {
    std::ifstream in(path_);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }
  [[nodiscard]] bool ready() const { return text().ends_with("\n"); }

 private:
  std::filesystem::path path_;
};

struct CancelledRun {
  pid_t pid = 0;
  std::optional<Result<ScriptResult>> result;
};

// Starts `line`, runs the loop until the script reports ready, cancels the coroutine awaiting the
// run (terminal cancellation through its slot, as CheckerSet::stop does) and runs the loop until
// nothing is left to do.
CancelledRun run_and_cancel(const std::string& line, const ReadyFile& ready, ScriptOptions options = {}) {
  CancelledRun run;
  asio::io_context context(1);
  asio::cancellation_signal cancel;
  std::exception_ptr failure;
  options.on_started = [&run](pid_t pid) { run.pid = pid; };
  auto awaiting = [](std::vector<std::string> argv, ScriptOptions with) -> vigil::rt::Task<Result<ScriptResult>> {
    auto result = co_await vigil::sys::run(std::move(argv), std::move(with));
    co_return result;
  };
  asio::co_spawn(context, awaiting(vigil::sys::shell_command(line), std::move(options)),
                 asio::bind_cancellation_slot(cancel.slot(), [&](std::exception_ptr e, Result<ScriptResult> r) {
                   failure = e;
                   run.result = std::move(r);
                 }));
  for (int i = 0; i < 1000 && !ready.ready(); ++i) context.run_for(10ms);
  REQUIRE(ready.ready());
  REQUIRE(run.pid > 0);
  cancel.emit(asio::cancellation_type::terminal);
  context.run();
  if (failure) std::rethrow_exception(failure);
  return run;
}

}  // namespace

TEST_CASE("run reports the exit code and captures stdout and stderr") {
  auto result = run_shell("echo out; echo err >&2; exit 3");
  REQUIRE(result.has_value());
  CHECK(result->outcome == ScriptOutcome::Exited);
  CHECK(result->exit_code == 3);
  CHECK_FALSE(result->succeeded());
  CHECK(result->output == "out\nerr\n");
  CHECK_FALSE(result->output_truncated);
  CHECK(result->describe() == "exited with status 3");
  CHECK(result->duration > vigil::Duration::zero());
}

TEST_CASE("run reports when the child started: after the call, before the exit was seen") {
  const auto before = vigil::Clock::now();
  auto result = run_one({"/bin/true"});
  const auto after = vigil::Clock::now();
  REQUIRE(result.has_value());
  CHECK(result->started >= before);
  CHECK(result->started <= after);
}

TEST_CASE("run reports a script killed by a signal") {
  auto result = run_shell("kill -TERM $$");
  REQUIRE(result.has_value());
  CHECK(result->outcome == ScriptOutcome::Signaled);
  CHECK(result->signal == SIGTERM);
  CHECK(result->describe() == "killed by signal 15 (SIGTERM)");
}

TEST_CASE("a timeout kills the whole process group") {
  ScriptOptions options;
  options.timeout = 300ms;
  // The background sleep is the grandchild keepalived-style runners leave behind.
  auto result = run_shell("sleep 60 & echo $!; sleep 60", options);
  REQUIRE(result.has_value());
  CHECK(result->outcome == ScriptOutcome::TimedOut);
  CHECK(result->signal == SIGKILL);
  CHECK(result->describe(options.timeout) == "timed out after 300ms (killed by signal 9 (SIGKILL))");
  const pid_t background = std::stoi(result->output);
  CHECK(stopped_running(result->pid));
  CHECK(stopped_running(background));
  CHECK(result->duration < 30s);
}

TEST_CASE("a timeout with a grace period sends SIGTERM first") {
  ScriptOptions options;
  options.timeout = 200ms;
  options.term_grace = 5s;
  auto result = run_shell("trap 'echo got-term; exit 0' TERM; sleep 60 & wait", options);
  REQUIRE(result.has_value());
  CHECK(result->outcome == ScriptOutcome::TimedOut);
  CHECK(result->output.find("got-term") != std::string::npos);
}

TEST_CASE("no zombie is left behind") {
  for (int i = 0; i < 5; ++i) {
    auto result = run_one({"/bin/true"});
    REQUIRE(result.has_value());
    CHECK_FALSE(process_state(result->pid).has_value());
  }
  CHECK(zombie_children().empty());
}

TEST_CASE("the child inherits no descriptor but 0, 1 and 2") {
  // A descriptor without O_CLOEXEC in the parent, as a library might leave one.
  const int leaked = ::open("/dev/null", O_RDONLY);
  REQUIRE(leaked >= 0);
  // `ls` lists the shell's descriptors (its own would include the directory it reads).
  auto result = run_shell("ls /proc/$$/fd; true");
  ::close(leaked);
  REQUIRE(result.has_value());
  CHECK(result->output == "0\n1\n2\n");

  ScriptOptions closed_stdin;
  closed_stdin.stdin_mode = vigil::sys::StdinMode::Closed;
  auto without_stdin = run_shell("ls /proc/$$/fd; true", closed_stdin);
  REQUIRE(without_stdin.has_value());
  CHECK(without_stdin->output == "1\n2\n");
}

TEST_CASE("output is bounded and marked when truncated") {
  auto result = run_shell("head -c 10000 /dev/zero | tr '\\0' x");
  REQUIRE(result.has_value());
  CHECK(result->succeeded());
  CHECK(result->output_truncated);
  CHECK(result->output_bytes == 10000);
  CHECK(result->output.size() == vigil::sys::kDefaultOutputLimit + vigil::sys::kTruncatedMarker.size());
  CHECK(result->output.substr(0, 4) == "xxxx");
  CHECK(result->output.ends_with(vigil::sys::kTruncatedMarker));

  ScriptOptions small;
  small.output_limit = 3;
  auto cut = run_shell("echo hello", small);
  REQUIRE(cut.has_value());
  CHECK(cut->output == std::string("hel") + std::string(vigil::sys::kTruncatedMarker));
}

TEST_CASE("a script that writes more than a pipe holds is not blocked") {
  auto result = run_shell("head -c 1000000 /dev/zero");
  REQUIRE(result.has_value());
  CHECK(result->succeeded());
  CHECK(result->output_bytes == 1000000);
}

TEST_CASE("environment and working directory are applied") {
  ScriptOptions options;
  options.environment = std::vector<std::string>{"VIGIL_TEST=hello", "PATH=/usr/bin:/bin"};
  options.working_directory = "/proc";
  auto result = run_shell("echo $VIGIL_TEST; pwd; echo ${HOME:-nohome}", options);
  REQUIRE(result.has_value());
  CHECK(result->output == "hello\n/proc\nnohome\n");
}

TEST_CASE("a program that cannot start is an error, not a result") {
  auto missing = run_one({"/nonexistent/vigil-script"});
  REQUIRE_FALSE(missing.has_value());
  CHECK(missing.error().message.find("/nonexistent/vigil-script") != std::string::npos);

  auto unknown = run_one({"vigil-no-such-program"});
  REQUIRE_FALSE(unknown.has_value());
  CHECK(unknown.error().message.find("not found in PATH") != std::string::npos);

  ScriptOptions bad_directory;
  bad_directory.working_directory = "/nonexistent-dir";
  auto chdir_failed = run_one({"/bin/true"}, bad_directory);
  REQUIRE_FALSE(chdir_failed.has_value());
  CHECK(chdir_failed.error().message.find("chdir") != std::string::npos);
  CHECK(zombie_children().empty());
}

TEST_CASE("uid and gid switch to nobody") {
  VIGIL_REQUIRE_ROOT();
  ScriptOptions options;
  options.uid = 65534;
  options.gid = 65534;
  auto result = run_shell("id -u; id -g; id -G", options);
  REQUIRE(result.has_value());
  CHECK(result->output == "65534\n65534\n65534\n");
}

TEST_CASE("1000 concurrent scripts finish while a 10 ms timer keeps ticking") {
  REQUIRE(vigil::sys::raise_open_file_limit().has_value());
  constexpr int kScripts = 1000;
  asio::io_context context(1);
  int finished = 0;
  int succeeded = 0;
  int ticks = 0;
  vigil::Duration max_gap{};
  std::exception_ptr failure;
  for (int i = 0; i < kScripts; ++i) {
    asio::co_spawn(context, vigil::sys::run({"/bin/true"}), [&](std::exception_ptr e, Result<ScriptResult> r) {
      if (e) failure = e;
      ++finished;
      if (r && r->succeeded()) ++succeeded;
    });
  }
  asio::co_spawn(
      context,
      [&]() -> vigil::rt::Task<void> {
        asio::steady_timer timer(context);
        auto last = vigil::Clock::now();
        while (finished < kScripts) {
          timer.expires_after(10ms);
          co_await timer.async_wait(asio::use_awaitable);
          const auto now = vigil::Clock::now();
          max_gap = std::max<vigil::Duration>(max_gap, now - last);
          last = now;
          ++ticks;
        }
      },
      [&](std::exception_ptr e) {
        if (e) failure = e;
      });
  const auto started = vigil::Clock::now();
  context.run();
  const auto elapsed = vigil::Clock::now() - started;
  if (failure) std::rethrow_exception(failure);
  CHECK(finished == kScripts);
  CHECK(succeeded == kScripts);
  CHECK(ticks >= 3);
  CHECK(max_gap < 1s);
  MESSAGE("1000 scripts in " << vigil::format_duration(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed))
                             << ", timer ticked " << ticks << " times, max gap "
                             << std::chrono::duration_cast<std::chrono::microseconds>(max_gap).count() << " us");
  CHECK(zombie_children().empty());
}

TEST_CASE("a cancelled run kills its script and reaps it") {
  const ReadyFile ready;
  const auto run = run_and_cancel("echo > " + ready.path() + "; sleep 60", ready);
  REQUIRE(run.result.has_value());
  REQUIRE(run.result->has_value());
  const ScriptResult& result = **run.result;
  CHECK(result.outcome == ScriptOutcome::Cancelled);
  CHECK(result.signal == SIGKILL);
  CHECK(result.describe() == "cancelled (killed by signal 9 (SIGKILL))");
  CHECK(reaped(run.pid));
  CHECK(zombie_children().empty());
}

TEST_CASE("a cancelled run sends SIGTERM first, and SIGKILL after term_grace to a script that ignores it") {
  ScriptOptions options;
  options.term_grace = 200ms;
  SUBCASE("a script that leaves on SIGTERM") {
    const ReadyFile ready;
    const auto run = run_and_cancel("trap 'echo got-term; exit 3' TERM; echo > " + ready.path() + "; sleep 60 & wait",
                                    ready, options);
    REQUIRE(run.result.has_value());
    REQUIRE(run.result->has_value());
    CHECK((*run.result)->outcome == ScriptOutcome::Cancelled);
    CHECK((*run.result)->exit_code == 3);
    CHECK((*run.result)->describe() == "cancelled (it exited with status 3 meanwhile)");
    CHECK(reaped(run.pid));
  }
  SUBCASE("a script that ignores SIGTERM") {
    const ReadyFile ready;
    // An ignored signal stays ignored across exec: the sleep ignores SIGTERM too.
    const auto run = run_and_cancel("trap '' TERM; echo > " + ready.path() + "; sleep 60", ready, options);
    REQUIRE(run.result.has_value());
    REQUIRE(run.result->has_value());
    CHECK((*run.result)->outcome == ScriptOutcome::Cancelled);
    CHECK((*run.result)->signal == SIGKILL);
    CHECK(reaped(run.pid));
  }
  CHECK(zombie_children().empty());
}

TEST_CASE("a cancelled run kills the background children in the script's process group") {
  const ReadyFile ready;
  const auto run = run_and_cancel("sleep 60 & echo $! > " + ready.path() + "; wait", ready);
  const pid_t background = std::stoi(ready.text());
  REQUIRE(run.result.has_value());
  REQUIRE(run.result->has_value());
  CHECK((*run.result)->outcome == ScriptOutcome::Cancelled);
  CHECK(reaped(run.pid));
  // The grandchild is init's to reap once its parent is gone: it must no longer run.
  CHECK(stopped_running(background));
}

TEST_CASE("a run cancelled by with_timeout around it kills and reaps its script") {
  asio::io_context context(1);
  pid_t pid = 0;
  std::optional<Result<ScriptResult>> result;
  std::exception_ptr failure;
  auto bounded = [&pid]() -> vigil::rt::Task<Result<ScriptResult>> {
    ScriptOptions options;
    options.on_started = [&pid](pid_t started) { pid = started; };
    auto run = vigil::sys::run(vigil::sys::shell_command("sleep 60"), std::move(options));
    co_return co_await vigil::rt::with_timeout(std::move(run), 200ms);
  };
  asio::co_spawn(context, bounded(), [&](std::exception_ptr e, Result<ScriptResult> r) {
    failure = e;
    result = std::move(r);
  });
  context.run();
  if (failure) std::rethrow_exception(failure);
  REQUIRE(result.has_value());
  REQUIRE_FALSE(result->has_value());
  CHECK(result->error().code == std::errc::timed_out);
  REQUIRE(pid > 0);
  CHECK(reaped(pid));
  CHECK(zombie_children().empty());
}

TEST_CASE("a run whose coroutine is destroyed with its io_context kills and reaps its script") {
  const ReadyFile ready;
  pid_t pid = 0;
  {
    asio::io_context context(1);
    ScriptOptions options;
    options.on_started = [&pid](pid_t started) { pid = started; };
    asio::co_spawn(context,
                   vigil::sys::run(vigil::sys::shell_command("echo > " + ready.path() + "; sleep 60"), options),
                   [](std::exception_ptr, Result<ScriptResult>) {});
    for (int i = 0; i < 1000 && !ready.ready(); ++i) context.run_for(10ms);
    REQUIRE(ready.ready());
    REQUIRE(pid > 0);
  }  // the frame goes with the context, its script still running
  // The reap runs on a spawner thread.
  CHECK(eventually([pid] { return reaped(pid); }));
  CHECK(zombie_children().empty());
}

TEST_CASE("shell_command and to_string") {
  CHECK(vigil::sys::shell_command("exit 1") == std::vector<std::string>{"/bin/sh", "-c", "exit 1"});
  CHECK(vigil::sys::shell_command("x", "/bin/bash").front() == "/bin/bash");
  CHECK(vigil::sys::to_string(ScriptOutcome::Exited) == "exited");
  CHECK(vigil::sys::to_string(ScriptOutcome::Signaled) == "signaled");
  CHECK(vigil::sys::to_string(ScriptOutcome::TimedOut) == "timed out");
  CHECK(vigil::sys::to_string(ScriptOutcome::Cancelled) == "cancelled");
  ScriptResult result;
  result.duration = 1500ms;
  CHECK(vigil::format_duration(result.duration) == "1500ms");
}
