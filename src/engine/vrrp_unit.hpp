#pragma once
// VrrpUnit: the coroutine that drives one VRRP instance, or the members of one sync group, which
// must move together. It is a thin driver around the pure core (src/vrrp): every input (an
// advert, a deadline, a tracker change, a kernel ACK) becomes an Event, and every Action the core
// returns is executed here: adverts go out through a shared AdvertChannel, VIPs are awaitable
// netlink transactions, GARPs/NAs go out through the wire drivers, notifications go to the
// Notifier on the slow executor.
//
// Stall rule (issue 3): when the timer fires, queued adverts are read first, so a master whose
// adverts waited in the socket while we were descheduled is not mistaken for a dead one.
#include <asio/any_io_executor.hpp>
#include <asio/experimental/channel.hpp>
#include <asio/steady_timer.hpp>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "config/model.hpp"
#include "engine/advert_channel.hpp"
#include "engine/advert_lateness.hpp"
#include "engine/notifier.hpp"
#include "net/netlink/netlink.hpp"
#include "net/wire/gratuitous_sender.hpp"
#include "net/wire/vmac_sysctls.hpp"
#include "rt/tokens.hpp"
#include "vrrp/instance.hpp"
#include "vrrp/receive_check.hpp"
#include "vrrp/sync_group.hpp"

namespace vigil::engine {

// During a reload, VIP (and route/rule) additions wait while the gate is held: until every
// removal the reload causes has reached the kernel, so an address moving from one instance to
// another is never added by the new owner and then deleted by the old one.
struct ReloadGate {
  std::size_t holds = 0;
  [[nodiscard]] bool open() const { return holds == 0; }
};

// Gratuitous ARP/NA senders by interface and source MAC (nullopt: the interface's own), shared by
// every unit of an engine: one pair of sockets per interface instead of one per instance.
using GratuitousSenders = std::map<std::pair<std::string, std::optional<MacAddress>>, net::wire::GratuitousSender>;

// Turns to prepare (interface lookups, stale-VIP removals, sockets): a unit takes a token before
// and puts it back after. 1000 units preparing at once held ~9 MB of netlink requests and
// coroutine frames; freed a moment later, that memory stayed fragmented under the units'
// long-lived state (RSS several MiB above the live heap).
using PrepareTokens = asio::experimental::channel<void(asio::error_code, bool)>;

// What every unit of one engine shares; all of it lives on the fast executor.
struct UnitContext {
  asio::any_io_executor executor;
  net::netlink::Netlink* netlink = nullptr;
  ChannelRegistry* channels = nullptr;
  Notifier* notifier = nullptr;
  net::wire::VmacSysctls* vmac_sysctls = nullptr;
  Duration garp_interval{};  // pause between two GARPs of a burst
  Duration gna_interval{};   // pause between two unsolicited NAs of a burst
  ReloadGate* gate = nullptr;
  GratuitousSenders* gratuitous = nullptr;
  PrepareTokens* prepare_tokens = nullptr;  // null: no limit
  // Every advert's send time minus its due time (vigil_advert_send_lateness_seconds); one for the
  // whole engine, not per instance.
  AdvertLateness* lateness = nullptr;
};

// The instance configs a unit runs: shared with the engine, never copied per unit (1000
// instances would otherwise hold several copies of each).
using InstanceConfigPtr = std::shared_ptr<const config::VrrpInstance>;

// A read-only view of one member for status output, dumps and tests.
struct MemberStatus {
  std::string name;
  std::string interface;
  std::uint8_t vrid = 0;
  Family family = Family::kIPv4;
  vrrp::State state = vrrp::State::kInit;
  std::uint8_t base_priority = 0;
  std::uint8_t effective_priority = 0;
  std::optional<IpAddress> master_address;
  std::vector<IpPrefix> vips;
  vrrp::InstanceStats stats;
  vrrp::ReceiveStats receive;
  // Adverts for VRIDs no local instance uses, on the socket this member shares (per socket, not
  // per member: other routers on the link are normal, so this is not a rejection).
  std::uint64_t other_vrid_on_socket = 0;
  TimePoint last_transition{};
  // The core's armed timers (next advert, master-down, GARP bursts ...), for the dump.
  vrrp::Deadlines deadlines;
};

class VrrpUnit : public std::enable_shared_from_this<VrrpUnit> {
 public:
  // One standalone instance (`group` empty, one member) or the members of a sync group.
  // `context` must outlive the unit (the engine owns both).
  VrrpUnit(const UnitContext& context, std::vector<InstanceConfigPtr> members,
           std::shared_ptr<const config::VrrpSyncGroup> group);

