#include "engine/vrrp_unit.hpp"

#include <algorithm>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/steady_timer.hpp>

#include "engine/core_config.hpp"
#include "net/wire/interface_info.hpp"
#include "sys/log.hpp"
#include "vrrp/overloaded.hpp"

namespace vigil::engine {

namespace {

// How long a socket may wait for its source address (a fresh IPv6 link-local runs DAD for ~1-2 s).
constexpr auto kSourceAddressWait = std::chrono::seconds(5);
constexpr auto kSourceAddressRetry = std::chrono::milliseconds(200);

std::string vmac_name(const config::VrrpInstance& instance) {
  return instance.vmac_name.value_or("vrrp." + std::to_string(instance.virtual_router_id));
}

// 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID for IPv6 (RFC 5798 §7.3).
MacAddress virtual_mac(const config::VrrpInstance& instance) {
  return MacAddress{{0x00, 0x00, 0x5e, 0x00, static_cast<std::uint8_t>(instance.family == Family::kIPv4 ? 0x01 : 0x02),
                     instance.virtual_router_id}};
}

const config::AddressEntry* find_entry(const config::VrrpInstance& instance, const IpPrefix& vip) {
  for (const auto* list : {&instance.virtual_ipaddress, &instance.virtual_ipaddress_excluded}) {
    for (const auto& entry : *list) {
      if (entry.address == vip) return &entry;
    }
  }
  return nullptr;
}

// notify_master / notify_backup / notify_fault / notify_stop of an instance or a sync group.
template <class Owner>
std::optional<config::Command> state_command(const Owner& owner, vrrp::State state) {
  switch (state) {
    case vrrp::State::kMaster: return owner.notify_master;
    case vrrp::State::kBackup: return owner.notify_backup;
    case vrrp::State::kFault: return owner.notify_fault;
    case vrrp::State::kStop: return owner.notify_stop;
    case vrrp::State::kInit: break;
  }
  return std::nullopt;
}

// The configured entry of a VIP (dev, label, scope ...), or a plain one on the instance's interface.
config::AddressEntry entry_for(const config::VrrpInstance& instance, const IpPrefix& vip) {
  if (const auto* entry = find_entry(instance, vip)) return *entry;
  config::AddressEntry plain;
  plain.address = vip;
  return plain;
}

}  // namespace

VrrpUnit::VrrpUnit(const UnitContext& context, std::vector<InstanceConfigPtr> members,
                   std::shared_ptr<const config::VrrpSyncGroup> group)
    : context_(context), group_config_(std::move(group)), timer_(context_.executor) {
  std::vector<vrrp::InstanceConfig> cores;
  cores.reserve(members.size());
  members_.reserve(members.size());
  for (auto& instance : members) {
    std::vector<vrrp::ConfigProblem> problems;
    cores.push_back(to_core_config(*instance, &problems));
    for (const auto& problem : problems) {
      sys::log_warning("vrrp_instance {}: {}: {}", instance->name, problem.field, problem.message);
    }
    Member& member = members_.emplace_back();
    member.config = std::move(instance);
  }
  if (group_config_) {
    name_ = group_config_->name;
    group_.emplace(name_, std::move(cores));
  } else {
    name_ = members_.front().config->name;
    instance_.emplace(std::move(cores.front()));
  }
}

std::optional<std::size_t> VrrpUnit::member_index(const std::string& instance_name) const {
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].config->name == instance_name) return i;
  }
  return std::nullopt;
}

std::vector<std::string> VrrpUnit::member_names() const {
  std::vector<std::string> out;
  out.reserve(members_.size());
  for (const auto& member : members_) out.push_back(member.config->name);
  return out;
}

const vrrp::Instance& VrrpUnit::core(std::size_t member) const { return group_ ? group_->member(member) : *instance_; }

std::vector<vrrp::MemberActions> VrrpUnit::feed(std::size_t member, const vrrp::Event& event, TimePoint now) {
  if (group_) return group_->on(member, event, now);
  auto actions = instance_->on(event, now);
  if (actions.empty()) return {};
  return {vrrp::MemberActions{0, std::move(actions)}};
}

std::vector<vrrp::MemberActions> VrrpUnit::fire_timers(TimePoint now) {
  if (group_) return group_->on_timer(now);
  const auto deadline = instance_->next_deadline();
  if (!deadline || *deadline > now) return {};
  return feed(0, vrrp::TimerFired{}, now);
}

std::optional<TimePoint> VrrpUnit::next_deadline() const {
  return group_ ? group_->next_deadline() : instance_->next_deadline();
}

void VrrpUnit::enqueue(Input input) {
  if (inbox_empty()) {
    // Everything before was read: start over at the front (keeping the capacity).
    inbox_.clear();
    inbox_head_ = 0;
  }
  inbox_.push_back(std::move(input));
}

void VrrpUnit::push_input(Input input) {
  enqueue(std::move(input));
  wake();
}

void VrrpUnit::post(std::size_t member, vrrp::Event event) { push_input(Input{member, std::move(event)}); }

