#pragma once
// keepalived's virtual-server semantics as a pure state machine: checker verdicts in, desired IPVS
// destinations and notify actions out. No I/O, no clock: the driver (src/daemon/lb_service) feeds
// verdicts, runs the commands the actions name and reconciles the kernel with desired().
//
// Rules (docs/config.md §11, §12):
//  * a real server is alive while every one of its checkers reports up (no checkers: always);
//    a checker starts down with `alpha`, else up;
//  * an alive server is in the pool with its weight; a checker's dynamic weight (misc_dynamic,
//    file_check) replaces it until that checker reports without one (the first such checker wins);
//    a dead one is removed, or kept at weight 0 with inhibit_on_failure;
//  * quorum: the total weight of alive servers. It is gained when the total reaches
//    quorum + hysteresis and lost when it falls below quorum - hysteresis (or to 0);
//  * while quorum is lost and a sorry server is configured, the pool is the sorry server alone
//    (real servers removed, or at weight 0 with inhibit_on_failure); otherwise the sorry server is
//    absent (or at weight 0 with its `inhibit`);
//  * ha_suspend: while suspended, verdicts are ignored and the pool stays as it is;
//  * omega: stop() reports notify_down for alive servers and quorum_down if quorum was held;
//  * reload (carry_over): what continues keeps its state; see PoolCarry. What is removed reports
//    down (left_behind).
// The initial state (start()) reports nothing: scripts run on changes.
#include <cstddef>
#include <cstdint>
#include <optional>
#include <variant>
#include <vector>

#include "ipvs/types.hpp"

namespace vigil::ipvs {

struct RealServerSpec {
  Destination destination;         // weight = the configured weight
  bool port_from_service = false;  // the destination's port is each service's port
  bool inhibit_on_failure = false;
  std::vector<bool> checker_starts_up;  // one per checker: false with alpha
  friend bool operator==(const RealServerSpec&, const RealServerSpec&) = default;
};

struct SorryServerSpec {
  Destination destination;
  bool port_from_service = false;
  bool inhibit = false;
  friend bool operator==(const SorryServerSpec&, const SorryServerSpec&) = default;
};

struct VirtualServerSpec {
  std::vector<Service> services;  // one, or one per group member
  std::vector<RealServerSpec> real_servers;
  std::optional<SorryServerSpec> sorry_server;
  std::uint32_t quorum = 1;
  std::uint32_t hysteresis = 0;
  bool omega = false;
  friend bool operator==(const VirtualServerSpec&, const VirtualServerSpec&) = default;
};

// One checker's report (mirrors check::CheckerVerdict, which this pure core cannot include).
struct Verdict {
  std::size_t virtual_server = 0;
  std::size_t real_server = 0;
  std::size_t checker = 0;
  bool up = false;
  std::optional<int> weight;
};

struct RealServerUp {  // run notify_up
  std::size_t virtual_server = 0;
  std::size_t real_server = 0;
  friend bool operator==(const RealServerUp&, const RealServerUp&) = default;
};
struct RealServerDown {  // run notify_down
  std::size_t virtual_server = 0;
  std::size_t real_server = 0;
  friend bool operator==(const RealServerDown&, const RealServerDown&) = default;
};
struct QuorumGained {  // run quorum_up
  std::size_t virtual_server = 0;
  friend bool operator==(const QuorumGained&, const QuorumGained&) = default;
};
struct QuorumLost {  // run quorum_down
  std::size_t virtual_server = 0;
  friend bool operator==(const QuorumLost&, const QuorumLost&) = default;
};
struct PoolChanged {  // desired(virtual_server) changed: reconcile its services
  std::size_t virtual_server = 0;
  friend bool operator==(const PoolChanged&, const PoolChanged&) = default;
};
using PoolAction = std::variant<RealServerUp, RealServerDown, QuorumGained, QuorumLost, PoolChanged>;

// What a reloaded pool continues from the old one (indexes of the old pool; nullopt = new).
// Rules of carry_over():
//  * a continued checker keeps its up/down state;
//  * a new checker of a real server that was alive starts as at start (down with alpha, else up);
//    a new checker of a new real server, or of one that was down, starts down: a server is never
//    put into the pool by a reload before a checker has seen it pass (alpha for the new ones);
//  * a continued real server keeps a misc_dynamic/file_check weight while one of its checkers
//    continues; it reports up/down if the reload changed whether it is alive;
//  * a continued virtual server keeps its quorum state and its suspension, then quorum is
//    re-evaluated with the new weights, quorum and hysteresis (quorum_up/quorum_down on change);
//  * a new virtual server starts as at start, silently.
struct PoolCarry {
  std::vector<std::optional<std::size_t>> virtual_server_from;            // per new virtual server
  std::vector<std::vector<std::optional<std::size_t>>> real_server_from;  // per new virtual server, real server
  // per new virtual server, real server, checker
  std::vector<std::vector<std::vector<std::optional<std::size_t>>>> checker_from;
};

class Pool {
 public:
  explicit Pool(std::vector<VirtualServerSpec> specs);

