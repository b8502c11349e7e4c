#include "daemon/lb_service.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <asio/co_spawn.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <ctime>
#include <exception>
#include <variant>

#include "daemon/hook_chain.hpp"
#include "engine/lb_model.hpp"
#include "engine/lb_reload_plan.hpp"
#include "engine/lb_status.hpp"
#include "engine/reload_plan.hpp"
#include "ipvs/reconcile.hpp"
#include "sys/log.hpp"
#include "sys/process.hpp"

namespace vigil::daemon {

namespace {

// How long a FIFO reader script may take to leave after its FIFO closed, before it is killed.
constexpr auto kFifoScriptGrace = std::chrono::milliseconds(500);
// How long a stop lets notify_up/down and quorum_up/down scripts still running finish before
// killing them (none outlives vigild).
constexpr auto kScriptStopWait = std::chrono::seconds(10);

// Logs each failed change; returns how many failed.
std::size_t report(const std::vector<ipvs::Change>& changes, const std::vector<Result<void>>& results) {
  std::size_t failed = 0;
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (results[i]) {
      sys::log_debug("IPVS: {}", ipvs::describe(changes[i]));
    } else {
      ++failed;
      sys::log_error("IPVS: {}", results[i].error().to_string());
    }
  }
  return failed;
}

std::vector<ipvs::ServiceState> only(const std::vector<ipvs::ServiceState>& dumped,
                                     const std::vector<ipvs::ServiceState>& wanted) {
  std::vector<ipvs::ServiceState> result;
  for (const auto& want : wanted) {
    for (const auto& have : dumped) {
      if (have.service.key == want.service.key) result.push_back(have);
    }
  }
  return result;
}

// What the load balancer keeps of a config: with 1000 VRRP instances a whole copy held another
// ~2 MB (the VRRP engine and the daemon have theirs).
std::shared_ptr<const config::Config> lb_part(const config::Config& config) {
  auto part = std::make_shared<config::Config>();
  part->global = config.global;
  part->ssl = config.ssl;
  part->track_file = config.track_file;  // FILE_CHECK may name one
  part->virtual_server_group = config.virtual_server_group;
  part->virtual_server = config.virtual_server;
  return part;
}

}  // namespace

LbService::LbService(std::filesystem::path runtime_dir) : runtime_dir_(std::move(runtime_dir)) {}
LbService::~LbService() = default;

void LbService::install(DaemonHooks& hooks) {
  // Wrapped around what is installed so far: the load balancer starts before VRRP (a config whose
  // virtual servers cannot be programmed fails the start before VRRP takes any address), is undone
  // if VRRP then fails to start, and stops after it.
  DaemonHooks mine;
  mine.start = [this](asio::io_context& context, const SharedConfig& config) { return start(context, *config); };
  mine.stop = [this] { return stop(); };
  mine.query = [this] { return query(); };
  mine.prepare_reload = [this](const SharedConfig&, const SharedConfig& next) { return prepare_reload(*next); };
  mine.reload = [this](const SharedConfig& current, const SharedConfig& next) { return reload(*current, *next); };
  wrap_hooks(hooks, std::move(mine));
}

