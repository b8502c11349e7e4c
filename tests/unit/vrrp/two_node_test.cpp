// Two instances talking through the codec and the receive check over a simulated wire (virtual
// clock, 100 µs latency): election, failover after a crash, fast hand-off after a stop, preemption
// on return, in v2/v3, multicast and unicast.
#include <doctest/doctest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "harness.hpp"
#include "vrrp/overloaded.hpp"
#include "vrrp/receive_check.hpp"
#include "vrrp/timers.hpp"

using namespace vigil;
using namespace vigil::vrrp;
using namespace vigil::test;

namespace {

constexpr Duration kLatency = 100us;

struct Node {
  InstanceConfig config;
  IpAddress address;
  std::optional<Instance> instance;
  std::vector<IpPrefix> held;
  std::vector<std::pair<TimePoint, State>> notified;
  ReceiveStats stats;
};

struct Frame {
  TimePoint at;
  std::size_t to;
  std::vector<std::uint8_t> bytes;
  IpAddress source;
  IpAddress destination;
};

class Wire {
 public:
  std::vector<Node> nodes;

  void start(std::size_t i, TimePoint now) {
    nodes[i].instance.emplace(nodes[i].config);
    feed(i, InterfaceChanged{true, nodes[i].address}, now);
    feed(i, Started{}, now);
  }
  void crash(std::size_t i) { nodes[i].instance.reset(); }  // SIGKILL: no goodbye, VIPs stay stale
  void stop(std::size_t i, TimePoint now) {
    feed(i, StopRequested{}, now);
    nodes[i].instance.reset();
  }

  // Runs until `end`: frames due at a time are delivered before timers due at the same time.
  void run_until(TimePoint end) {
    for (;;) {
      std::optional<TimePoint> next;
      for (const auto& f : frames_) next = !next || f.at < *next ? f.at : *next;
      for (const auto& n : nodes) {
        if (n.instance && n.instance->next_deadline() && (!next || *n.instance->next_deadline() < *next)) {
          next = n.instance->next_deadline();
        }
      }
      if (!next || *next > end) return;
      const TimePoint now = *next;
      auto due = std::stable_partition(frames_.begin(), frames_.end(), [&](const Frame& f) { return f.at <= now; });
      std::vector<Frame> deliver(frames_.begin(), due);
      frames_.erase(frames_.begin(), due);
      for (const auto& f : deliver) receive(f, now);
      for (std::size_t i = 0; i < nodes.size(); ++i) {
        if (nodes[i].instance && nodes[i].instance->next_deadline() <= now) feed(i, TimerFired{}, now);
      }
    }
  }

  [[nodiscard]] std::optional<TimePoint> became_master(std::size_t i, TimePoint after) const {
    for (const auto& [when, state] : nodes[i].notified) {
      if (state == State::kMaster && when >= after) return when;
    }
    return std::nullopt;
  }

 private:
  void feed(std::size_t i, const Event& event, TimePoint now) {
    if (!nodes[i].instance) return;
    execute(i, nodes[i].instance->on(event, now), now);
  }

  void execute(std::size_t i, const Actions& actions, TimePoint now) {
    Node& node = nodes[i];
    for (const auto& action : actions) {
      std::visit(Overloaded{
                     [&](const SendAdvert& a) { send(i, a.advert, now); },
                     [&](const AddVips& a) {
                       node.held.insert(node.held.end(), a.vips.begin(), a.vips.end());
                       feed(i, VipsAdded{a.request, true, {}}, now);  // the kernel says yes at once
                     },
                     [&](const RemoveVips& a) {
                       std::erase_if(node.held, [&](const IpPrefix& p) {
                         return std::find(a.vips.begin(), a.vips.end(), p) != a.vips.end();
                       });
                     },
                     [&](const SendGratuitous&) {},
                     [&](const RunNotify& a) { node.notified.emplace_back(now, a.state); },
                 },
                 action);
    }
  }

  void send(std::size_t from, const Advert& advert, TimePoint now) {
    const Node& node = nodes[from];
    for (std::size_t to = 0; to < nodes.size(); ++to) {
      if (to == from) continue;
      const IpAddress destination = node.config.unicast() ? nodes[to].address : multicast_group(node.config.family);
      frames_.push_back({now + kLatency, to, encode(advert, {node.address, destination, node.config.v3_checksum_as_v2}),
                         node.address, destination});
    }
  }