void VrrpUnit::reconfigure(std::size_t member, InstanceConfigPtr config) {
  if (context_.gate) ++context_.gate->holds;
  push_input(Input{member, Reconfigure{std::move(config)}});
}

void VrrpUnit::rebind(std::size_t member, InstanceConfigPtr config) {
  push_input(Input{member, Rebind{std::move(config)}});
}

void VrrpUnit::set_group_config(std::shared_ptr<const config::VrrpSyncGroup> group) {
  name_ = group->name;
  group_config_ = std::move(group);
}

std::vector<vrrp::MemberActions> VrrpUnit::apply_reconfigure(std::size_t index, InstanceConfigPtr config,
                                                             TimePoint now) {
  auto& member = members_[index];
  const InstanceConfigPtr previous = std::exchange(member.config, std::move(config));
  if (!group_config_) name_ = member.config->name;
  std::vector<vrrp::ConfigProblem> problems;
  auto core_config = to_core_config(*member.config, &problems);
  for (const auto& problem : problems) {
    sys::log_warning("vrrp_instance {}: {}: {}", member.config->name, problem.field, problem.message);
  }
  auto batches = feed(index, vrrp::ConfigChanged{std::move(core_config)}, now);
  // Addresses the new config drops leave with the entry (dev, label) they were added with.
  for (auto& batch : batches) {
    auto& actions = batch.actions;
    for (auto action = actions.begin(); action != actions.end();) {
      if (const auto* remove = std::get_if<vrrp::RemoveVips>(&*action); remove && batch.member == index) {
        KernelJob job{KernelJob::Kind::kRemoveVips, 0, remove->vips, previous, true};
        if (context_.gate) ++context_.gate->holds;
        queue_kernel(index, std::move(job));
        action = actions.erase(action);
      } else {
        ++action;
      }
    }
  }
  // Routes and rules of a master follow the new config: the old ones go first (gate held), the
  // new ones are added once the gate opens.
  const bool extras_changed = previous->virtual_routes != member.config->virtual_routes ||
                              previous->virtual_rules != member.config->virtual_rules;
  if (extras_changed && member.extras_installed) {
    KernelJob remove{KernelJob::Kind::kRemoveExtras, 0, {}, previous, true};
    if (context_.gate) ++context_.gate->holds;
    queue_kernel(index, std::move(remove));
    if (!member.config->virtual_routes.empty() || !member.config->virtual_rules.empty()) {
      queue_kernel(index, KernelJob{KernelJob::Kind::kAddExtras, 0, {}, nullptr, false});
    }
  }
  return batches;
}

rt::Task<void> VrrpUnit::wait_for_gate(std::size_t index) {
  if (!context_.gate || context_.gate->open()) co_return;
  // A stopping unit must not wait (the reload waits for it), nor a member whose own queue holds
  // the gate behind this job: its jobs run in order, and that removal cannot come first.
  const auto& jobs = members_[index].kernel_jobs;
  auto must_wait = [&] {
    return !context_.gate->open() && !stopping_ &&
           std::none_of(jobs.begin(), jobs.end(), [](const KernelJob& job) { return job.holds_gate; });
  };
  asio::steady_timer poll(context_.executor);
  while (must_wait()) {
    poll.expires_after(std::chrono::milliseconds(1));
    co_await poll.async_wait(rt::use_nothrow);
  }
}

void VrrpUnit::request_stop() {
  stop_requested_ = true;
  wake();
}

void VrrpUnit::wake() { timer_.cancel(); }

Duration VrrpUnit::advert_interval() const {
  Duration shortest = Duration::max();
  for (const auto& member : members_) shortest = std::min(shortest, member.config->advert_int);
  return shortest;
}

// Advert timers are rounded up to a grid of kSendGrid, offset by the unit's ordinal in
// nanoseconds: the units of one grid slot then wake together (one wake-up of the fast thread for
// several adverts, instead of one each) and always in the same order, so each instance's place
// in the slot -- and the gap between its adverts -- stays the same from tick to tick. The state
// machine keeps the exact schedule (its cadence is anchored to the due time, not the wake-up),
// and every advert interval is a multiple of the grid, so an instance keeps its slot. Other
// timers (master-down above all) wake exactly on time.
TimePoint VrrpUnit::wake_time(TimePoint deadline) const {
  // 5 ms: 200 instances at 0.1 s (or 1000 at 1 s) cost 200 wake-ups a second instead of 2000 (in
  // the benchmark lab 6-7 % of a core instead of 18 %), and a slot's sends take well under 1 ms.
  // It divides every advert interval (v2: whole seconds, v3: centiseconds).
  constexpr Duration kSendGrid = std::chrono::milliseconds(5);
  bool advert = false;
  for (std::size_t i = 0; i < members_.size() && !advert; ++i) {
    const auto& due = core(i).deadlines().advert;
    advert = due && *due == deadline;
  }
  if (!advert) return deadline;
  const auto since_epoch = deadline.time_since_epoch();
  const auto slot = (since_epoch + kSendGrid - Duration(1)) / kSendGrid * kSendGrid;
  return TimePoint(slot + Duration(ordinal_));
}

