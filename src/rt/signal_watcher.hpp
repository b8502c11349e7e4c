#pragma once
// Process signals as typed, awaitable events.
#include <asio/any_io_executor.hpp>
#include <asio/signal_set.hpp>
#include <string_view>

#include "base/result.hpp"
#include "rt/tokens.hpp"

namespace vigil::rt {

enum class SignalEvent {
  ReloadRequested,     // SIGHUP
  StopRequested,       // SIGTERM, SIGINT
  StateDumpRequested,  // SIGUSR1
  StatsDumpRequested,  // SIGUSR2
};

[[nodiscard]] std::string_view to_string(SignalEvent event) noexcept;

struct SignalReceived {
  SignalEvent event;
  int signal;  // the signal number, for the log line
};

// While a watcher exists, the five signals are caught (Asio's self-pipe, so delivery is async-signal-safe);
// when it is destroyed their default disposition comes back. Signals that arrive between two next()
// calls are queued by Asio, not lost.
class SignalWatcher {
 public:
  explicit SignalWatcher(const asio::any_io_executor& executor);

  // The next signal, or an error when cancel() was called (or the awaiting coroutine was cancelled).
  Task<Result<SignalReceived>> next();
  void cancel();

 private:
  asio::signal_set signals_;
};

[[nodiscard]] SignalEvent signal_event_for(int signal) noexcept;

}  // namespace vigil::rt
