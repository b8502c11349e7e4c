#include "daemon/daemon.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <condition_variable>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <exception>
#include <mutex>
#include <thread>
#include <utility>

#include "control/report.hpp"
#include "sys/fd_limit.hpp"
#include "sys/log.hpp"
#include "sys/systemd.hpp"
#include "vigil_version.hpp"

namespace vigil::daemon {

namespace {

// After every service has stopped, the event loop ends by itself when its last operation
// completes. One whose completion never came (Asio 1.22's io_uring backend lost some before
// rt/asio_impl.cpp corrected it) would keep vigild from ever exiting; the watch stops the loop.
constexpr auto kExitDrain = std::chrono::seconds(2);

class ExitWatch {
 public:
  ExitWatch() = default;
  ExitWatch(const ExitWatch&) = delete;
  ExitWatch& operator=(const ExitWatch&) = delete;
  ~ExitWatch() { finish(); }

  // From the moment the stop sequence has finished: the loop has kExitDrain to end by itself.
  void arm(asio::io_context& context) {
    thread_ = std::thread([this, &context] {
      std::unique_lock lock(mutex_);
      if (!loop_ended_cv_.wait_for(lock, kExitDrain, [this] { return loop_ended_; })) {
        abandoned_ = true;
        context.stop();
      }
    });
  }

  // After run() returned: whether the watch had to stop the loop.
  bool abandoned() {
    finish();
    return abandoned_;
  }

 private:
  void finish() {
    {
      std::lock_guard lock(mutex_);
      loop_ended_ = true;
    }
    loop_ended_cv_.notify_all();
    if (thread_.joinable()) thread_.join();
  }

