#include "daemon/daemon.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <csignal>
#include <exception>

#include "sys/fd_limit.hpp"
#include "sys/log.hpp"
#include "sys/systemd.hpp"
#include "vigil_version.hpp"

namespace vigil::daemon {

namespace {

void report_notify_failure(const Result<bool>& sent) {
  if (!sent) sys::log_warning("cannot notify systemd: {}", sent.error().to_string());
}

std::string running_status(const std::filesystem::path& config_file, unsigned reloads) {
  return reloads == 0 ? fmt::format("running with {}", config_file.string())
                      : fmt::format("running with {} (reloaded {} times)", config_file.string(), reloads);
}

// Signals the daemon relies on being in their default state, whatever the parent left behind.
void reset_process_signals() {
  // A peer closing a socket or pipe is an error value on write, never a process kill.
  std::signal(SIGPIPE, SIG_IGN);
  // SIG_IGN would let the kernel reap script children before their pidfd is waited on.
  std::signal(SIGCHLD, SIG_DFL);
}

}  // namespace

Daemon::Daemon(DaemonOptions options, DaemonHooks hooks) : options_(std::move(options)), hooks_(std::move(hooks)) {}

ConfigLoad Daemon::load_and_report(const std::filesystem::path& file) {
  ConfigLoad loaded = load_config(file, false);
  for (const ConfigMessage& message : loaded.messages) {
    if (message.is_error) {
      sys::log_error("{}", message.text);
    } else {
      sys::log_warning("{}", message.text);
    }
  }
  return loaded;
}

ExitCode Daemon::run() {
  ConfigLoad loaded = load_and_report(options_.config_file);
  if (!loaded.ok()) {
    sys::log_error("{}: {} errors, not starting", options_.config_file.string(), loaded.error_count());
    return ExitCode::ConfigInvalid;
  }
  config_ = loaded.config;

  auto context = rt::make_io_context();
  if (!context) {
    sys::log_error("{}", context.error().to_string());
    return ExitCode::StartFailed;
  }
  auto runtime_dir = sys::RuntimeDir::acquire(options_.runtime_dir);
  if (!runtime_dir) {
    sys::log_error("{}", runtime_dir.error().to_string());
    return ExitCode::StartFailed;
  }
  runtime_dir_.emplace(std::move(*runtime_dir));
  if (auto fds = sys::ensure_standard_fds(); !fds) sys::log_warning("{}", fds.error().to_string());
  if (auto limit = sys::raise_open_file_limit(); !limit) sys::log_warning("{}", limit.error().to_string());
  reset_process_signals();

  // Signals stay caught until the loop has ended, so a second SIGTERM during the orderly stop is
  // ignored instead of killing the daemon halfway.
  rt::SignalWatcher signals((*context)->get_executor());
  ExitCode exit_code = ExitCode::InternalError;
  asio::co_spawn(**context, serve(signals, **context), [&](std::exception_ptr failure, ExitCode code) {
    if (!failure) {
      exit_code = code;
      return;
    }
    try {
      std::rethrow_exception(failure);
    } catch (const std::exception& e) {
      sys::log_error("internal error: {}", e.what());
    } catch (...) {
      sys::log_error("internal error: unknown exception");
    }
    exit_code = ExitCode::InternalError;
    (*context)->stop();
  });
  (*context)->run();
  runtime_dir_.reset();
  return exit_code;
}

rt::Task<ExitCode> Daemon::serve(rt::SignalWatcher& signals, asio::io_context& context) {
  if (hooks_.start) {
    if (auto started = co_await hooks_.start(context, *config_); !started) {
      sys::log_error("start failed: {}", started.error().to_string());
      co_return ExitCode::StartFailed;
    }
  }
  if (const auto interval = sys::watchdog_interval()) {
    asio::co_spawn(context, keep_watchdog_fed(*interval),
                   asio::bind_cancellation_slot(stop_watchdog_.slot(), [](std::exception_ptr) {}));
  }
  report_notify_failure(sys::notify_ready(running_status(options_.config_file, reloads_)));
  sys::log_notice("vigild {} started: config {}, runtime directory {}, event loop {}, pid {}", kVersion,
                  options_.config_file.string(), options_.runtime_dir.string(), rt::backend_name(), ::getpid());

  bool stopping = false;
  while (!stopping) {
    auto received = co_await signals.next();
    if (!received) {
      sys::log_error("signal handling failed: {}", received.error().to_string());
      break;
    }
    const char* name = ::sigabbrev_np(received->signal);
    sys::log_info("{} (SIG{})", rt::to_string(received->event), name != nullptr ? name : "?");
    switch (received->event) {
      case rt::SignalEvent::ReloadRequested: co_await reload(); break;
      case rt::SignalEvent::StopRequested: stopping = true; break;
      case rt::SignalEvent::StateDumpRequested:
      case rt::SignalEvent::StatsDumpRequested:
        if (hooks_.dump) {
          hooks_.dump(received->event);
        } else {
          sys::log_info("nothing to dump yet");
        }
        break;
    }
  }
  report_notify_failure(sys::notify_stopping("stopping"));
  sys::log_notice("vigild stopping");
  if (hooks_.stop) co_await hooks_.stop();
  stop_watchdog_.emit(asio::cancellation_type::terminal);
  sys::log_notice("vigild stopped");
  co_return ExitCode::Ok;
}

rt::Task<void> Daemon::reload() {
  report_notify_failure(sys::notify_reloading("reloading"));
  sys::log_notice("reloading {}", options_.config_file.string());
  ConfigLoad loaded = load_and_report(options_.config_file);
  if (!loaded.ok()) {
    sys::log_error("reload failed: {} has {} errors; keeping the running config", options_.config_file.string(),
                   loaded.error_count());
    report_notify_failure(sys::notify_ready(fmt::format("reload failed ({} errors); {}", loaded.error_count(),
                                                        running_status(options_.config_file, reloads_))));
    co_return;
  }
  if (hooks_.reload) {
    if (auto applied = co_await hooks_.reload(*config_, *loaded.config); !applied) {
      sys::log_error("reload failed: {}; keeping the running config", applied.error().to_string());
      report_notify_failure(
          sys::notify_ready(fmt::format("reload failed; {}", running_status(options_.config_file, reloads_))));
      co_return;
    }
  }
  config_ = loaded.config;
  ++reloads_;
  sys::log_notice("reloaded {} ({} warnings)", options_.config_file.string(), loaded.warning_count());
  report_notify_failure(sys::notify_ready(running_status(options_.config_file, reloads_)));
}

rt::Task<void> Daemon::keep_watchdog_fed(Duration interval) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  // Half the interval, as sd_watchdog_enabled(3) advises: one late ping must not be fatal.
  const Duration period = interval / 2;
  for (;;) {
    report_notify_failure(sys::notify_watchdog());
    timer.expires_after(period);
    auto [ec] = co_await timer.async_wait(rt::use_nothrow);
    if (ec) co_return;
  }
}

}  // namespace vigil::daemon