  [[nodiscard]] std::size_t size() const { return servers_.size(); }
  [[nodiscard]] const VirtualServerSpec& spec(std::size_t virtual_server) const {
    return servers_.at(virtual_server).spec;
  }

  // A checker's verdict. Out-of-range indexes are ignored (no actions).
  std::vector<PoolAction> on_verdict(const Verdict& verdict);
  // ha_suspend: while suspended the virtual server ignores verdicts.
  void set_suspended(std::size_t virtual_server, bool suspended);
  // Reload: this pool (just built from the new specs) takes over the state of `old` as `carry`
  // says. Returns the notifications the change calls for (indexes of this pool).
  std::vector<PoolAction> carry_over(const Pool& old, const PoolCarry& carry);
  // Reload, asked of the old pool: what the objects `carry` does not continue leave behind, in
  // this (old) pool's indexes. As keepalived: a removed real server that was alive reports down
  // (notify_down), and a removed virtual server reports each alive real server down and then
  // quorum_down if it held quorum. Whatever omega says (omega is about stopping).
  [[nodiscard]] std::vector<PoolAction> left_behind(const PoolCarry& carry) const;
  // Orderly stop: the omega notifications.
  [[nodiscard]] std::vector<PoolAction> stop() const;

  // What the kernel should hold for this virtual server: each service with its destinations.
  [[nodiscard]] std::vector<ServiceState> desired(std::size_t virtual_server) const;
  // Every virtual server's services and destinations.
  [[nodiscard]] std::vector<ServiceState> desired_all() const;

  [[nodiscard]] bool alive(std::size_t virtual_server, std::size_t real_server) const;
  // What one checker last said (its starting state for a checker that has not reported).
  [[nodiscard]] bool checker_up(std::size_t virtual_server, std::size_t real_server, std::size_t checker) const;
  [[nodiscard]] bool suspended(std::size_t virtual_server) const { return servers_.at(virtual_server).suspended; }
  [[nodiscard]] bool quorum(std::size_t virtual_server) const { return servers_.at(virtual_server).quorum_up; }
  [[nodiscard]] std::uint64_t live_weight(std::size_t virtual_server) const;

 private:
  struct RealServerState {
    std::vector<bool> checker_up;
    std::vector<std::optional<std::uint32_t>> checker_weight;  // each checker's last reported weight
    [[nodiscard]] std::optional<std::uint32_t> dynamic_weight() const;
    [[nodiscard]] bool alive() const;
  };
  struct ServerState {
    VirtualServerSpec spec;
    std::vector<RealServerState> real_servers;
    bool quorum_up = true;
    bool suspended = false;
  };
  [[nodiscard]] std::uint32_t weight_of(const ServerState& server, std::size_t real_server) const;
  [[nodiscard]] std::uint64_t live_weight(const ServerState& server) const;
  // Quorum after a change of live weight (hysteresis applies); appends quorum_up/down.
  void update_quorum(std::size_t virtual_server, std::vector<PoolAction>& actions);

  std::vector<ServerState> servers_;
};

}  // namespace vigil::ipvs
