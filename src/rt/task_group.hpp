#pragma once
// Coroutines that one owner spawns and ends together (the notify scripts a service runs in the
// background): each is spawned with its own cancellation signal, cancel() ends every one still
// running (terminal cancellation, which a script run answers by killing and reaping its script),
// and wait() resumes once none is left. Single executor; not thread-safe.
#include <asio/any_io_executor.hpp>
#include <cstddef>
#include <exception>
#include <functional>
#include <memory>

#include "base/duration.hpp"
#include "rt/tokens.hpp"

namespace vigil::rt {

class TaskGroup {
 public:
  using ErrorHandler = std::function<void(std::exception_ptr)>;

  explicit TaskGroup(asio::any_io_executor executor);
  ~TaskGroup();  // cancels what still runs; those tasks finish on the executor
  TaskGroup(const TaskGroup&) = delete;
  TaskGroup& operator=(const TaskGroup&) = delete;

  // `on_error` sees an exception the task ends with (not a cancelled task's operation_aborted).
  void spawn(Task<void> task, ErrorHandler on_error = {});
  void cancel();
  [[nodiscard]] std::size_t running() const;
  // Resumes once no task runs (at once if none does).
  Task<void> wait();
  // Waits at most `grace` for the tasks to end by themselves, then cancels the rest and waits for
  // them to finish (a stop: a script gets `grace`, then is killed and reaped). Returns how many
  // were cancelled.
  Task<std::size_t> finish(Duration grace);

  struct State;

 private:
  std::shared_ptr<State> state_;
};

}  // namespace vigil::rt