bool VrrpUnit::timer_due() const {
  const auto deadline = next_deadline();
  return deadline && *deadline <= Clock::now();
}

void VrrpUnit::drain_channels() {
  // Sync-group members may share a channel: read each one once (no allocation on this path).
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const auto* channel = members_[i].channel.get();
    if (channel == nullptr) continue;
    const bool seen = std::any_of(members_.begin(), members_.begin() + static_cast<std::ptrdiff_t>(i),
                                  [channel](const Member& m) { return m.channel.get() == channel; });
    if (!seen) members_[i].channel->drain();
  }
}

bool VrrpUnit::kernel_idle() const {
  return std::none_of(members_.begin(), members_.end(), [](const Member& m) { return m.kernel_busy; });
}

// g++ 12 destroys class-type temporaries created inside a co_await expression twice: every
// argument of an awaited call below is a named variable first.
//
// run() lives as long as the unit, and g++ keeps every local and temporary of a coroutine in its
// frame for the coroutine's whole life (an Event temporary alone is ~300 bytes). So run() only
// sleeps and delegates: the work of a wake-up happens in sub-coroutines whose frames exist only
// while they run (Asio recycles them), which keeps 1000 idle units small.
rt::Task<void> VrrpUnit::run() {
  auto self = shared_from_this();
  if (context_.prepare_tokens) (void)co_await context_.prepare_tokens->async_receive(rt::use_nothrow);
  co_await prepare();
  if (context_.prepare_tokens) (void)context_.prepare_tokens->try_send(asio::error_code{}, true);
  co_await start_members();
  for (;;) {
    // (Each awaited call costs a coroutine frame: skipped when there is nothing to do.)
    if (!inbox_empty()) process_inputs();
    if (stopping_ && kernel_idle()) break;
    if (stop_requested_ && !stopping_) {
      stop_members();
      continue;
    }
    if (inbox_empty()) {
      const auto deadline = stopping_ ? std::nullopt : next_deadline();
      timer_.expires_at(deadline ? wake_time(*deadline) : TimePoint::max());
      sleeping_ = true;
      co_await timer_.async_wait(rt::use_nothrow);
      sleeping_ = false;
    }
    // A wake-up for a moved deadline (see receive()) has nothing to do and needs no frame for
    // step(); run() re-arms the timer.
    if (!inbox_empty() || (!stopping_ && timer_due())) co_await step();
  }
  co_await teardown();
}

rt::Task<void> VrrpUnit::start_members() {
  // Inputs posted meanwhile (tracker states) wake the timer early; they wait in the inbox.
  const auto prepared_at = Clock::now();
  auto start_at = first_start_.value_or(prepared_at);
  if (const Duration interval = advert_interval(); start_at < prepared_at && interval > Duration::zero()) {
    // Preparing took longer than the phase: the next start in phase, so the unit still shares
    // its group's wake-ups.
    start_at += ((prepared_at - start_at) / interval + 1) * interval;
  }
  while (!stop_requested_ && Clock::now() < start_at) {
    timer_.expires_at(start_at);
    co_await timer_.async_wait(rt::use_nothrow);
  }
  const auto now = Clock::now();
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const auto& member = members_[i];
    vrrp::InterfaceChanged interface;
    interface.up = member.channel != nullptr;
    if (member.channel) interface.primary_address = member.channel->source_address();
    auto actions = feed(i, interface, now);
    execute(std::move(actions));
  }
  process_inputs();  // tracker states posted before the start count from the start
  for (std::size_t i = 0; i < members_.size(); ++i) {
    auto actions = feed(i, vrrp::Started{}, Clock::now());
    execute(std::move(actions));
  }
}

void VrrpUnit::stop_members() {
  stopping_ = true;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    auto actions = feed(i, vrrp::StopRequested{}, Clock::now());
    execute(std::move(actions));
  }
}

rt::Task<void> VrrpUnit::step() {
  if (!inbox_empty()) process_inputs();
  if (stopping_ || !timer_due()) co_return;
  // Adverts that queued up while we slept (or were descheduled) count before an expired timer;
  // a wake for an input alone needs no extra read.
  drain_channels();
  if (!inbox_empty()) process_inputs();
  const auto now = Clock::now();
  if (!timer_due()) co_return;
  // The adverts due now were scheduled for their send-grid slot: their sends record how late
  // they left (vigil_advert_send_lateness_seconds).
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const auto& due = core(i).deadlines().advert;
    if (due && *due <= now) members_[i].advert_slot = wake_time(*due) - Duration(ordinal_);
  }
  auto actions = fire_timers(now);
  if (!actions.empty()) execute(std::move(actions));
  for (auto& member : members_) member.advert_slot.reset();
}

