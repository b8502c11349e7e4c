#include "engine/vrrp_engine.hpp"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <chrono>
#include <filesystem>
#include <set>

#include "sys/log.hpp"
#include "sys/user.hpp"

namespace vigil::engine {

namespace {

// Instance `name`'s settings, owned by (and keeping alive) the whole config.
InstanceConfigPtr instance_in(const std::shared_ptr<const config::Config>& config, const std::string& name) {
  return {config, &config->vrrp_instance.at(name)};
}

// How long a stop lets notify scripts (notify_stop and any still running) finish before killing them.
constexpr auto kNotifyStopWait = std::chrono::seconds(10);

std::string in_runtime_dir(const std::string& runtime_dir, const std::string& path) {
  if (path.empty() || path.front() == '/') return path;
  return (std::filesystem::path(runtime_dir) / path).string();
}

ScriptIdentity script_identity(const config::GlobalConfig& global) {
  ScriptIdentity identity;
  if (!global.script_user) return identity;
  const auto ids = sys::lookup_user(*global.script_user, global.script_group.value_or(""));
  if (!ids) {
    sys::log_error("script_user {}: {}; scripts run as the daemon's user", *global.script_user,
                   ids.error().to_string());
    return identity;
  }
  identity.uid = ids->uid;
  identity.gid = ids->gid;
  return identity;
}

}  // namespace

VrrpEngine::VrrpEngine(EngineOptions options) : options_(std::move(options)) {}

VrrpEngine::~VrrpEngine() = default;

rt::Task<Result<std::unique_ptr<VrrpEngine>>> VrrpEngine::start(std::shared_ptr<const config::Config> shared_config,
                                                                EngineOptions options) {
  const config::Config& config = *shared_config;
  std::unique_ptr<VrrpEngine> engine(new VrrpEngine(std::move(options)));
  auto netlink = co_await net::netlink::Netlink::open();
  if (!netlink) co_return fail(std::move(netlink.error()));
  engine->netlink_ = std::move(*netlink);
  engine->channels_ = std::make_unique<ChannelRegistry>(engine->options_.fast, &engine->lateness_);
  std::vector<std::string> fifos;
  for (const auto& fifo : {config.global.notify_fifo, config.global.vrrp_notify_fifo}) {
    if (fifo) fifos.push_back(in_runtime_dir(engine->options_.runtime_dir, *fifo));
  }
  const ScriptIdentity identity = script_identity(config.global);
  engine->notifier_ =
      std::make_unique<Notifier>(engine->options_.slow, std::move(fifos), identity, engine->options_.alerts);
  engine->vmac_sysctls_ = std::make_unique<net::wire::VmacSysctls>();

  auto& context = engine->context_;
  context.executor = engine->options_.fast;
  context.netlink = engine->netlink_.get();
  context.channels = engine->channels_.get();
  context.notifier = engine->notifier_.get();
  context.vmac_sysctls = engine->vmac_sysctls_.get();
  context.garp_interval = config.global.vrrp_garp_interval;
  context.gna_interval = config.global.vrrp_gna_interval;
  context.gate = &engine->gate_;
  context.gratuitous = &engine->gratuitous_;
  // Units prepare a few at a time (see PrepareTokens): each waits for netlink round trips, so a
  // handful keeps the socket busy.
  constexpr std::size_t kPreparingUnits = 8;
  engine->prepare_tokens_ = std::make_unique<PrepareTokens>(engine->options_.fast, kPreparingUnits);
  for (std::size_t i = 0; i < kPreparingUnits; ++i) (void)engine->prepare_tokens_->try_send(asio::error_code{}, true);
  context.prepare_tokens = engine->prepare_tokens_.get();
  context.lateness = &engine->lateness_;

  engine->units_ = engine->make_units(shared_config, [](const std::string&) { return true; });
  engine->index_members();

  auto* raw = engine.get();
  raw->tracking_ = std::make_unique<Tracking>(config, raw->options_.fast, raw->options_.slow, identity,
                                              [raw](const TrackerChange& change) { raw->on_tracker_changed(change); });
  // Before Started: an instance whose tracker starts failed (init_fail) starts in FAULT.
  for (const auto& change : raw->tracking_->initial()) raw->on_tracker_changed(change);
  raw->tracking_->start();
  // Units start in groups of up to kUnitsPerWakeUp, the groups spread evenly over one advert
  // interval (see set_schedule_slot). A group's adverts leave in one wake-up of the fast thread
  // (one sendmmsg per socket), and its backups' receive them in one: each wake-up costs more than
  // the adverts it sends (this VM: 1000 masters at 1 s, one unit per 1 ms, cost 2.3 % of a core).
  // Bounded, so a group's burst stays short: its last advert leaves well under 1 ms after its
  // first, and that place in the burst is the same every interval (no jitter between adverts).
  // Units that all started at once would share one wake-up, which is the burst keepalived sends.
  constexpr std::size_t kUnitsPerWakeUp = 32;
  const std::size_t count = raw->units_.size();
  const std::size_t groups = (count + kUnitsPerWakeUp - 1) / kUnitsPerWakeUp;
  const auto epoch = Clock::now();
  for (std::size_t i = 0; i < count; ++i) {
    auto& unit = *raw->units_[i];
    const auto group = static_cast<std::int64_t>(i * groups / count);  // neighbours (often one socket) together
    unit.set_schedule_slot(epoch + unit.advert_interval() * group / static_cast<std::int64_t>(groups),
                           raw->next_ordinal_++);
  }
  for (const auto& unit : raw->units_) raw->launch(unit);
  raw->following_links_ = true;
  asio::co_spawn(raw->options_.fast, raw->follow_links(raw->netlink_->subscribe()),
                 [raw](const std::exception_ptr&) { raw->following_links_ = false; });
  co_return engine;
}

std::vector<std::shared_ptr<VrrpUnit>> VrrpEngine::make_units(const std::shared_ptr<const config::Config>& config,
                                                              const std::function<bool(const std::string&)>& wanted) {
  // A unit points into the daemon's config (a shared_ptr aliasing it) instead of holding a copy:
  // with 1000 instances a copy was ~1.5 MB beside the daemon's own.
  std::vector<std::shared_ptr<VrrpUnit>> out;
  std::set<std::string> grouped;
  for (const auto& [name, group] : config->vrrp_sync_group) {
    for (const auto& member : group.group) grouped.insert(member);
    // A sync group starts or stays as a whole (plan_reload restarts all members together).
    if (group.group.empty() || !wanted(group.group.front())) continue;
    std::vector<InstanceConfigPtr> members;
    for (const auto& member : group.group) {
      members.push_back(instance_in(config, member));
    }
    out.push_back(std::make_shared<VrrpUnit>(context_, std::move(members),
                                             std::shared_ptr<const config::VrrpSyncGroup>(config, &group)));
  }
  for (const auto& [name, instance] : config->vrrp_instance) {
    if (grouped.count(name) == 0 && wanted(name)) {
      std::vector<InstanceConfigPtr> members{InstanceConfigPtr(config, &instance)};
      out.push_back(std::make_shared<VrrpUnit>(context_, std::move(members), nullptr));
    }
  }
  return out;
}

void VrrpEngine::index_members() {
  members_.clear();
  for (const auto& unit : units_) {
    const auto names = unit->member_names();
    for (std::size_t i = 0; i < names.size(); ++i) members_[names[i]] = {unit, i};
  }
}

void VrrpEngine::launch(const std::shared_ptr<VrrpUnit>& unit) {
  ++running_units_;
  asio::co_spawn(options_.fast, unit->run(), [this, unit](const std::exception_ptr& error) {
    --running_units_;
    unit->mark_finished();
    if (!error) return;
    try {
      std::rethrow_exception(error);
    } catch (const std::exception& e) {
      sys::log_error("VRRP {} stopped on an internal error: {}", unit->name(), e.what());
    }
  });
}

rt::Task<void> VrrpEngine::reload(std::shared_ptr<const config::Config> shared_next, const ReloadPlan& plan) {
  const config::Config& next = *shared_next;
  // This runs between adverts on the VRRP thread: no step may hold the thread for long (the
  // plan is indexed once, and the loop lets due timers run between the steps).
  std::map<std::string, const InstancePlan*> by_new_name;
  for (const auto& entry : plan.instances) {
    if (entry.action != ReloadAction::kRemove) by_new_name[entry.new_name] = &entry;
  }
  // Held until the removed and restarted units are gone: no VIP is added before then.
  ++gate_.holds;
  std::set<std::shared_ptr<VrrpUnit>> leaving;
  for (const auto& entry : plan.instances) {
    const bool goes = entry.action == ReloadAction::kRemove || entry.action == ReloadAction::kRestart;
    if (!goes) continue;
    const auto found = members_.find(entry.old_name);
    if (found != members_.end()) leaving.insert(found->second.first);
  }
  for (const auto& entry : plan.instances) {
    std::string changes;
    for (const auto& change : entry.changes) changes += (changes.empty() ? "" : "; ") + change;
    switch (entry.action) {
      case ReloadAction::kUnchanged:
        if (!entry.renamed()) {
          // Equal settings; the unit moves to the new config's copy so the old config can go.
          const auto& [unit, index] = members_.at(entry.old_name);
          unit->rebind(index, instance_in(shared_next, entry.new_name));
          break;
        }
        [[fallthrough]];
      case ReloadAction::kInPlace: {
        sys::log_notice("reload: reconfiguring vrrp_instance {}: {}", entry.new_name, changes);
        const auto& [unit, index] = members_.at(entry.old_name);
        unit->reconfigure(index, instance_in(shared_next, entry.new_name));
        break;
      }
      case ReloadAction::kRestart:
        sys::log_notice("reload: restarting vrrp_instance {}: {}", entry.new_name, changes);
        break;
      case ReloadAction::kRemove:
        sys::log_notice("reload: removing vrrp_instance {}: {}", entry.old_name, changes);
        break;
      case ReloadAction::kAdd: sys::log_notice("reload: adding vrrp_instance {}: {}", entry.new_name, changes); break;
    }
  }
  for (const auto& unit : leaving) unit->request_stop();
  co_await asio::post(options_.fast, asio::use_awaitable);  // let due timers run

  // Kept sync groups take their group's new settings (the group may have been renamed).
  for (const auto& [name, group] : next.vrrp_sync_group) {
    if (group.group.empty()) continue;
    const auto found = by_new_name.find(group.group.front());
    const auto* entry = found == by_new_name.end() ? nullptr : found->second;
    if (entry == nullptr || (entry->action != ReloadAction::kUnchanged && entry->action != ReloadAction::kInPlace)) {
      continue;
    }
    members_.at(entry->old_name)
        .first->set_group_config(std::shared_ptr<const config::VrrpSyncGroup>(shared_next, &group));
  }

  // Removed instances hand off first: their sockets, VMACs and VIPs must be gone before an
  // instance of the same identity (a restart) or a new owner of their VIPs starts.
  asio::steady_timer poll(options_.fast);
  while (std::any_of(leaving.begin(), leaving.end(), [](const auto& unit) { return !unit->finished(); })) {
    poll.expires_after(std::chrono::milliseconds(1));
    co_await poll.async_wait(rt::use_nothrow);
  }
  std::erase_if(units_, [&](const auto& unit) { return leaving.count(unit) != 0; });
  co_await asio::post(options_.fast, asio::use_awaitable);  // let due timers run

  auto added = make_units(shared_next, [&](const std::string& name) {
    const auto found = by_new_name.find(name);
    return found != by_new_name.end() &&
           (found->second->action == ReloadAction::kAdd || found->second->action == ReloadAction::kRestart);
  });
  units_.insert(units_.end(), added.begin(), added.end());
  co_await asio::post(options_.fast, asio::use_awaitable);  // let due timers run
  // Kept members by their new names: a renamed member may not have processed its Reconfigure
  // yet, so the plan, not the unit, says what it is called now.
  std::map<std::string, std::pair<std::shared_ptr<VrrpUnit>, std::size_t>> members;
  for (const auto& entry : plan.instances) {
    const bool kept = entry.action == ReloadAction::kUnchanged || entry.action == ReloadAction::kInPlace;
    if (kept) members[entry.new_name] = members_.at(entry.old_name);
  }
  for (const auto& unit : added) {
    const auto names = unit->member_names();
    for (std::size_t i = 0; i < names.size(); ++i) members[names[i]] = {unit, i};
  }
  members_ = std::move(members);
  co_await asio::post(options_.fast, asio::use_awaitable);  // let due timers run
  // Tracker results for the new and changed instances reach their units before they start.
  tracking_->reload(next, plan.trackers, plan.kept());
  co_await asio::post(options_.fast, asio::use_awaitable);  // let due timers run
  // Units added by a reload start at once; their ordinals keep their place in a send-grid slot
  // distinct from every other unit's.
  for (const auto& unit : added) {
    unit->set_schedule_slot(std::nullopt, next_ordinal_++);
    launch(unit);
  }
  --gate_.holds;
}

rt::Task<void> VrrpEngine::follow_links(net::netlink::Subscription subscription) {
  // The instance's own interface going down puts it in FAULT (unless dont_track_primary).
  for (;;) {
    auto event = co_await subscription.next();
    if (!event || stopping_) co_return;
    if (const auto* added = std::get_if<net::netlink::AddressAdded>(&*event)) {
      for (const auto& unit : units_) unit->address_appeared(added->ifindex);
      continue;
    }
    const auto* link = std::get_if<net::netlink::LinkChanged>(&*event);
    if (!link) continue;
    tracking_->interface_changed(link->name, link->up && link->running);
    for (const auto& [name, where] : members_) {
      const auto& [unit, index] = where;
      const auto& instance = unit->member_config(index);
      if (instance.interface != link->name || instance.dont_track_primary) continue;
      vrrp::InterfaceChanged changed;
      changed.up = link->up && link->running;
      unit->post(index, changed);
    }
  }
}

void VrrpEngine::on_tracker_changed(const TrackerChange& change) {
  const auto found = members_.find(change.instance);
  if (found == members_.end()) return;
  found->second.first->post(found->second.second, change.state);
}

rt::Task<void> VrrpEngine::stop() {
  stopping_ = true;
  co_await tracking_->stop();
  for (const auto& unit : units_) unit->request_stop();
  asio::steady_timer poll(options_.fast);
  while (running_units_ > 0) {
    poll.expires_after(std::chrono::milliseconds(5));
    co_await poll.async_wait(rt::use_nothrow);
  }
  // notify_stop and what is still queued run; a script that hangs must not hold the stop forever.
  (void)co_await notifier_->finish(kNotifyStopWait);
  channels_->close_all();
  if (vmac_sysctls_) (void)vmac_sysctls_->restore_all();
  netlink_->stop();
  // The link follower reads engine members when it wakes: let it finish before we are destroyed.
  while (following_links_) {
    poll.expires_after(std::chrono::milliseconds(1));
    co_await poll.async_wait(rt::use_nothrow);
  }
}

std::vector<MemberStatus> VrrpEngine::status() const {
  std::vector<MemberStatus> out;
  for (const auto& unit : units_) {
    auto members = unit->status();
    out.insert(out.end(), members.begin(), members.end());
  }
  return out;
}

}  // namespace vigil::engine
