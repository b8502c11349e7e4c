#include "rt/task_group.hpp"

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/error.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/system_error.hpp>
#include <list>

namespace vigil::rt {

struct TaskGroup::State {
  explicit State(asio::any_io_executor executor_in)
      : executor(std::move(executor_in)), idle(executor, asio::steady_timer::time_point::max()) {}
  asio::any_io_executor executor;
  std::list<asio::cancellation_signal> signals;  // one per running task; a list keeps them in place
  asio::steady_timer idle;                       // never expires: cancelled when the last task ends
  std::size_t running = 0;
};

namespace {

bool is_cancellation(const std::exception_ptr& error) {
  try {
    std::rethrow_exception(error);
  } catch (const asio::system_error& e) {
    return e.code() == asio::error::operation_aborted;
  } catch (...) {
    return false;
  }
}

}  // namespace

TaskGroup::TaskGroup(asio::any_io_executor executor) : state_(std::make_shared<State>(std::move(executor))) {}

TaskGroup::~TaskGroup() { cancel(); }

void TaskGroup::spawn(Task<void> task, ErrorHandler on_error) {
  auto& signal = state_->signals.emplace_back();
  const auto entry = std::prev(state_->signals.end());
  ++state_->running;
  asio::co_spawn(state_->executor, std::move(task),
                 asio::bind_cancellation_slot(
                     signal.slot(), [state = state_, entry, on_error = std::move(on_error)](std::exception_ptr error) {
                       // The signal goes after this handler has returned: its slot is still in use here.
                       asio::post(state->executor, [state, entry] { state->signals.erase(entry); });
                       if (--state->running == 0) state->idle.cancel();
                       if (error && on_error && !is_cancellation(error)) on_error(error);
                     }));
}

void TaskGroup::cancel() {
  for (auto& signal : state_->signals) signal.emit(asio::cancellation_type::terminal);
}

std::size_t TaskGroup::running() const { return state_->running; }

Task<void> TaskGroup::wait() {
  const std::shared_ptr<State> state = state_;
  while (state->running > 0) co_await state->idle.async_wait(use_nothrow);
}

Task<std::size_t> TaskGroup::finish(Duration grace) {
  const std::shared_ptr<State> state = state_;
  if (state->running > 0 && grace > Duration::zero()) {
    // The timer expires at the very deadline the loop compares with: set apart (the timer first,
    // the deadline a moment later), a wake-up right on time found the deadline not yet reached,
    // waited again with nothing left to wake it, and the grace became the task's whole run.
    const TimePoint deadline = Clock::now() + grace;
    asio::steady_timer limit(state->executor, deadline);
    limit.async_wait([state](const asio::error_code& ec) {
      if (!ec) state->idle.cancel();  // wakes the wait below to look at the clock
    });
    while (state->running > 0 && Clock::now() < deadline) co_await state->idle.async_wait(use_nothrow);
    limit.cancel();
  }
  const std::size_t cancelled = state->running;
  cancel();
  while (state->running > 0) co_await state->idle.async_wait(use_nothrow);
  co_return cancelled;
}

}  // namespace vigil::rt