void VrrpUnit::process_inputs() {
  while (!inbox_empty()) {
    Input input = std::move(inbox_[inbox_head_++]);
    const auto now = Clock::now();
    std::vector<vrrp::MemberActions> out;
    if (const auto* packet = std::get_if<net::wire::ReceivedPacket>(&input.what)) {
      if (stopping_) continue;
      handle_packet(input.member, *packet, out, now);
    } else if (std::holds_alternative<RetryAttach>(input.what)) {
      if (stopping_ || members_[input.member].channel || !try_attach(input.member)) continue;
      const auto& member = members_[input.member];
      sys::log_notice("vrrp_instance {}: {} now has a source address ({})", member.config->name,
                      member.channel_key.interface, member.channel->source_address().to_string());
      vrrp::InterfaceChanged usable;
      const auto link = net::wire::query_interface(*member.config->interface);
      usable.up = member.config->dont_track_primary || (link && link->running);
      usable.primary_address = member.channel->source_address();
      out = feed(input.member, usable, now);
    } else if (auto* rebind = std::get_if<Rebind>(&input.what)) {
      members_[input.member].config = std::move(rebind->config);
    } else if (auto* decided = std::get_if<Decided>(&input.what)) {
      out = std::move(decided->batches);
    } else if (auto* change = std::get_if<Reconfigure>(&input.what)) {
      out = apply_reconfigure(input.member, std::move(change->config), now);
      if (context_.gate) --context_.gate->holds;  // its removals hold the gate from here on
    } else {
      auto& event = std::get<vrrp::Event>(input.what);
      if (auto* interface = std::get_if<vrrp::InterfaceChanged>(&event); interface && interface->up) {
        // A link coming up is only usable once the member can send on it.
        if (!members_[input.member].channel && members_[input.member].ifindex != 0) (void)try_attach(input.member);
        interface->up = members_[input.member].channel != nullptr;
      }
      out = feed(input.member, event, now);
    }
    if (!out.empty()) execute(std::move(out));
  }
  // Inputs come one or two per wake-up: hand the buffer back rather than keep it per unit.
  std::vector<Input>().swap(inbox_);
  inbox_head_ = 0;
}

void VrrpUnit::handle_packet(std::size_t index, const net::wire::ReceivedPacket& packet,
                             std::vector<vrrp::MemberActions>& out, TimePoint now) {
  auto& member = members_[index];
  vrrp::ReceivedPacket received;
  received.message = packet.payload();
  received.source = packet.source;
  received.destination = packet.destination;
  received.ttl = packet.hop_limit;
  const auto outcome = vrrp::check_advert(received, core(index).config());
  member.receive.count(outcome);
  if (!outcome) {
    sys::log_debug("vrrp_instance {}: advert from {} dropped: {}", member.config->name, packet.source.to_string(),
                   vrrp::to_string(outcome.error()));
    return;
  }
  if (outcome->address_list_mismatch && !member.config->skip_check_adv_addr) {
    sys::log_debug("vrrp_instance {}: advert from {} lists other addresses than ours", member.config->name,
                   packet.source.to_string());
  }
  out = feed(index, vrrp::AdvertReceived{outcome->advert, outcome->source, packet.arrived}, now);
}

void VrrpUnit::receive(std::size_t index, net::wire::ReceivedPacket&& packet) {
  // The common case -- a backup hearing its master -- needs no inbox: the unit is asleep with
  // nothing queued, so the advert is checked and fed to the core right here, and the core only
  // moves its master-down deadline later. The timer is then re-armed (a cancel and a resume of
  // run(), inside the wake-up that read the advert): left at the old deadline it would wake the
  // thread for nothing once every master-down interval, and in paired runs with 1000 backups
  // those wake-ups cost more than the re-arms (1.11 against 1.03 % of a core). Anything else goes
  // through the inbox in order: actions to execute, a unit that is busy or stopping.
  if (!sleeping_ || !inbox_empty() || stopping_ || stop_requested_) {
    push_input(Input{index, std::move(packet)});
    return;
  }
  std::vector<vrrp::MemberActions> out;
  handle_packet(index, packet, out, Clock::now());
  if (!out.empty()) {
    push_input(Input{index, Decided{std::move(out)}});
    return;
  }
  const auto deadline = next_deadline();
  if (deadline && wake_time(*deadline) != timer_.expiry()) wake();
}