rt::Task<Result<void>> LbService::start(asio::io_context& context, const config::Config& config) {
  executor_ = context.get_executor();
  context_ = &context;
  config_ = lb_part(config);
  const bool wanted = !config.virtual_server.empty();
  auto opened = co_await net::ipvs::IpvsClient::open();
  if (!opened) {
    if (net::ipvs::is_missing_ipvs(opened.error()) && !wanted) {
      sys::log_notice("IPVS: the kernel has no IPVS; no virtual_server is configured, so vigild runs without it");
      ipvs_state_ = "unavailable";
      co_return Result<void>{};
    }
    co_return fail(opened.error());
  }
  client_ = std::move(*opened);
  if (!wanted && !config.global.lvs_flush) {
    sys::log_info("IPVS: family id {}; no virtual_server configured", client_->family_id());
    client_->stop();
    client_.reset();
    co_return Result<void>{};
  }
  for (const auto& warning : engine::lb_warnings(config)) sys::log_warning("{}", warning);
  open_fifos(config.global);
  co_await sync_fifo_script(nullptr, config.global);

  if (const auto timeouts = engine::timeouts_of(config.global); !(timeouts == ipvs::Timeouts{})) {
    if (auto set = co_await client_->set_timeouts(timeouts); !set) sys::log_error("IPVS: {}", set.error().to_string());
  }
  pool_ = std::make_unique<ipvs::Pool>(engine::specs_of(config));
  ipvs_state_ = "in use";
  const auto desired = pool_->desired_all();
  auto kernel = co_await client_->dump();
  if (!kernel) co_return fail(kernel.error());
  std::set<ipvs::ServiceKey> may_delete;
  if (config.global.lvs_flush) {
    for (const auto& state : *kernel) may_delete.insert(state.service.key);
  }
  auto changes = ipvs::reconcile(desired, *kernel, may_delete);
  const std::size_t count = changes.size();
  auto results = co_await client_->apply(changes);
  const std::size_t failed = report(changes, results);
  sys::log_notice("IPVS: {} virtual servers ({} services) reconciled with the kernel: {} changes, {} failed",
                  config.virtual_server.size(), desired.size(), count, failed);

  // What the kernel now holds for each virtual server, the base of later destination diffs.
  auto after = co_await client_->dump();
  if (!after) co_return fail(after.error());
  programmed_.clear();
  for (std::size_t v = 0; v < pool_->size(); ++v) programmed_.push_back(only(*after, pool_->desired(v)));

  ensure_running(config);
  co_return Result<void>{};
}

void LbService::ensure_running(const config::Config& config) {
  if (!pool_) pool_ = std::make_unique<ipvs::Pool>(engine::specs_of(*config_));
  if (!wake_) {
    wake_ = std::make_unique<Wake>(executor_, 1);
    loop_done_ = std::make_unique<Wake>(executor_, 1);
    kernel_token_ = std::make_unique<Wake>(executor_, 1);
    kernel_token_->try_send(asio::error_code{}, true);
    loop_running_ = true;
    asio::co_spawn(executor_, apply_loop(), [](const std::exception_ptr& e) {
      if (e) std::rethrow_exception(e);
    });
  }
  if (!checkers_) {
    // The checkers first report every checker's starting state, then each change.
    checkers_ = checker::start_checkers(*context_, *config_,
                                        [this](const check::CheckerVerdict& verdict) { on_verdict(verdict); });
  }
  if (!ha_suspend_) {
    ha_suspend_ = std::make_unique<engine::HaSuspend>(config);
    for (const auto& warning : ha_suspend_->warnings()) sys::log_warning("{}", warning);
    apply_suspension();
  }
}

void LbService::on_verdict(const check::CheckerVerdict& verdict) {
  if (!pool_) return;
  const ipvs::Verdict v{verdict.virtual_server, verdict.real_server, verdict.checker, verdict.up, verdict.weight};
  handle(pool_->on_verdict(v));
}

void LbService::set_suspended(std::size_t virtual_server, bool suspended) {
  if (pool_) pool_->set_suspended(virtual_server, suspended);
}

void LbService::mail(std::size_t virtual_server, std::size_t real_server, bool up, std::string reason) const {
  const auto& server = config_->virtual_server[virtual_server];
  const auto& real = server.real_server[real_server];
  if (alerts_ == nullptr || !real.smtp_alert.value_or(server.smtp_alert)) return;
  engine::CheckerAlert alert;
  alert.virtual_server = config::display_name(server);
  alert.real_server = config::display_name(server, real);
  alert.up = up;
  alert.reason = std::move(reason);
  alert.when = std::time(nullptr);
  alerts_->post_checker_alert(std::move(alert));
}