  void receive(const Frame& f, TimePoint now) {
    Node& node = nodes[f.to];
    if (!node.instance) return;
    const auto checked = check_advert({f.bytes, f.source, f.destination, 255, false}, node.config);
    node.stats.count(checked);
    if (checked) feed(f.to, AdvertReceived{checked->advert, checked->source, std::nullopt}, now);
  }

  std::vector<Frame> frames_;
};

Wire pair_of(InstanceConfig a, InstanceConfig b, bool unicast = false) {
  Wire wire;
  const IpAddress addr_a = ip("192.0.2.1");
  const IpAddress addr_b = ip("192.0.2.2");
  if (unicast) {
    a.unicast_source = addr_a;
    a.unicast_peers = {addr_b};
    b.unicast_source = addr_b;
    b.unicast_peers = {addr_a};
  }
  wire.nodes.push_back({a, addr_a, std::nullopt, {}, {}, {}});
  wire.nodes.push_back({b, addr_b, std::nullopt, {}, {}, {}});
  return wire;
}

struct Scenario {
  const char* name;
  Version version;
  Centiseconds interval;
  bool unicast;
  bool as_v2;
};

}  // namespace

TEST_CASE("two nodes: election, crash failover, stop hand-off and preemption over the codec") {
  for (const Scenario s : {Scenario{"v2 multicast", Version::kV2, Centiseconds{100}, false, false},
                           Scenario{"v2 unicast", Version::kV2, Centiseconds{100}, true, false},
                           Scenario{"v3 multicast 0.1s", Version::kV3, Centiseconds{10}, false, false},
                           Scenario{"v3 unicast", Version::kV3, Centiseconds{100}, true, false},
                           Scenario{"v3 RFC 9568 checksum", Version::kV3, Centiseconds{100}, false, true}}) {
    const std::string name = s.name;
    CAPTURE(name);
    auto a = basic_config(150, s.version);
    auto b = basic_config(100, s.version);
    a.advert_interval = b.advert_interval = s.interval;
    a.v3_checksum_as_v2 = b.v3_checksum_as_v2 = s.as_v2;
    Wire wire = pair_of(a, b, s.unicast);
    const Duration interval(s.interval);
    const Duration down_a = master_down_interval(s.version, 150, s.interval);
    const Duration down_b = master_down_interval(s.version, 100, s.interval);

    // Election: A (150) wins after its own Master_Down_Interval; B never claims the VIP.
    wire.start(0, t(0));
    wire.start(1, t(0));
    const TimePoint settle = t(0) + 10 * interval;
    wire.run_until(settle);
    CHECK(wire.became_master(0, t(0)) == t(0) + down_a);
    CHECK_FALSE(wire.became_master(1, t(0)));
    CHECK(wire.nodes[0].held.size() == 1);
    CHECK(wire.nodes[1].held.empty());
    CHECK(wire.nodes[1].stats.accepted > 0);
    CHECK(wire.nodes[1].stats.rejected == std::array<std::uint64_t, kRejectReasonCount>{});

    // Crash: B takes over Master_Down_Interval after A's last advert reached it.
    const TimePoint crash = settle + interval / 2;
    wire.run_until(crash);
    wire.crash(0);
    wire.run_until(crash + 2 * down_b);
    // A advertised every interval from the moment it became master; B heard the last one kLatency later.
    const auto adverts_before_crash = (crash - (t(0) + down_a)) / interval;
    const TimePoint last_heard = t(0) + down_a + adverts_before_crash * interval + kLatency;
    CHECK(wire.became_master(1, crash) == last_heard + down_b);

    // A returns with the higher priority and preempts B; B steps down on A's first advert.
    const TimePoint back = crash + 2 * down_b;
    wire.nodes[0].held.clear();
    wire.start(0, back);
    wire.run_until(back + 2 * down_a);
    const auto a_again = wire.became_master(0, back);
    REQUIRE(a_again);
    CHECK(*a_again == back + down_a);
    CHECK(wire.nodes[1].instance->state() == State::kBackup);
    CHECK(wire.nodes[1].held.empty());

    // Orderly stop: priority 0 hands over after Skew_Time, not Master_Down_Interval.
    const TimePoint stop = back + 2 * down_a + interval / 3;
    wire.stop(0, stop);
    CHECK(wire.nodes[0].held.empty());
    wire.run_until(stop + down_b);
    const auto handoff = wire.became_master(1, stop);
    REQUIRE(handoff);
    CHECK(*handoff == stop + kLatency + skew_time(s.version, 100, s.interval));
  }
}