void VrrpUnit::execute(std::vector<vrrp::MemberActions> batches) {
  // Packets and kernel requests first, in the core's order; the reports (log line, notify
  // queue, virtual routes) after them, in theirs: a new master's first GARP then leaves before
  // the log write and the notify hand-off of its MASTER transition, as keepalived's does.
  bool reports = false;
  for (auto& batch : batches) {
    const std::size_t index = batch.member;
    for (auto& action : batch.actions) {
      if (const auto* send = std::get_if<vrrp::SendAdvert>(&action)) {
        send_advert(index, send->advert);
      } else if (const auto* add = std::get_if<vrrp::AddVips>(&action)) {
        queue_kernel(index, KernelJob{KernelJob::Kind::kAddVips, add->request, add->vips, nullptr, false});
      } else if (const auto* remove = std::get_if<vrrp::RemoveVips>(&action)) {
        queue_kernel(index, KernelJob{KernelJob::Kind::kRemoveVips, 0, remove->vips, nullptr, false});
      } else if (const auto* garp = std::get_if<vrrp::SendGratuitous>(&action)) {
        // co_spawn runs the coroutine here up to its first wait (the pause between announcements,
        // or a full device queue), so the burst's first announcement leaves inside this step.
        asio::co_spawn(context_.executor, send_gratuitous(shared_from_this(), index, garp->vips, garp->repeat),
                       asio::detached);
      } else if (std::holds_alternative<vrrp::RunNotify>(action)) {
        reports = true;
      }
    }
  }
  if (!reports) return;
  for (auto& batch : batches) {
    for (auto& action : batch.actions) {
      if (const auto* notify = std::get_if<vrrp::RunNotify>(&action))
        report(batch.member, notify->state, notify->priority);
    }
  }
}

void VrrpUnit::send_advert(std::size_t index, const vrrp::Advert& advert) {
  auto& member = members_[index];
  if (!member.channel) return;
  // Its lateness is recorded when the channel sends it (once per advert, not per peer).
  const bool scheduled = member.advert_slot.has_value();
  std::optional<TimePoint> slot = context_.lateness ? member.advert_slot : std::nullopt;
  member.advert_slot.reset();
  const auto& config = core(index).config();
  vrrp::EncodeContext encode{member.channel->source_address(), member.channel->multicast_group(),
                             config.v3_checksum_as_v2};
  // One advert per unicast peer (the v3 pseudo-header names the real destination), else one to
  // the group; no list is built per advert.
  const auto& peers = config.unicast_peers;
  const std::size_t destinations = std::max<std::size_t>(peers.size(), 1);
  for (std::size_t i = 0; i < destinations; ++i) {
    encode.destination = peers.empty() ? member.channel->multicast_group() : peers[i];
    member.channel->queue_send(vrrp::encode(advert, encode), encode.destination, std::exchange(slot, std::nullopt));
  }
  // Only a slot's scheduled adverts wait to leave together. The first advert of a new master, a
  // priority 0 on leaving, the answer to a lower-priority master leave now (with whatever the
  // channel holds, in order), before the VIPs' netlink requests and the GARPs that follow.
  if (!scheduled) member.channel->flush();
}

void VrrpUnit::report(std::size_t index, vrrp::State state, std::uint8_t priority) {
  auto& member = members_[index];
  const vrrp::State previous = std::exchange(member.reported, state);
  member.last_transition = Clock::now();
  const char* state_name = vrrp::to_string(state);
  sys::log_notice(sys::LogFields{{"VIGIL_INSTANCE", member.config->name}, {"VIGIL_STATE", state_name}},
                  "VRRP instance {} (vrid {} on {}): {} -> {} (priority {})", member.config->name,
                  member.config->virtual_router_id, member.config->interface.value_or("-"), vrrp::to_string(previous),
                  state_name, priority);

  const bool has_extras = !member.config->virtual_routes.empty() || !member.config->virtual_rules.empty();
  if (has_extras && state == vrrp::State::kMaster)
    queue_kernel(index, KernelJob{KernelJob::Kind::kAddExtras, 0, {}, nullptr, false});
  if (has_extras && previous == vrrp::State::kMaster && state != vrrp::State::kMaster) {
    queue_kernel(index, KernelJob{KernelJob::Kind::kRemoveExtras, 0, {}, nullptr, false});
  }

  NotifyRequest request;
  request.name = member.config->name;
  request.state = state_name;
  request.priority = priority;
  request.state_command = state_command(*member.config, state);
  request.notify_command = member.config->notify;
  request.smtp_alert = member.config->smtp_alert;
  context_.notifier->submit(std::move(request));

  // A sync group reports its own transition once every member agrees on the new state.
  if (group_config_ &&
      std::all_of(members_.begin(), members_.end(), [&](const Member& m) { return m.reported == state; })) {
    NotifyRequest group;
    group.group = true;
    group.name = group_config_->name;
    group.state = state_name;
    group.state_command = state_command(*group_config_, state);
    group.notify_command = group_config_->notify;
    group.smtp_alert = group_config_->smtp_alert;
    context_.notifier->submit(std::move(group));
  }
}

void VrrpUnit::queue_kernel(std::size_t index, KernelJob job) {
  auto& member = members_[index];
  member.kernel_jobs.push_back(std::move(job));
  if (member.kernel_busy) return;
  member.kernel_busy = true;
  asio::co_spawn(context_.executor, run_kernel_jobs(shared_from_this(), index), asio::detached);
}