  std::mutex mutex_;
  std::condition_variable loop_ended_cv_;
  bool loop_ended_ = false;
  bool abandoned_ = false;  // written by the watch thread, read after join
  std::thread thread_;
};

void report_notify_failure(const Result<bool>& sent) {
  if (!sent) sys::log_warning("cannot notify systemd: {}", sent.error().to_string());
}

std::string running_status(const std::filesystem::path& config_file, unsigned reloads) {
  return reloads == 0 ? fmt::format("running with {}", config_file.string())
                      : fmt::format("running with {} (reloaded {} times)", config_file.string(), reloads);
}

std::chrono::nanoseconds thread_cpu_time() {
  timespec now{};
  ::clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

double now_unix() { return std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count(); }

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
  ExitWatch exit_watch;
  asio::co_spawn(**context, serve(signals, **context), [&](std::exception_ptr failure, ExitCode code) {
    if (!failure) {
      exit_code = code;
      exit_watch.arm(**context);
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
  if (exit_watch.abandoned()) {
    // The loop was stopped with operations pending; tearing it down would complete them against
    // services already destroyed. Everything vigild owns is released: leave without destructors.
    sys::log_warning("the event loop still had operations pending {} s after the stop; exiting without waiting",
                     std::chrono::duration_cast<std::chrono::seconds>(kExitDrain).count());
    runtime_dir_.reset();
    std::_Exit(to_int(exit_code));
  }
  runtime_dir_.reset();
  return exit_code;
}

rt::Task<ExitCode> Daemon::serve(rt::SignalWatcher& signals, asio::io_context& context) {
  if (hooks_.start) {
    if (auto started = co_await hooks_.start(context, config_); !started) {
      sys::log_error("start failed: {}", started.error().to_string());
      co_return ExitCode::StartFailed;
    }
  }
  open_listeners(context);
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
      case rt::SignalEvent::ReloadRequested: (void)co_await reload(); break;
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
  close_listeners();
  if (hooks_.stop) co_await hooks_.stop();
  stop_watchdog_.emit(asio::cancellation_type::terminal);
  sys::log_notice("vigild stopped");
  co_return ExitCode::Ok;
}

rt::Task<ReloadRecord> Daemon::reload() {
  ReloadRecord record;
  record.at_unix = now_unix();
  if (reload_running_) {
    // `vigilctl reload` and SIGHUP can meet; the second waits for nobody and says so.
    record.errors.push_back("a reload is already in progress");
    sys::log_warning("reload requested while one is in progress; ignored");
    co_return record;
  }
  reload_running_ = true;
  const auto began = std::chrono::steady_clock::now();
  report_notify_failure(sys::notify_reloading("reloading"));
  sys::log_notice("reloading {}", options_.config_file.string());
  const auto cpu_before = thread_cpu_time();
  ConfigLoad loaded = load_and_report(options_.config_file);
  const auto validated = std::chrono::steady_clock::now();
  // The CPU time too: on a busy machine the wall time mostly measures waiting for a CPU.
  sys::log_info("reload: {} read and validated in {} us ({} us CPU)", options_.config_file.string(),
                std::chrono::duration_cast<std::chrono::microseconds>(validated - began).count(),
                std::chrono::duration_cast<std::chrono::microseconds>(thread_cpu_time() - cpu_before).count());
  std::string failure;
  // The config being replaced is freed after the reload is reported: with 1000 instances that
  // takes milliseconds nobody has to wait for.
  std::shared_ptr<const ConfigModel> replaced;
  if (!loaded.ok()) {
    for (const ConfigMessage& message : loaded.messages) {
      if (message.is_error) record.errors.push_back(message.text);
    }
    sys::log_error("reload failed: {} has {} errors; keeping the running config", options_.config_file.string(),
                   loaded.error_count());
    failure = record.errors.empty() ? fmt::format("{} errors", loaded.error_count())
              : record.errors.size() == 1
                  ? record.errors.front()
                  : fmt::format("{} (and {} more errors)", record.errors.front(), record.errors.size() - 1);
  } else {
    Result<void> applied;
    if (hooks_.prepare_reload) applied = co_await hooks_.prepare_reload(config_, loaded.config);
    if (applied && hooks_.reload) applied = co_await hooks_.reload(config_, loaded.config);
    if (!applied) {
      failure = applied.error().to_string();
      record.errors.push_back(failure);
      sys::log_error("reload failed: {}; keeping the running config", failure);
    }
  }
  if (failure.empty()) {
    replaced = std::exchange(config_, loaded.config);
    ++reloads_;
    record.ok = true;
    sys::log_notice("reloaded {} ({} warnings)", options_.config_file.string(), loaded.warning_count());
    report_notify_failure(sys::notify_ready(running_status(options_.config_file, reloads_)));
  } else {
    ++failed_reloads_;
    // STATUS= carries the error itself, so `systemctl status vigild` shows why.
    report_notify_failure(sys::notify_ready(
        fmt::format("reload failed: {}; {}", failure, running_status(options_.config_file, reloads_))));
  }
  record.duration_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count();
  last_reload_ = record;
  reload_running_ = false;
  replaced.reset();
  co_return record;
}

rt::Task<nlohmann::json> Daemon::reload_for_control() {
  const ReloadRecord record = co_await reload();
  if (record.ok) co_return nlohmann::json{{"ok", true}};
  co_return nlohmann::json{
      {"ok", false}, {"error", "reload refused; the running config stays in force"}, {"errors", record.errors}};
}

rt::Task<nlohmann::json> Daemon::state_document() {
  // The config may be replaced by a reload while the VRRP thread answers: keep this one.
  const std::shared_ptr<const ConfigModel> config = config_;
  nlohmann::json document = nlohmann::json::object();
  if (hooks_.query) document = co_await hooks_.query();
  if (!document.contains("vrrp_instances")) document["vrrp_instances"] = nlohmann::json::array();
  if (!document.contains("vrrp_scripts")) document["vrrp_scripts"] = nlohmann::json::array();
  control::add_trackers(document, *config);
  // LbService answers with them (engine/lb_status.hpp); a daemon built without it has none.
  if (!document.contains("virtual_servers")) document["virtual_servers"] = nlohmann::json::array();
  nlohmann::json last = nullptr;
  if (last_reload_) {
    last = {{"ok", last_reload_->ok},
            {"at", last_reload_->at_unix},
            {"duration_seconds", last_reload_->duration_seconds},
            {"errors", last_reload_->errors}};
  }
  document["daemon"] = {{"version", kVersion},
                        {"pid", ::getpid()},
                        {"config_file", options_.config_file.string()},
                        {"runtime_dir", options_.runtime_dir.string()},
                        {"started_at", started_at_},
                        {"reloads_succeeded", reloads_},
                        {"reloads_failed", failed_reloads_},
                        {"last_reload", std::move(last)}};
  co_return document;
}

void Daemon::open_listeners(asio::io_context& context) {
  started_at_ = now_unix();
  control::ControlBackend backend;
  backend.status = [this] { return state_document(); };
  backend.reload = [this] { return reload_for_control(); };
  backend.now = [] { return now_unix(); };
  commands_ = std::make_unique<control::Commands>(std::move(backend));
  control::RequestHandler handler = [this](nlohmann::json request) { return commands_->handle(std::move(request)); };

  std::filesystem::path socket_path(config_->global.control_socket);
  if (socket_path.is_relative()) socket_path = options_.runtime_dir / socket_path;
  if (auto opened = control::ControlServer::open(context, socket_path, std::move(handler)); opened) {
    control_server_ = std::move(*opened);
    control_server_->start();
  } else {
    sys::log_error("{}; vigilctl will not reach this daemon", opened.error().to_string());
  }

  if (const auto& listen = config_->global.metrics_listen) {
    control::MetricsServer::Body body = [this]() -> rt::Task<std::string> {
      const nlohmann::json document = co_await state_document();
      co_return control::render_metrics(document);
    };
    if (auto opened = control::MetricsServer::open(context, listen->address, listen->port, std::move(body)); opened) {
      metrics_server_ = std::move(*opened);
      metrics_server_->start();
      sys::log_info("metrics on http://{}:{}/metrics", listen->address.to_string(), metrics_server_->port());
    } else {
      sys::log_error("{}; no metrics", opened.error().to_string());
    }
  }
}

void Daemon::close_listeners() {
  if (control_server_) control_server_->stop();
  if (metrics_server_) metrics_server_->stop();
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
