#pragma once
// LbService: the load-balancer half of vigild. At start it resolves the kernel's IPVS family (a
// kernel without IPVS is one clear log line, and an error only when virtual servers are
// configured), sets the lvs_timeouts, and reconciles the kernel with the config: adds, edits in
// place, and removes only services Vigil manages (all of them with lvs_flush). Checker verdicts
// (from the health checkers it starts, src/checker) go through the pure pool (ipvs::Pool); the destination changes it
// asks for are applied as batched, co_awaited generic-netlink transactions, one batch at a time, in order;
// notify_up/down and quorum_up/down run as scripts. At stop it runs omega's notifications and removes Vigil's services
// unless global.lvs_keep_on_stop. On reload it applies the new virtual servers as a diff
// (engine/lb_reload_plan.hpp, ipvs::Pool::carry_over, checker::match_checkers): what is unchanged
// keeps its checkers' state and is not touched in the kernel. ha_suspend follows the VRRP states
// the notifier reports (on_vrrp_state).
#include <asio/experimental/channel.hpp>
#include <asio/io_context.hpp>
#include <filesystem>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "check/verdict.hpp"
#include "checker/checker_set.hpp"
#include "config/model.hpp"
#include "daemon/daemon.hpp"
#include "engine/alert_sink.hpp"
#include "engine/fifo_script.hpp"
#include "engine/ha_suspend.hpp"
#include "engine/notify_fifo.hpp"
#include "ipvs/pool.hpp"
#include "ipvs/types.hpp"
#include "net/ipvs/client.hpp"
#include "rt/task_group.hpp"

namespace vigil::daemon {

class LbService {
 public:
  // `runtime_dir`: where relative notify_fifo / lvs_notify_fifo paths live.
  explicit LbService(std::filesystem::path runtime_dir = {});
  ~LbService();
  LbService(const LbService&) = delete;
  LbService& operator=(const LbService&) = delete;

  // Wraps start/stop/query/prepare_reload/reload around the hooks already installed (see install()).
  void install(DaemonHooks& hooks);

  // A checker's verdict (main loop only). Unknown indexes are ignored.
  void on_verdict(const check::CheckerVerdict& verdict);
  // Where real servers going up or down are mailed (smtp_alert of the real or virtual server).
  void set_alert_sink(engine::AlertSink* alerts) { alerts_ = alerts; }
  // ha_suspend: while suspended, a virtual server ignores verdicts.
  void set_suspended(std::size_t virtual_server, bool suspended);
  // A VRRP instance or group reported a state (main loop): ha_suspend follows its instances.
  void on_vrrp_state(const engine::VrrpAlert& state);

  // For tests and status: what Vigil last programmed for each virtual server.
  [[nodiscard]] bool running() const { return client_ != nullptr; }

 private:
  rt::Task<Result<void>> start(asio::io_context& context, const config::Config& config);
  rt::Task<void> stop();
  // The load balancer's part of the state document (engine/lb_status.hpp), with the kernel's
  // traffic counters read now (vigilctl status, /metrics: read when asked, never on a timer).
  rt::Task<nlohmann::json> query() const;
  rt::Task<void> apply_loop();
  // SIGHUP: prepare (may refuse, before any service applies anything), then apply the diff.
  rt::Task<Result<void>> prepare_reload(const config::Config& next);
  rt::Task<Result<void>> reload(const config::Config& current, const config::Config& next);
  // The apply loop, the kernel token and the checkers, when a reload brings the first virtual server.
  // `config`: the whole running config (ha_suspend looks for the VRRP instances carrying a VIP).
  void ensure_running(const config::Config& config);
  // Suspends or resumes the ha_suspend virtual servers after a VRRP state or a reload.
  void apply_suspension();
  // One writer of the kernel at a time (the apply loop's batches, a reload's diff).
  rt::Task<bool> acquire_kernel();
  void release_kernel();
  // Logs, notify scripts, FIFO lines and mails of pool actions (indexes of config_).
  void handle(const std::vector<ipvs::PoolAction>& actions, bool removed_by_reload = false);
  // Status bookkeeping and the lvs_notify_fifo line of a pool action.
  void note_change(const ipvs::PoolAction& action);
  void open_fifos(const config::GlobalConfig& global);
  // Starts, restarts (a reload changed it) or stops the lvs_notify_fifo_script.
  rt::Task<void> sync_fifo_script(const config::GlobalConfig* before, const config::GlobalConfig& global);
  void mail(std::size_t virtual_server, std::size_t real_server, bool up, std::string reason) const;
  void run_script(const std::optional<config::Command>& command, std::string what);
  static rt::Task<void> run_command(config::Command command, std::string what);
  // At stop: background scripts get a while to finish, then are killed and reaped.
  rt::Task<void> finish_scripts();

  using Wake = asio::experimental::channel<void(asio::error_code, bool)>;
  // The load balancer's part of the running config (global, ssl, virtual servers): not the VRRP
  // instances, which would double the daemon's memory for them.
  std::shared_ptr<const config::Config> config_;
  asio::any_io_executor executor_;
  // Shared with a /metrics query reading the kernel's counters, which may outlast a stop.
  std::shared_ptr<net::ipvs::IpvsClient> client_;
  std::unique_ptr<ipvs::Pool> pool_;
  std::vector<std::vector<ipvs::ServiceState>> programmed_;  // per virtual server
  std::set<std::size_t> dirty_;
  std::unique_ptr<Wake> wake_;
  bool loop_running_ = false;
  std::unique_ptr<Wake> loop_done_;
  std::unique_ptr<checker::CheckerSet> checkers_;  // report to on_verdict
  asio::io_context* context_ = nullptr;
  std::unique_ptr<Wake> kernel_token_;  // holds one token while nobody writes to the kernel
  std::unique_ptr<engine::HaSuspend> ha_suspend_;
  std::map<std::string, std::string> vrrp_states_;  // instance name -> last reported state
  engine::AlertSink* alerts_ = nullptr;
  std::filesystem::path runtime_dir_;
  engine::NotifyFifos fifos_;                                   // notify_fifo and lvs_notify_fifo
  std::unique_ptr<engine::FifoScript> fifo_script_;             // lvs_notify_fifo_script
  std::unique_ptr<rt::TaskGroup> scripts_;                      // notify_up/down, quorum_up/down in the background
  std::string ipvs_state_ = "unused";                           // for the status (engine/lb_status.hpp)
  std::vector<std::vector<std::optional<double>>> changed_at_;  // [vs][rs]: unix time of the last up/down
};

}  // namespace vigil::daemon