rt::Task<void> VrrpUnit::run_kernel_jobs([[maybe_unused]] std::shared_ptr<VrrpUnit> self, std::size_t index) {
  // One job at a time, in order: removals queued before additions reach the kernel first, so a
  // VIP moving between instances is never lost.
  while (!members_[index].kernel_jobs.empty()) {
    const KernelJob job = members_[index].kernel_jobs.front();
    if (job.kind == KernelJob::Kind::kAddVips || job.kind == KernelJob::Kind::kAddExtras) co_await wait_for_gate(index);
    const auto result = co_await kernel_job(index, job);
    auto& jobs = members_[index].kernel_jobs;
    jobs.erase(jobs.begin());
    if (job.holds_gate && context_.gate) --context_.gate->holds;
    if (job.kind == KernelJob::Kind::kAddVips) {
      enqueue(Input{index, vrrp::VipsAdded{job.request, result.has_value(),
                                           result ? std::string() : result.error().to_string()}});
    }
  }
  members_[index].kernel_jobs.shrink_to_fit();  // VIPs change rarely: give the memory back
  members_[index].kernel_busy = false;
  wake();
}

rt::Task<Result<void>> VrrpUnit::kernel_job(std::size_t index, const KernelJob& job) {
  auto& netlink = *context_.netlink;
  // Owned here: a reload may replace the member's config while a transaction is out.
  const InstanceConfigPtr config_owner = job.added_with ? job.added_with : members_[index].config;
  const auto& config = *config_owner;
  const int vip_ifindex = members_[index].vip_ifindex;
  auto ifindex_of = [&](const std::optional<std::string>& dev) -> rt::Task<Result<int>> {
    if (!dev) co_return vip_ifindex;
    co_return co_await netlink.link_index(*dev);
  };
  switch (job.kind) {
    case KernelJob::Kind::kAddVips:
      for (const auto& vip : job.vips) {
        const auto address = entry_for(config, vip);
        const auto ifindex = co_await ifindex_of(address.dev);
        if (!ifindex) co_return fail(ifindex.error());
        const auto spec = to_address_spec(address, *ifindex);
        const auto added = co_await netlink.ensure_address_present(spec);
        if (!added) {
          sys::log_error("vrrp_instance {}: cannot add VIP {}: {}", config.name, vip.to_string(),
                         added.error().to_string());
          co_return added;
        }
      }
      co_return Result<void>{};
    case KernelJob::Kind::kRemoveVips:
      for (const auto& vip : job.vips) {
        const auto address = entry_for(config, vip);
        const auto ifindex = co_await ifindex_of(address.dev);
        if (!ifindex) continue;  // the interface is gone, and the address with it
        const auto spec = to_address_spec(address, *ifindex);
        const auto removed = co_await netlink.ensure_address_absent(spec);
        if (!removed) {
          sys::log_error("vrrp_instance {}: cannot remove VIP {}: {}", config.name, vip.to_string(),
                         removed.error().to_string());
        }
      }
      co_return Result<void>{};
    case KernelJob::Kind::kAddExtras:
      for (const auto& route : config.virtual_routes) {
        const auto ifindex = co_await ifindex_of(route.dev);
        const auto spec = to_route_spec(route, ifindex.value_or(0));
        const auto added = co_await netlink.add_route(spec);
        if (!added && added.error().code != std::errc::file_exists) {
          sys::log_error("vrrp_instance {}: cannot add virtual route: {}", config.name, added.error().to_string());
        }
      }
      for (const auto& rule : config.virtual_rules) {
        const auto spec = to_rule_spec(rule);
        const auto added = co_await netlink.add_rule(spec);
        if (!added && added.error().code != std::errc::file_exists) {
          sys::log_error("vrrp_instance {}: cannot add virtual rule: {}", config.name, added.error().to_string());
        }
      }
      members_[index].extras_installed = true;
      co_return Result<void>{};
    case KernelJob::Kind::kRemoveExtras:
      for (const auto& rule : config.virtual_rules) {
        const auto spec = to_rule_spec(rule);
        (void)co_await netlink.remove_rule(spec);
      }
      for (const auto& route : config.virtual_routes) {
        const auto ifindex = co_await ifindex_of(route.dev);
        const auto spec = to_route_spec(route, ifindex.value_or(0));
        (void)co_await netlink.remove_route(spec);
      }
      members_[index].extras_installed = false;
      co_return Result<void>{};
  }
  co_return Result<void>{};
}

Result<net::wire::GratuitousSender*> VrrpUnit::gratuitous_sender(std::size_t index, const IpPrefix& vip) {
  const auto& member = members_[index];
  const auto* entry = find_entry(*member.config, vip);
  std::string interface = entry && entry->dev ? *entry->dev : member.vip_interface;
  std::optional<MacAddress> mac;
  if (member.vmac_created && interface == member.vip_interface) mac = virtual_mac(*member.config);
  // Kept open, and shared by the engine's units: opening one reads every address of the host
  // (getifaddrs), which with 1000 VIPs made the second GARP burst of 1000 new masters take
  // seconds; and one per instance cost 1000 sockets.
  auto& senders = *context_.gratuitous;
  auto key = std::make_pair(interface, mac);
  auto sender = senders.find(key);
  if (sender == senders.end()) {
    auto opened = net::wire::GratuitousSender::open(context_.executor, interface, mac);
    if (!opened) {
      Error error = opened.error();
      error.message = "on " + interface + ": " + error.message;
      return fail(std::move(error));
    }
    sender = senders.emplace(std::move(key), std::move(*opened)).first;
  }
  return &sender->second;
}