void LbService::handle(const std::vector<ipvs::PoolAction>& actions, bool removed_by_reload) {
  // A removal tells its cause in the log line and the mail; a checker's verdict needs no words.
  const std::string cause = removed_by_reload ? " (removed from the configuration)" : "";
  for (const auto& action : actions) {
    note_change(action);
    if (const auto* up = std::get_if<ipvs::RealServerUp>(&action)) {
      const auto& server = config_->virtual_server[up->virtual_server];
      const auto& real = server.real_server[up->real_server];
      sys::log_notice("virtual server {}: real server {} is UP", config::display_name(server),
                      config::display_name(server, real));
      run_script(real.notify_up, "notify_up");
      mail(up->virtual_server, up->real_server, true, "its checkers pass");
    } else if (const auto* down = std::get_if<ipvs::RealServerDown>(&action)) {
      const auto& server = config_->virtual_server[down->virtual_server];
      const auto& real = server.real_server[down->real_server];
      sys::log_notice("virtual server {}: real server {} is DOWN{}", config::display_name(server),
                      config::display_name(server, real), cause);
      run_script(real.notify_down, "notify_down");
      mail(down->virtual_server, down->real_server, false,
           removed_by_reload ? "removed from the configuration" : "a checker failed");
    } else if (const auto* gained = std::get_if<ipvs::QuorumGained>(&action)) {
      const auto& server = config_->virtual_server[gained->virtual_server];
      sys::log_notice("virtual server {}: quorum gained", config::display_name(server));
      run_script(server.quorum_up, "quorum_up");
    } else if (const auto* lost = std::get_if<ipvs::QuorumLost>(&action)) {
      const auto& server = config_->virtual_server[lost->virtual_server];
      sys::log_notice("virtual server {}: quorum lost{}", config::display_name(server), cause);
      run_script(server.quorum_down, "quorum_down");
    } else if (const auto* changed = std::get_if<ipvs::PoolChanged>(&action)) {
      dirty_.insert(changed->virtual_server);
      if (wake_) wake_->try_send(asio::error_code{}, true);
    }
  }
}

void LbService::run_script(const std::optional<config::Command>& command, std::string what) {
  if (!command || !executor_) return;
  if (!scripts_) scripts_ = std::make_unique<rt::TaskGroup>(executor_);
  scripts_->spawn(run_command(*command, std::move(what)));
}

rt::Task<void> LbService::run_command(config::Command command, std::string what) {
  // Both named: a default argument is a temporary of the co_await expression (g++ 12 double free).
  std::vector<std::string> argv = command.exec_argv();
  sys::ScriptOptions options;
  auto result = co_await sys::run(std::move(argv), std::move(options));
  if (!result) {
    sys::log_error("{}: cannot run {}: {}", what, command.display(), result.error().to_string());
  } else if (!result->succeeded()) {
    sys::log_warning("{}: {} {}", what, command.display(), result->describe());
  }
}

rt::Task<void> LbService::apply_loop() {
  for (;;) {
    auto [ec, woken] = co_await wake_->async_receive(rt::use_nothrow);
    (void)woken;
    if (ec || !client_) break;
    // Verdicts that arrive while a batch is in flight only mark servers dirty: the next round
    // takes the pool's state as it is then, so a flapping server costs one diff, not a queue.
    while (!dirty_.empty() && client_) {
      // A reload renumbers the pool: never between taking a virtual server and recording it.
      if (!co_await acquire_kernel()) break;
      if (dirty_.empty() || !client_) {
        release_kernel();
        break;
      }
      const std::size_t v = *dirty_.begin();
      dirty_.erase(dirty_.begin());
      const auto desired = pool_->desired(v);
      auto changes = ipvs::reconcile_destinations(desired, programmed_[v]);
      if (changes.empty()) {
        release_kernel();
        continue;
      }
      auto results = co_await client_->apply(changes);
      if (!client_) break;
      if (report(changes, results) == 0) {
        programmed_[v] = desired;
      } else {
        // Something failed (a service removed behind our back?): learn what the kernel holds.
        auto dumped = co_await client_->dump();
        if (dumped) programmed_[v] = only(*dumped, desired);
      }
      release_kernel();
    }
  }
  loop_running_ = false;
  loop_done_->try_send(asio::error_code{}, true);
}

