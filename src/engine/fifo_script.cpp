#include "engine/fifo_script.hpp"

#include <signal.h>

#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <exception>

#include "sys/log.hpp"
#include "sys/process.hpp"

namespace vigil::engine {

struct FifoScript::State {
  pid_t pid = 0;  // the script's process group, once it runs
  bool running = false;
  bool stopping = false;  // an end we asked for is not worth a warning
};

namespace {

// Marks the script ended however its coroutine ends (an exception included), so stop() never waits
// for a script that is gone.
struct EndsRunning {
  explicit EndsRunning(std::shared_ptr<FifoScript::State> state_in) : state(std::move(state_in)) {}
  ~EndsRunning() { state->running = false; }
  EndsRunning(const EndsRunning&) = delete;
  EndsRunning& operator=(const EndsRunning&) = delete;
  std::shared_ptr<FifoScript::State> state;
};

rt::Task<void> run_reader(std::shared_ptr<FifoScript::State> state, std::vector<std::string> argv, std::string what,
                          std::string display) {
  const EndsRunning ends(state);
  sys::ScriptOptions options;  // as the load balancer's other scripts: vigild's user, no timeout
  options.on_started = [state](pid_t pid) { state->pid = pid; };
  auto result = co_await sys::run(std::move(argv), std::move(options));
  state->running = false;
  if (!result) {
    sys::log_error("{}: cannot run {}: {}", what, display, result.error().to_string());
  } else if (!state->stopping) {
    sys::log_warning("{}: {} {}; it is not restarted", what, display, result->describe());
  }
}

rt::Task<void> wait_while_running(const std::shared_ptr<FifoScript::State>& state, TimePoint until) {
  asio::steady_timer poll(co_await asio::this_coro::executor);
  while (state->running && Clock::now() < until) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(rt::use_nothrow);
  }
}

// Signals the script's process group while it runs (sys::run has not reaped it yet).
void signal_group(const FifoScript::State& state, int signal) {
  if (state.running && state.pid > 0) ::kill(-state.pid, signal);
}

}  // namespace

FifoScript::FifoScript(asio::any_io_executor executor, std::string what)
    : executor_(std::move(executor)), what_(std::move(what)) {}

FifoScript::~FifoScript() {
  if (state_) {
    state_->stopping = true;
    signal_group(*state_, SIGKILL);
  }
}

bool FifoScript::running() const { return state_ && state_->running; }

void FifoScript::start(const config::Command& command, const std::string& fifo_path) {
  state_ = std::make_shared<State>();
  state_->running = true;
  sys::log_info("{}: starting {} {}", what_, command.display(), fifo_path);
  auto task = run_reader(state_, command.exec_argv({fifo_path}), what_, command.display());
  asio::co_spawn(executor_, std::move(task), [what = what_](const std::exception_ptr& error) {
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      sys::log_error("{}: stopped by an unexpected error: {}", what, e.what());
    }
  });
}

rt::Task<void> FifoScript::stop(Duration grace) {
  const std::shared_ptr<State> state = state_;
  if (!state || !state->running) co_return;
  state->stopping = true;
  // First the chance to leave on its own (end of file), then SIGTERM, then SIGKILL.
  co_await wait_while_running(state, Clock::now() + grace);
  signal_group(*state, SIGTERM);
  co_await wait_while_running(state, Clock::now() + grace);
  signal_group(*state, SIGKILL);
  co_await wait_while_running(state, TimePoint::max());
}

}  // namespace vigil::engine