rt::Task<void> VrrpUnit::send_gratuitous([[maybe_unused]] std::shared_ptr<VrrpUnit> self, std::size_t index,
                                         std::vector<IpPrefix> vips, std::uint32_t repeat) {
  asio::steady_timer pause(context_.executor);
  // A send that fails once usually fails for the whole burst (no packet socket, a link gone):
  // one warning per burst, the rest at debug level.
  bool failure_reported = false;
  for (std::uint32_t round = 0; round < repeat; ++round) {
    for (const auto& vip : vips) {
      const bool v4 = vip.address.is_v4();
      const Duration gap = v4 ? context_.garp_interval : context_.gna_interval;
      auto sender = gratuitous_sender(index, vip);
      if (!sender) {
        sys::log_warning("vrrp_instance {}: no gratuitous ARP/NA {}", members_[index].config->name,
                         sender.error().to_string());
        co_return;
      }
      const auto sent = co_await (*sender)->announce(vip.address);
      if (!sent) {
        const auto level = failure_reported ? sys::LogLevel::Debug : sys::LogLevel::Warning;
        sys::log(level, "vrrp_instance {}: gratuitous {} for {} not sent: {}", members_[index].config->name,
                 v4 ? "ARP" : "NA", vip.to_string(), sent.error().to_string());
        failure_reported = true;
      }
      if (gap > Duration::zero()) {
        pause.expires_after(gap);
        co_await pause.async_wait(rt::use_nothrow);
      }
    }
  }
}

rt::Task<void> VrrpUnit::prepare() {
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const auto prepared = co_await prepare_member(i);
    if (!prepared) {
      sys::log_error("vrrp_instance {}: {}; the instance stays in FAULT until that changes", members_[i].config->name,
                     prepared.error().to_string());
    }
    co_await remove_stale_vips(i);
  }
}

rt::Task<Result<void>> VrrpUnit::prepare_member(std::size_t index) {
  auto& netlink = *context_.netlink;
  {
    auto& member = members_[index];
    if (!member.config->interface) co_return fail(make_error(std::errc::invalid_argument, "no interface configured"));
    const auto ifindex = co_await netlink.link_index(*member.config->interface);
    if (!ifindex) {
      co_return fail(make_error(ifindex.error().code,
                                "interface " + *member.config->interface + ": " + ifindex.error().to_string()));
    }
    member.ifindex = *ifindex;
    member.vip_interface = *member.config->interface;
    member.vip_ifindex = *ifindex;
  }
  if (members_[index].config->use_vmac) {
    const std::string vmac = vmac_name(*members_[index].config);
    const std::string parent = *members_[index].config->interface;
    auto existing = co_await netlink.link(vmac);
    int vmac_index = 0;
    if (existing && existing->kind == "macvlan") {
      vmac_index = existing->ifindex;  // left by a previous run: take it over
    } else {
      net::netlink::MacvlanSpec spec;
      spec.name = vmac;
      spec.parent_ifindex = members_[index].ifindex;
      spec.mac = virtual_mac(*members_[index].config);
      spec.mode = net::netlink::MacvlanMode::kPrivate;
      const auto created = co_await netlink.create_macvlan(spec);
      if (!created)
        co_return fail(make_error(created.error().code, "VMAC " + vmac + ": " + created.error().to_string()));
      vmac_index = *created;
    }
    if (const auto up = co_await netlink.set_link_up(vmac_index, true); !up) co_return fail(up.error());
    if (context_.vmac_sysctls) {
      if (const auto tuned = context_.vmac_sysctls->configure(vmac, parent); !tuned) {
        sys::log_warning("vrrp_instance {}: VMAC sysctls: {}", members_[index].config->name, tuned.error().to_string());
      }
    }
    auto& member = members_[index];
    member.vmac_created = true;
    member.vip_interface = vmac;
    member.vip_ifindex = vmac_index;
  }

  // The senders of its GARPs and NAs, and their sockets, are opened now, not on the way from a
  // master-down timer to the first GARP (opening a sender reads the host's interfaces and
  // addresses). One that cannot open yet is tried again, and reported, when the instance becomes
  // master.
  for (const auto* list :
       {&members_[index].config->virtual_ipaddress, &members_[index].config->virtual_ipaddress_excluded}) {
    for (const auto& entry : *list) {
      if (auto sender = gratuitous_sender(index, entry.address))
        (void)(*sender)->open_socket_for(entry.address.address);
    }
  }

  asio::steady_timer retry(context_.executor);
  const auto give_up = Clock::now() + kSourceAddressWait;
  auto attached = try_attach(index);
  while (!attached && Clock::now() < give_up) {
    retry.expires_after(kSourceAddressRetry);
    co_await retry.async_wait(rt::use_nothrow);
    attached = try_attach(index);
  }
  co_return attached;
}

