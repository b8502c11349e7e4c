#include "engine/vrrp_engine.hpp"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>
#include <filesystem>
#include <set>

#include "sys/log.hpp"
#include "sys/user.hpp"

namespace vigil::engine {

namespace {

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

rt::Task<Result<std::unique_ptr<VrrpEngine>>> VrrpEngine::start(const config::Config& config, EngineOptions options) {
  std::unique_ptr<VrrpEngine> engine(new VrrpEngine(std::move(options)));
  auto netlink = co_await net::netlink::Netlink::open();
  if (!netlink) co_return fail(std::move(netlink.error()));
  engine->netlink_ = std::move(*netlink);
  engine->channels_ = std::make_unique<ChannelRegistry>(engine->options_.fast);
  std::vector<std::string> fifos;
  for (const auto& fifo : {config.global.notify_fifo, config.global.vrrp_notify_fifo}) {
    if (fifo) fifos.push_back(in_runtime_dir(engine->options_.runtime_dir, *fifo));
  }
  const ScriptIdentity identity = script_identity(config.global);
  engine->notifier_ =
      std::make_unique<Notifier>(engine->options_.slow, std::move(fifos), identity, engine->options_.alerts);
  engine->vmac_sysctls_ = std::make_unique<net::wire::VmacSysctls>();

  UnitContext context;
  context.executor = engine->options_.fast;
  context.netlink = engine->netlink_.get();
  context.channels = engine->channels_.get();
  context.notifier = engine->notifier_.get();
  context.vmac_sysctls = engine->vmac_sysctls_.get();
  context.garp_interval = config.global.vrrp_garp_interval;
  context.gna_interval = config.global.vrrp_gna_interval;

  engine->configs_ = config.vrrp_instance;
  std::set<std::string> grouped;
  for (const auto& [name, group] : config.vrrp_sync_group) {
    std::vector<config::VrrpInstance> members;
    for (const auto& member : group.group) {
      members.push_back(config.vrrp_instance.at(member));
      grouped.insert(member);
    }
    engine->units_.push_back(std::make_shared<VrrpUnit>(context, std::move(members), group));
  }
  for (const auto& [name, instance] : config.vrrp_instance) {
    if (grouped.count(name) == 0) {
      engine->units_.push_back(std::make_shared<VrrpUnit>(context, std::vector{instance}, std::nullopt));
    }
  }
  for (const auto& unit : engine->units_) {
    for (const auto& status : unit->status()) engine->members_[status.name] = {unit, *unit->member_index(status.name)};
  }

  auto* raw = engine.get();
  raw->tracking_ = std::make_unique<Tracking>(config, raw->options_.fast, raw->options_.slow, identity,
                                              [raw](const TrackerChange& change) { raw->on_tracker_changed(change); });
  // Before Started: an instance whose tracker starts failed (init_fail) starts in FAULT.
  for (const auto& change : raw->tracking_->initial()) raw->on_tracker_changed(change);
  raw->tracking_->start();
  // Spread the units' starts over one advert interval (see set_schedule_slot).
  for (std::size_t i = 0; i < engine->units_.size(); ++i) {
    auto& unit = *engine->units_[i];
    unit.set_schedule_slot(
        unit.advert_interval() * static_cast<std::int64_t>(i) / static_cast<std::int64_t>(engine->units_.size()),
        static_cast<unsigned>(i));
  }
  for (const auto& unit : engine->units_) {
    ++raw->running_units_;
    asio::co_spawn(raw->options_.fast, unit->run(), [raw, unit](const std::exception_ptr& error) {
      --raw->running_units_;
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        sys::log_error("VRRP {} stopped on an internal error: {}", unit->name(), e.what());
      }
    });
  }
  raw->following_links_ = true;
  asio::co_spawn(raw->options_.fast, raw->follow_links(raw->netlink_->subscribe()),
                 [raw](const std::exception_ptr&) { raw->following_links_ = false; });
  co_return engine;
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
      const auto& instance = configs_.at(name);
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
  co_await notifier_->flush();
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
