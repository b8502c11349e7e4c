#pragma once
// VrrpEngine: every VRRP instance and sync group of a config, running. It owns the shared
// machinery (netlink, advert channels, the notifier, VMAC sysctls), starts one VrrpUnit per
// standalone instance or sync group, forwards link changes from the netlink monitor to the
// instances on that interface, and feeds tracker results to the instances that track them.
#include <asio/any_io_executor.hpp>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/result.hpp"
#include "config/model.hpp"
#include "engine/advert_channel.hpp"
#include "engine/advert_lateness.hpp"
#include "engine/notifier.hpp"
#include "engine/reload_plan.hpp"
#include "engine/tracking.hpp"
#include "engine/vrrp_unit.hpp"
#include "net/netlink/netlink.hpp"
#include "net/wire/vmac_sysctls.hpp"
#include "rt/tokens.hpp"

namespace vigil::engine {

struct EngineOptions {
  // Adverts, receive, master-down timers and VIP transactions run here ...
  asio::any_io_executor fast;
  // ... scripts, notify and everything else here (may be the same executor).
  asio::any_io_executor slow;
  std::string runtime_dir = "/run/vigil";
  // Email alerts for transitions (smtp_alert); null: none. Must outlive the engine.
  AlertSink* alerts = nullptr;
};

class VrrpEngine {
 public:
  // Opens netlink, builds and starts every unit. Runs on `options.fast`.
  // The engine keeps `config` (and each reload's `next`) alive rather than copying it: every
  // unit points at its instance's settings inside it.
  static rt::Task<Result<std::unique_ptr<VrrpEngine>>> start(std::shared_ptr<const config::Config> config,
                                                             EngineOptions options);
  ~VrrpEngine();

  // Orderly stop: every master sends priority 0 and drops its VIPs, notify_stop runs, VMACs go.
  rt::Task<void> stop();

  // SIGHUP reload, on the fast executor: applies a plan made (on the main thread) by
  // plan_reload(current, next) with the least disturbance. Unchanged instances are not touched
  // at all (state, timers, counters, VIPs stay); changed ones take the new settings in place;
  // removed and restarted ones stop (priority 0, VIPs dropped, notify) before the added ones
  // start; VIP additions wait until every removal has reached the kernel. Resolves when the
  // plan is applied (added instances are running, not yet elected).
  rt::Task<void> reload(std::shared_ptr<const config::Config> next, const ReloadPlan& plan);

  // Fast executor only.
  [[nodiscard]] std::vector<MemberStatus> status() const;
  // Slow executor only (the scripts run there).
  [[nodiscard]] std::vector<ScriptStatus> scripts() const { return tracking_->scripts(); }
  [[nodiscard]] ScriptLateness::Snapshot script_lateness() const { return tracking_->script_lateness(); }
  // How late scheduled adverts left, over all instances since start; any thread.
  [[nodiscard]] AdvertLateness::Snapshot advert_lateness() const { return lateness_.snapshot(); }

 private:
  explicit VrrpEngine(EngineOptions options);
  // Builds the units of `config` for the instances `wanted` says (all of them at start).
  std::vector<std::shared_ptr<VrrpUnit>> make_units(const std::shared_ptr<const config::Config>& config,
                                                    const std::function<bool(const std::string&)>& wanted);
  void launch(const std::shared_ptr<VrrpUnit>& unit);
  void index_members();
  rt::Task<void> follow_links(net::netlink::Subscription subscription);
  void on_tracker_changed(const TrackerChange& change);

  EngineOptions options_;
  std::unique_ptr<net::netlink::Netlink> netlink_;
  std::unique_ptr<ChannelRegistry> channels_;
  std::unique_ptr<Notifier> notifier_;
  std::unique_ptr<net::wire::VmacSysctls> vmac_sysctls_;
  std::unique_ptr<Tracking> tracking_;
  UnitContext context_;
  ReloadGate gate_;
  GratuitousSenders gratuitous_;
  std::unique_ptr<PrepareTokens> prepare_tokens_;
  AdvertLateness lateness_;
  std::vector<std::shared_ptr<VrrpUnit>> units_;
  // instance name -> (unit, member)
  std::map<std::string, std::pair<std::shared_ptr<VrrpUnit>, std::size_t>> members_;
  std::size_t running_units_ = 0;
  unsigned next_ordinal_ = 0;  // see VrrpUnit::set_schedule_slot
  bool following_links_ = false;
  bool stopping_ = false;
};

}  // namespace vigil::engine
