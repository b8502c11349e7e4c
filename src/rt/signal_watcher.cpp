#include "rt/signal_watcher.hpp"

#include <csignal>

namespace vigil::rt {

std::string_view to_string(SignalEvent event) noexcept {
  switch (event) {
    case SignalEvent::ReloadRequested: return "reload requested";
    case SignalEvent::StopRequested: return "stop requested";
    case SignalEvent::StateDumpRequested: return "state dump requested";
    case SignalEvent::StatsDumpRequested: return "stats dump requested";
  }
  return "unknown signal event";
}

SignalEvent signal_event_for(int signal) noexcept {
  switch (signal) {
    case SIGHUP: return SignalEvent::ReloadRequested;
    case SIGUSR1: return SignalEvent::StateDumpRequested;
    case SIGUSR2: return SignalEvent::StatsDumpRequested;
    default: return SignalEvent::StopRequested;  // SIGTERM, SIGINT: the only others we register
  }
}

SignalWatcher::SignalWatcher(const asio::any_io_executor& executor) : signals_(executor, SIGHUP, SIGTERM, SIGINT) {
  signals_.add(SIGUSR1);
  signals_.add(SIGUSR2);
}

Task<Result<SignalReceived>> SignalWatcher::next() {
  auto [ec, signal] = co_await signals_.async_wait(use_nothrow);
  if (ec) co_return fail(make_error(ec, "waiting for signals"));
  co_return SignalReceived{signal_event_for(signal), signal};
}

void SignalWatcher::cancel() { signals_.cancel(); }

}  // namespace vigil::rt