  // Prepares sockets, VMACs and stale VIPs, starts the core and runs until stopped.
  rt::Task<void> run();

  // Where this unit's adverts go in the fast thread's schedule. The core starts at `first_start`
  // or, when that has passed, a whole number of advert intervals later (the same phase); nullopt
  // starts it at once. Units given one start share their advert wake-ups for life (as long as
  // they keep one interval and priority); `ordinal` orders the units whose advert timers fall in
  // one send-grid slot (see wake_time).
  void set_schedule_slot(std::optional<TimePoint> first_start, unsigned ordinal) {
    first_start_ = first_start;
    ordinal_ = ordinal;
  }
  [[nodiscard]] Duration advert_interval() const;

  // Fast executor only. Events for a member by index (see member_index()).
  void post(std::size_t member, vrrp::Event event);
  // Orderly stop: priority-0 advert, VIPs removed, notify STOP; run() returns when it is done.
  void request_stop();
  // Fast executor only. The link monitor saw an address added on `ifindex`: members still without
  // a socket there (no address at start, e.g. DHCP not done yet) leave FAULT once they can send.
  void address_appeared(int ifindex);
  // Fast executor, on reload: the member takes a new config of the same identity (new name,
  // priority, VIPs, notify commands ...). Processed in order with the unit's other inputs; holds
  // context.gate until the removals it causes have reached the kernel.
  void reconfigure(std::size_t member, InstanceConfigPtr config);
  // Fast executor, on reload: an unchanged member takes the new config's equal copy of its
  // settings, so the config it started with can be freed. Nothing else happens.
  void rebind(std::size_t member, InstanceConfigPtr config);
  // Fast executor, on reload: the sync group's own settings (name, notify commands).
  void set_group_config(std::shared_ptr<const config::VrrpSyncGroup> group);
  // Set by the owner when run() has returned.
  void mark_finished() { finished_ = true; }
  [[nodiscard]] bool finished() const { return finished_; }

  [[nodiscard]] std::optional<std::size_t> member_index(const std::string& instance_name) const;
  [[nodiscard]] std::vector<std::string> member_names() const;
  // The config member `index` runs (after the last Reconfigure it processed).
  [[nodiscard]] const config::VrrpInstance& member_config(std::size_t index) const { return *members_[index].config; }
  [[nodiscard]] std::vector<MemberStatus> status() const;
  [[nodiscard]] const std::string& name() const { return name_; }

 private:
  struct KernelJob {
    enum class Kind : std::uint8_t { kAddVips, kRemoveVips, kAddExtras, kRemoveExtras };
    Kind kind = Kind::kAddVips;
    std::uint64_t request = 0;
    std::vector<IpPrefix> vips;
    // The config the VIPs/routes/rules were added with, when it is no longer the member's
    // (removals caused by a reload); else the member's current one is used.
    InstanceConfigPtr added_with;
    bool holds_gate = false;  // a reload removal: releases context.gate when done
  };

  struct Member {
    InstanceConfigPtr config;
    ChannelKey channel_key;
    std::shared_ptr<AdvertChannel> channel;
    int ifindex = 0;
    std::string vip_interface;  // the interface, or the VMAC
    int vip_ifindex = 0;
    bool vmac_created = false;
    vrrp::ReceiveStats receive;
    std::vector<KernelJob> kernel_jobs;  // a FIFO; a deque would allocate 576 bytes even when empty
    bool kernel_busy = false;
    bool extras_installed = false;  // virtual_routes / virtual_rules
    vrrp::State reported = vrrp::State::kInit;
    TimePoint last_transition{};
    // Set while the advert timer that just fired is being executed: the slot that advert was
    // scheduled for, so its send can record its lateness.
    std::optional<TimePoint> advert_slot;
  };

  // An address appeared on the interface of a member that has no socket yet: try again.
  struct RetryAttach {};
  struct Reconfigure {
    InstanceConfigPtr config;
  };
  // Through the inbox like a Reconfigure, so no step of the unit holding a reference into the old
  // settings across a suspension sees them freed.
  struct Rebind {
    InstanceConfigPtr config;
  };
  // Actions the core already returned (for an advert handled on arrival, see receive()), waiting
  // to be executed in order with the unit's other inputs.
  struct Decided {
    std::vector<vrrp::MemberActions> batches;
  };
  struct Input {
    std::size_t member = 0;
    std::variant<vrrp::Event, net::wire::ReceivedPacket, RetryAttach, Reconfigure, Decided, Rebind> what;
  };