ChannelKey VrrpUnit::channel_key_for(std::size_t index) const {
  const auto& member = members_[index];
  ChannelKey key;
  const bool send_on_vmac = member.config->use_vmac && !member.config->vmac_xmit_base;
  key.interface = send_on_vmac ? member.vip_interface : *member.config->interface;
  key.family = member.config->family;
  key.mode = member.config->is_unicast() ? net::wire::AdvertMode::kUnicast : net::wire::AdvertMode::kMulticast;
  key.source = member.config->is_unicast() ? member.config->unicast_src_ip : member.config->mcast_src_ip;
  // A VMAC carries only VIPs; as keepalived, IPv4 adverts sent on it take the parent's primary
  // address as source (IPv6 ones use the VMAC's own link-local).
  if (send_on_vmac && !key.source && key.family == Family::kIPv4) {
    if (auto parent = net::wire::query_interface(*member.config->interface); parent) key.source = parent->primary_v4;
  }
  return key;
}

Result<void> VrrpUnit::try_attach(std::size_t index) {
  auto key = channel_key_for(index);
  auto channel = context_.channels->acquire(key);
  if (!channel) return fail(std::move(channel.error()));
  auto& member = members_[index];
  member.channel_key = std::move(key);
  member.channel = *channel;
  std::weak_ptr<VrrpUnit> weak = weak_from_this();
  member.channel->attach(member.config->virtual_router_id, [weak, index](net::wire::ReceivedPacket&& packet) {
    if (auto unit = weak.lock()) {
      unit->receive(index, std::move(packet));
    }
  });
  member.channel->start();
  return {};
}

void VrrpUnit::address_appeared(int ifindex) {
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const auto& member = members_[i];
    if (member.channel || member.ifindex == 0) continue;
    if (member.ifindex == ifindex || member.vip_ifindex == ifindex) {
      push_input(Input{i, RetryAttach{}});
    }
  }
}

rt::Task<void> VrrpUnit::remove_stale_vips(std::size_t index) {
  // After a crash the kernel may still hold VIPs of ours. Only a master may hold them, and nobody
  // starts as master except an address owner, which adds them again anyway.
  const auto& member = members_[index];
  if (member.vip_ifindex == 0 || core(index).config().owner()) co_return;
  const InstanceConfigPtr config = member.config;  // a reload may replace the member's meanwhile
  for (const auto* list : {&config->virtual_ipaddress, &config->virtual_ipaddress_excluded}) {
    for (const auto& entry : *list) {
      int ifindex = member.vip_ifindex;
      if (entry.dev) {
        const auto found = co_await context_.netlink->link_index(*entry.dev);
        if (!found) continue;
        ifindex = *found;
      }
      const auto spec = to_address_spec(entry, ifindex);
      if (co_await context_.netlink->remove_address(spec)) {
        sys::log_notice("vrrp_instance {}: removed VIP {} left by an earlier run", config->name,
                        entry.address.to_string());
      }
    }
  }
}

rt::Task<void> VrrpUnit::teardown() {
  for (auto& member : members_) {
    if (member.channel) context_.channels->release(member.channel_key, member.config->virtual_router_id);
    member.channel.reset();
    // The VMAC goes below; a new one of the same name gets a new interface index.
    if (member.vmac_created) context_.gratuitous->erase({member.vip_interface, virtual_mac(*member.config)});
  }
  for (auto& member : members_) {
    if (!member.vmac_created) continue;
    if (const auto deleted = co_await context_.netlink->delete_link(member.vip_ifindex); !deleted) {
      sys::log_warning("vrrp_instance {}: cannot delete VMAC {}: {}", member.config->name, member.vip_interface,
                       deleted.error().to_string());
    }
    if (context_.vmac_sysctls) (void)context_.vmac_sysctls->release(member.vip_interface, *member.config->interface);
    member.vmac_created = false;
  }
}

std::vector<MemberStatus> VrrpUnit::status() const {
  std::vector<MemberStatus> out;
  for (std::size_t i = 0; i < members_.size(); ++i) {
    const auto& member = members_[i];
    const auto& instance = core(i);
    MemberStatus status;
    status.name = member.config->name;
    status.interface = member.config->interface.value_or("");
    status.vrid = member.config->virtual_router_id;
    status.family = member.config->family;
    status.state = member.reported;
    status.base_priority = instance.config().base_priority();
    status.effective_priority = instance.priority();
    status.master_address = instance.master_address();
    status.vips = instance.config().vips;
    status.stats = instance.stats();
    status.receive = member.receive;
    if (member.channel) status.other_vrid_on_socket = member.channel->unknown_vrid_packets();
    status.last_transition = member.last_transition;
    status.deadlines = instance.deadlines();
    out.push_back(std::move(status));
  }
  return out;
}

}  // namespace vigil::engine
