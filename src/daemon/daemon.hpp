#pragma once
// The daemon's life cycle around the event loop: load the config, take the runtime directory,
// start the components, tell systemd, then serve signals (SIGHUP reload, SIGTERM/SIGINT stop,
// SIGUSR1/SIGUSR2 dumps) until stopped. What runs inside (the VRRP engine ...) plugs in through
// DaemonHooks, so main.cpp stays a command line and this class stays free of protocol logic.
#include <asio/cancellation_signal.hpp>
#include <filesystem>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.hpp"
#include "base/result.hpp"
#include "control/commands.hpp"
#include "control/server.hpp"
#include "daemon/config_source.hpp"
#include "daemon/exit_code.hpp"
#include "rt/io_context.hpp"
#include "rt/signal_watcher.hpp"
#include "rt/tokens.hpp"
#include "sys/runtime_dir.hpp"

namespace vigil::daemon {

struct DaemonOptions {
  std::filesystem::path config_file;
  std::filesystem::path runtime_dir{std::string(sys::kDefaultRuntimeDir)};
};

// Every hook runs on the daemon's io_context; an empty hook does nothing.
struct DaemonHooks {
  // After the runtime directory is ours and before READY=1. An error stops the start (exit 3).
  std::function<rt::Task<Result<void>>(asio::io_context&, const SharedConfig&)> start;
  // A new config passed validation; before any reload hook runs. An error refuses the reload with
  // nothing applied anywhere: what a service can only find out at run time (the kernel lacks
  // IPVS) belongs here, not in `reload`, which runs after other services have applied theirs.
  std::function<rt::Task<Result<void>>(const SharedConfig& current, const SharedConfig& next)> prepare_reload;
  // A new config passed validation. An error keeps the old config running (the hook must leave it intact).
  std::function<rt::Task<Result<void>>(const SharedConfig& current, const SharedConfig& next)> reload;
  // Orderly stop, after STOPPING=1: give back VIPs, stop scripts.
  std::function<rt::Task<void>()> stop;
  // SIGUSR1 (state dump) / SIGUSR2 (stats dump).
  std::function<void(rt::SignalEvent)> dump;
  // The running state for vigilctl and /metrics: {"vrrp_instances": [...]} (src/control/report.hpp).
  std::function<rt::Task<nlohmann::json>()> query;
};

// What the last reload did, for vigilctl status and the metrics.
struct ReloadRecord {
  bool ok = false;
  double at_unix = 0;
  double duration_seconds = 0;
  std::vector<std::string> errors;  // "file:line:col: error: ..." or the hook's refusal
};

class Daemon {
 public:
  explicit Daemon(DaemonOptions options, DaemonHooks hooks = {});

  // Runs until SIGTERM/SIGINT (or a start failure) and returns the process exit code.
  [[nodiscard]] ExitCode run();

  // Loads the config, logs every diagnostic, and returns whether it may be used.
  [[nodiscard]] static ConfigLoad load_and_report(const std::filesystem::path& file);

 private:
  rt::Task<ExitCode> serve(rt::SignalWatcher& signals, asio::io_context& context);
  // SIGHUP and `vigilctl reload` both come here.
  rt::Task<ReloadRecord> reload();
  rt::Task<void> keep_watchdog_fed(Duration interval);
  // The control socket and the metrics listener (errors are logged; the daemon runs on without them).
  void open_listeners(asio::io_context& context);
  void close_listeners();
  rt::Task<nlohmann::json> state_document();
  rt::Task<nlohmann::json> reload_for_control();

  DaemonOptions options_;
  DaemonHooks hooks_;
  std::shared_ptr<const ConfigModel> config_;
  std::optional<sys::RuntimeDir> runtime_dir_;
  asio::cancellation_signal stop_watchdog_;
  unsigned reloads_ = 0;
  unsigned failed_reloads_ = 0;
  bool reload_running_ = false;
  std::optional<ReloadRecord> last_reload_;
  double started_at_ = 0;
  std::unique_ptr<control::Commands> commands_;
  std::shared_ptr<control::ControlServer> control_server_;
  std::shared_ptr<control::MetricsServer> metrics_server_;
};

}  // namespace vigil::daemon