void LbService::note_change(const ipvs::PoolAction& action) {
  std::size_t v = 0;
  std::size_t r = 0;
  bool up = false;
  if (const auto* gained = std::get_if<ipvs::QuorumGained>(&action)) {
    fifos_.write(engine::lvs_fifo_vs_line(config_->virtual_server[gained->virtual_server], true));
    return;
  }
  if (const auto* lost = std::get_if<ipvs::QuorumLost>(&action)) {
    fifos_.write(engine::lvs_fifo_vs_line(config_->virtual_server[lost->virtual_server], false));
    return;
  }
  if (const auto* went_up = std::get_if<ipvs::RealServerUp>(&action)) {
    v = went_up->virtual_server, r = went_up->real_server, up = true;
  } else if (const auto* went_down = std::get_if<ipvs::RealServerDown>(&action)) {
    v = went_down->virtual_server, r = went_down->real_server;
  } else {
    return;
  }
  const auto& server = config_->virtual_server[v];
  fifos_.write(engine::lvs_fifo_rs_line(server, server.real_server[r], up));
  if (changed_at_.size() <= v) changed_at_.resize(v + 1);
  if (changed_at_[v].size() <= r) changed_at_[v].resize(r + 1);
  changed_at_[v][r] = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
}

void LbService::open_fifos(const config::GlobalConfig& global) {
  std::vector<std::string> paths;
  for (const auto& fifo : {global.notify_fifo, global.lvs_notify_fifo}) {
    if (fifo) paths.push_back(engine::fifo_path_in(runtime_dir_.string(), *fifo));
  }
  fifos_ = engine::NotifyFifos(paths);
}

rt::Task<void> LbService::sync_fifo_script(const config::GlobalConfig* before, const config::GlobalConfig& global) {
  // The script reads the FIFO at its path: a new path or a new command restarts it.
  const bool same = before != nullptr && before->lvs_notify_fifo_script == global.lvs_notify_fifo_script &&
                    before->lvs_notify_fifo == global.lvs_notify_fifo;
  if (same && fifo_script_) co_return;
  if (fifo_script_) {
    co_await fifo_script_->stop(kFifoScriptGrace);
    fifo_script_.reset();
  }
  if (!global.lvs_notify_fifo_script || !global.lvs_notify_fifo) co_return;
  fifo_script_ = std::make_unique<engine::FifoScript>(executor_, "lvs_notify_fifo_script");
  fifo_script_->start(*global.lvs_notify_fifo_script,
                      engine::fifo_path_in(runtime_dir_.string(), *global.lvs_notify_fifo));
}

rt::Task<nlohmann::json> LbService::query() const {
  if (!config_) co_return nlohmann::json{{"virtual_servers", nlohmann::json::array()}};
  // First the kernel's counters, then everything else as it is once they are in (a reload may
  // have come in meanwhile: the view below is the new one's, and services it no longer has are
  // left out).
  std::optional<std::vector<ipvs::ServiceStats>> statistics;
  if (const std::shared_ptr<net::ipvs::IpvsClient> client = client_; client && pool_) {
    auto read = co_await client->statistics();
    if (read) {
      statistics = std::move(*read);
    } else {
      sys::log_debug("IPVS: cannot read the statistics: {}", read.error().to_string());
    }
  }
  if (!config_) co_return nlohmann::json{{"virtual_servers", nlohmann::json::array()}};
  engine::LbView view;
  view.statistics = std::move(statistics);
  view.ipvs_state = ipvs_state_;
  view.pool = pool_.get();
  view.programmed = programmed_;
  view.changed_at = changed_at_;
  if (checkers_) {
    const auto& specs = checkers_->specs();
    const auto& status = checkers_->status();
    for (std::size_t i = 0; i < specs.size() && i < status.size(); ++i) {
      const auto& spec = specs[i];
      view.checkers.push_back({spec.virtual_server, spec.real_server, spec.label, spec.target_text, status[i]});
    }
  }
  co_return engine::lb_status_json(*config_, view);
}