  rt::Task<void> prepare();
  rt::Task<Result<void>> prepare_member(std::size_t index);
  [[nodiscard]] ChannelKey channel_key_for(std::size_t index) const;
  // Opens (or shares) the member's advert socket and starts receiving; fails while the interface
  // has no usable source address.
  [[nodiscard]] Result<void> try_attach(std::size_t index);
  rt::Task<void> remove_stale_vips(std::size_t index);
  rt::Task<void> start_members();
  void stop_members();
  // One wake-up of the loop: inputs, then expired timers. Kept out of run() so that run()'s frame,
  // alive as long as the unit, holds no temporaries (1000 units: 1000 frames).
  rt::Task<void> step();
  void process_inputs();
  [[nodiscard]] bool inbox_empty() const { return inbox_head_ == inbox_.size(); }
  void enqueue(Input input);     // processed at the next wake-up
  void push_input(Input input);  // and wakes the unit
  void execute(std::vector<vrrp::MemberActions> batches);
  std::vector<vrrp::MemberActions> apply_reconfigure(std::size_t index, InstanceConfigPtr config, TimePoint now);
  rt::Task<void> wait_for_gate(std::size_t index);
  // An advert arrived for member `index` (from the channel's receive loop or a drain).
  void receive(std::size_t index, net::wire::ReceivedPacket&& packet);
  // Hands the advert, one per destination, to the channel's batch for this slot (no waiting, no
  // coroutine frame per advert).
  void send_advert(std::size_t index, const vrrp::Advert& advert);
  void handle_packet(std::size_t index, const net::wire::ReceivedPacket& packet, std::vector<vrrp::MemberActions>& out,
                     TimePoint now);
  void queue_kernel(std::size_t index, KernelJob job);
  rt::Task<void> run_kernel_jobs(std::shared_ptr<VrrpUnit> self, std::size_t index);
  rt::Task<Result<void>> kernel_job(std::size_t index, const KernelJob& job);
  // `repeat` rounds over `vips`, paced by garp_interval / gna_interval.
  rt::Task<void> send_gratuitous(std::shared_ptr<VrrpUnit> self, std::size_t index, std::vector<IpPrefix> vips,
                                 std::uint32_t repeat);
  // The engine's shared sender for this VIP's interface (and VMAC), opened on first use.
  Result<net::wire::GratuitousSender*> gratuitous_sender(std::size_t index, const IpPrefix& vip);
  void report(std::size_t index, vrrp::State state, std::uint8_t priority);
  rt::Task<void> teardown();
  [[nodiscard]] bool kernel_idle() const;
  [[nodiscard]] bool timer_due() const;
  [[nodiscard]] TimePoint wake_time(TimePoint deadline) const;
  void drain_channels();
  void wake();

  std::vector<vrrp::MemberActions> feed(std::size_t member, const vrrp::Event& event, TimePoint now);
  std::vector<vrrp::MemberActions> fire_timers(TimePoint now);
  [[nodiscard]] std::optional<TimePoint> next_deadline() const;
  [[nodiscard]] const vrrp::Instance& core(std::size_t member) const;

  const UnitContext& context_;
  std::string name_;
  std::shared_ptr<const config::VrrpSyncGroup> group_config_;  // null: a standalone instance
  // Filled once by the constructor and never resized, so references into it stay valid across
  // suspensions (a reload reconfigures members in place; it never adds or removes one).
  std::vector<Member> members_;
  std::optional<vrrp::Instance> instance_;  // standalone
  std::optional<vrrp::SyncGroup> group_;    // sync group
  // A FIFO: inputs from inbox_head_ on. A vector rather than a deque, which allocates a 512-byte
  // chunk per unit even when empty; it is emptied (capacity kept) whenever it has been read.
  std::vector<Input> inbox_;
  std::size_t inbox_head_ = 0;
  asio::steady_timer timer_;
  std::optional<TimePoint> first_start_;
  unsigned ordinal_ = 0;
  bool stop_requested_ = false;
  bool stopping_ = false;
  bool sleeping_ = false;  // run() waits on timer_ with nothing queued
  bool finished_ = false;
};

}  // namespace vigil::engine
