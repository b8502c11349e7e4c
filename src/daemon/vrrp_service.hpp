#pragma once
// VrrpService: runs the VRRP engine for the daemon. With `global.vrrp_fast_path` (the default)
// the engine gets its own thread and io_context (its own io_uring), optionally with real-time
// scheduling and locked memory, so scripts, notify, reload parsing and logging on the main loop
// can never delay an advert (issue 8). Without it the engine shares the main loop.
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <filesystem>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <thread>

#include "config/model.hpp"
#include "daemon/daemon.hpp"
#include "engine/vrrp_engine.hpp"

namespace vigil::daemon {

class VrrpService {
 public:
  explicit VrrpService(std::filesystem::path runtime_dir);
  ~VrrpService();
  VrrpService(const VrrpService&) = delete;
  VrrpService& operator=(const VrrpService&) = delete;

  // start/stop hooks for Daemon (the other hooks are left to their owners).
  void install(DaemonHooks& hooks);
  // Email alerts for transitions (may stay null); must outlive the service.
  void set_alert_sink(engine::AlertSink* alerts) { alerts_ = alerts; }

 private:
  rt::Task<Result<void>> start(asio::io_context& main, const SharedConfig& config);
  rt::Task<void> stop();
  // SIGHUP: the VRRP part of the new config, as a per-object diff (engine/reload_plan.hpp).
  rt::Task<Result<void>> reload(const SharedConfig& current, const SharedConfig& next);
  // SIGUSR1/SIGUSR2: snapshot on the engine's executor, write the file from the main loop.
  rt::Task<void> dump_status();
  // vigilctl and /metrics: the engine's status (plus last transitions as unix time), taken on its executor.
  rt::Task<nlohmann::json> query_status();
  [[nodiscard]] Result<void> start_fast_thread(const config::GlobalConfig& global);
  void stop_fast_thread();
  // A while after the start and after each reload: gives the heap pages that loading the config
  // and starting the instances freed back to the kernel (see vrrp_service.cpp).
  void schedule_memory_release();

  std::filesystem::path runtime_dir_;
  std::unique_ptr<asio::io_context> fast_;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> fast_work_;
  std::thread fast_thread_;
  asio::io_context* main_ = nullptr;
  asio::any_io_executor main_executor_;
  asio::any_io_executor engine_executor_;
  std::unique_ptr<engine::VrrpEngine> engine_;
  engine::AlertSink* alerts_ = nullptr;
  bool lock_memory_ = false;  // vrrp_no_swap
  std::unique_ptr<asio::steady_timer> release_timer_;
};

}  // namespace vigil::daemon