rt::Task<void> LbService::stop() {
  if (checkers_) checkers_->stop();  // no verdict arrives while the pool winds down
  if (!client_) {
    co_await finish_scripts();
    co_return;
  }
  if (wake_) wake_->close();
  if (kernel_token_) kernel_token_->close();
  if (loop_running_) {
    auto [ec, done] = co_await loop_done_->async_receive(rt::use_nothrow);
    (void)ec;
    (void)done;
  }
  if (pool_) {
    // omega: the notifications run to completion before the services go.
    const std::vector<ipvs::PoolAction> omega =
        pool_->stop();  // named: a range-for temporary across co_await trips g++ 12
    for (const auto& action : omega) {
      note_change(action);  // keepalived writes omega's lvs_notify_fifo lines too, before the FIFO closes
      if (const auto* down = std::get_if<ipvs::RealServerDown>(&action)) {
        const auto& real = config_->virtual_server[down->virtual_server].real_server[down->real_server];
        if (real.notify_down) {
          // Named first: g++ 12 destroys by-value temporaries of a co_await expression twice.
          config::Command command = *real.notify_down;
          std::string what = "notify_down";
          co_await run_command(std::move(command), std::move(what));
        }
      } else if (const auto* lost = std::get_if<ipvs::QuorumLost>(&action)) {
        const auto& quorum_down = config_->virtual_server[lost->virtual_server].quorum_down;
        if (quorum_down) {
          config::Command command = *quorum_down;
          std::string what = "quorum_down";
          co_await run_command(std::move(command), std::move(what));
        }
      }
    }
  }
  if (pool_ && !config_->global.lvs_keep_on_stop) {
    std::vector<ipvs::Change> changes;
    for (const auto& state : pool_->desired_all()) changes.emplace_back(ipvs::DeleteService{state.service.key});
    const std::size_t count = changes.size();
    auto results = co_await client_->apply(changes);
    const std::size_t failed = report(changes, results);
    sys::log_notice("IPVS: removed {} services at stop ({} failed)", count - failed, failed);
  } else if (pool_) {
    sys::log_notice("IPVS: lvs_keep_on_stop: leaving the services in the kernel");
  }
  co_await finish_scripts();
  // The reader sees end of file once nothing holds the FIFO open for writing; then it has a moment
  // to leave on its own before its process group is killed.
  fifos_ = engine::NotifyFifos();
  if (fifo_script_) {
    co_await fifo_script_->stop(kFifoScriptGrace);
    fifo_script_.reset();
  }
  client_->stop();
  client_.reset();
  // Every Asio object goes with the stop: the io_context (and its channel service) is gone before
  // this service is destroyed.
  checkers_.reset();
  wake_.reset();
  loop_done_.reset();
  kernel_token_.reset();
}

rt::Task<void> LbService::finish_scripts() {
  if (!scripts_) co_return;
  if (const std::size_t killed = co_await scripts_->finish(kScriptStopWait); killed > 0) {
    sys::log_warning("{} notify/quorum script(s) still running after {} s of the stop: killed", killed,
                     std::chrono::duration_cast<std::chrono::seconds>(kScriptStopWait).count());
  }
  scripts_.reset();
}

rt::Task<bool> LbService::acquire_kernel() {
  if (!kernel_token_) co_return false;
  auto [ec, token] = co_await kernel_token_->async_receive(rt::use_nothrow);
  (void)token;
  co_return !ec;
}

void LbService::release_kernel() {
  if (kernel_token_) kernel_token_->try_send(asio::error_code{}, true);
}

rt::Task<Result<void>> LbService::prepare_reload(const config::Config& next) {
  if (next.virtual_server.empty() || client_ || !executor_) co_return Result<void>{};
  // The first virtual servers since start, and the kernel had no IPVS then (or nothing needed it):
  // find out now, while refusing still leaves every service as it was.
  auto opened = co_await net::ipvs::IpvsClient::open();
  if (!opened) {
    co_return fail(make_error(std::errc::operation_not_supported,
                              fmt::format("virtual_server needs IPVS: {}", opened.error().to_string())));
  }
  client_ = std::move(*opened);
  co_return Result<void>{};
}

rt::Task<Result<void>> LbService::reload(const config::Config& running, const config::Config& next) {
  if (!executor_ || !config_) co_return Result<void>{};
  if (!client_) {
    // No IPVS, and (prepare_reload made sure) no virtual server in the new config either.
    config_ = lb_part(next);
    co_return Result<void>{};
  }
  const auto began = Clock::now();
  ensure_running(running);
  if (!co_await acquire_kernel()) co_return Result<void>{};  // stopping
  // What the kernel holds now: the base of the diff, as at start (a service edited behind our
  // back is put right, one that is already right is not touched).
  auto kernel = co_await client_->dump();
  if (!kernel) {
    release_kernel();
    sys::log_error("IPVS: reload: cannot read the kernel's services: {}", kernel.error().to_string());
    co_return Result<void>{};
  }
  // From here to the pool swap nothing awaits: verdicts before it go to the old pool (and are
  // carried over), verdicts after it to the new one, with the new numbering.
  const std::shared_ptr<const config::Config> running_config = config_;  // outlives the swap below
  const config::Config& current = *running_config;
  const auto plan = engine::plan_lb_reload(current, next);
  auto checker_specs = checkers_->resolve(next);
  std::map<checker::RealServerRef, checker::RealServerRef> moved;
  for (std::size_t v = 0; v < plan.virtual_server_from.size(); ++v) {
    if (!plan.virtual_server_from[v]) continue;
    for (std::size_t r = 0; r < plan.real_server_from[v].size(); ++r) {
      if (plan.real_server_from[v][r]) moved[{*plan.virtual_server_from[v], *plan.real_server_from[v][r]}] = {v, r};
    }
  }
  const auto continues = checker::match_checkers(checkers_->specs(), checker_specs, moved);
  ipvs::PoolCarry carry{plan.virtual_server_from, plan.real_server_from, {}};
  carry.checker_from.resize(next.virtual_server.size());
  for (std::size_t v = 0; v < next.virtual_server.size(); ++v) {
    for (const auto& real : next.virtual_server[v].real_server) {
      carry.checker_from[v].emplace_back(checker::checker_count(real), std::nullopt);
    }
  }
  std::size_t kept_checkers = 0;
  for (std::size_t i = 0; i < checker_specs.size(); ++i) {
    if (!continues[i]) continue;
    ++kept_checkers;
    const auto& spec = checker_specs[i];
    carry.checker_from[spec.virtual_server][spec.real_server][spec.checker] = checkers_->specs()[*continues[i]].checker;
  }
  auto pool = std::make_unique<ipvs::Pool>(engine::specs_of(next));
  const auto actions = pool->carry_over(*pool_, carry);
  const std::size_t checker_count = checker_specs.size();
  if (next.ssl != current.ssl) {
    checkers_->set_ssl(next.ssl);
    sys::log_notice("reload: [ssl] changed: ssl_get checkers use the new TLS settings from their next probe");
  }
  checkers_->reload(std::move(checker_specs), continues, [&pool](const checker::CheckerSpec& spec) {
    return pool->checker_up(spec.virtual_server, spec.real_server, spec.checker);
  });
  std::set<ipvs::ServiceKey> managed;
  for (const auto& states : programmed_) {
    for (const auto& state : states) managed.insert(state.service.key);
  }
  std::vector<ipvs::ServiceState> before_kernel = std::move(*kernel);
  // Before the swap, while config_ and the indexes are still the old ones: a removed real server
  // that was alive runs its notify_down (and a removed virtual server its quorum_down), as
  // keepalived does on reload; the kernel entries go with the diff below.
  handle(pool_->left_behind(carry), /*removed_by_reload=*/true);
  pool_ = std::move(pool);
  ipvs_state_ = "in use";
  dirty_.clear();  // old numbering; the diff below covers every virtual server
  programmed_.assign(pool_->size(), {});
  // The status's last up/down times follow their real servers to the new numbering.
  std::vector<std::vector<std::optional<double>>> changed_at(next.virtual_server.size());
  for (std::size_t v = 0; v < next.virtual_server.size(); ++v) {
    changed_at[v].resize(next.virtual_server[v].real_server.size());
    const auto from_v = v < plan.virtual_server_from.size() ? plan.virtual_server_from[v] : std::nullopt;
    if (!from_v || *from_v >= changed_at_.size()) continue;
    for (std::size_t r = 0; r < changed_at[v].size() && r < plan.real_server_from[v].size(); ++r) {
      const auto from_r = plan.real_server_from[v][r];
      if (from_r && *from_r < changed_at_[*from_v].size()) changed_at[v][r] = changed_at_[*from_v][*from_r];
    }
  }
  changed_at_ = std::move(changed_at);
  // A renamed VRRP instance keeps the state it reported under its old name.
  std::map<std::string, std::string> states;
  for (const auto& [new_name, old_name] : engine::plan_reload(running, next).kept()) {
    if (const auto found = vrrp_states_.find(old_name); found != vrrp_states_.end()) states[new_name] = found->second;
  }
  vrrp_states_ = std::move(states);
  config_ = lb_part(next);
  if (fifos_.empty() || next.global.notify_fifo != current.global.notify_fifo ||
      next.global.lvs_notify_fifo != current.global.lvs_notify_fifo) {
    open_fifos(next.global);
  }
  ha_suspend_ = std::make_unique<engine::HaSuspend>(next);
  for (const auto& warning : ha_suspend_->warnings()) sys::log_warning("{}", warning);
  apply_suspension();
  handle(actions);

  if (next.global.lvs_flush && !current.global.lvs_flush) {
    sys::log_notice("reload: lvs_flush takes effect at the next start only (a reload never flushes IPVS)");
  }
  const auto timeouts = engine::timeouts_of(next.global);
  if (!(timeouts == engine::timeouts_of(current.global)) && !(timeouts == ipvs::Timeouts{})) {
    if (auto set = co_await client_->set_timeouts(timeouts); !set) sys::log_error("IPVS: {}", set.error().to_string());
  }
  const auto desired = pool_->desired_all();
  auto changes = ipvs::reconcile(desired, before_kernel, managed);
  const std::size_t count = changes.size();
  auto results = co_await client_->apply(changes);
  const std::size_t failed = report(changes, results);
  auto after = co_await client_->dump();
  for (std::size_t v = 0; v < pool_->size(); ++v) {
    programmed_[v] = after ? only(*after, pool_->desired(v)) : pool_->desired(v);
  }
  release_kernel();
  if (!dirty_.empty() && wake_) wake_->try_send(asio::error_code{}, true);
  co_await sync_fifo_script(&current.global, next.global);
  sys::log_notice("reload: {}; {} of {} checkers kept their state; IPVS: {} changes, {} failed, in {} us",
                  plan.summary(), kept_checkers, checker_count, count, failed,
                  std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - began).count());
  co_return Result<void>{};
}

void LbService::on_vrrp_state(const engine::VrrpAlert& state) {
  if (state.group) return;  // the members report their own states
  vrrp_states_[state.name] = state.state;
  apply_suspension();
}

void LbService::apply_suspension() {
  if (!ha_suspend_ || !pool_) return;
  const auto suspended = ha_suspend_->suspended(vrrp_states_);
  for (std::size_t v = 0; v < suspended.size() && v < pool_->size(); ++v) {
    const bool follows = !ha_suspend_->owners(v).empty();
    if (!follows && !pool_->suspended(v)) continue;
    // Always: checkers a reload has just started must follow their virtual server too, and a
    // virtual server that lost its ha_suspend (or its owners) in a reload resumes.
    if (checkers_) checkers_->set_suspended(v, suspended[v]);
    if (pool_->suspended(v) == suspended[v]) continue;
    const std::string owners = fmt::format("{}", fmt::join(ha_suspend_->owners(v), ", "));
    const std::string why = !follows       ? std::string("ha_suspend no longer applies")
                            : suspended[v] ? "ha_suspend: " + owners + " not MASTER"
                                           : "ha_suspend: MASTER among " + owners;
    sys::log_notice("virtual server {}: checkers {} ({})", config::display_name(config_->virtual_server[v]),
                    suspended[v] ? "suspended" : "resumed", why);
    pool_->set_suspended(v, suspended[v]);
  }
}

}  // namespace vigil::daemon
