// Random event streams against one instance (fixed seeds, virtual clock): invariants that must hold
// after every step, whatever the order of inputs.
#include <doctest/doctest.h>

#include <algorithm>
#include <random>

#include "harness.hpp"
#include "vrrp/overloaded.hpp"

using namespace vigil;
using namespace vigil::vrrp;
using namespace vigil::test;

namespace {

struct Kernel {
  std::vector<IpPrefix> held;
  std::vector<std::uint64_t> unanswered;
};

void run_kernel(Kernel& kernel, const Actions& actions) {
  for (const auto& action : actions) {
    std::visit(Overloaded{
                   [&](const AddVips& a) {
                     kernel.held.insert(kernel.held.end(), a.vips.begin(), a.vips.end());
                     kernel.unanswered.push_back(a.request);
                   },
                   [&](const RemoveVips& a) {
                     std::erase_if(kernel.held, [&](const IpPrefix& p) {
                       return std::find(a.vips.begin(), a.vips.end(), p) != a.vips.end();
                     });
                   },
                   [](const auto&) {},
               },
               action);
  }
}

}  // namespace

TEST_CASE("instance property: invariants hold under random event streams") {
  int seen_master = 0;
  int seen_fault = 0;
  int seen_vip_failure = 0;
  for (std::uint32_t seed = 1; seed <= 200; ++seed) {
    CAPTURE(seed);
    std::mt19937 rng(seed);
    auto pick = [&](int n) { return static_cast<int>(rng() % static_cast<unsigned>(n)); };
    InstanceConfig config =
        basic_config(static_cast<std::uint8_t>(1 + pick(255)), pick(2) ? Version::kV3 : Version::kV2);
    config.preempt = pick(4) != 0;
    if (config.owner()) config.preempt = true;
    if (pick(3) == 0) config.preempt_delay = std::chrono::seconds(pick(5));
    config.lower_prio_no_advert = pick(2) != 0;
    config.garp.master_refresh = pick(2) ? Duration::zero() : std::chrono::seconds(7);
    Instance instance(config);
    Kernel kernel;
    TimePoint now = t(0);
    bool stopped = false;
    for (int step = 0; step < 300 && !stopped; ++step) {
      now += std::chrono::milliseconds(pick(1500));
      Actions actions;
      switch (pick(10)) {
        case 0: actions = instance.on(Started{}, now); break;
        case 1:
        case 2:
          actions = instance.on(advert_from(pick(2) ? "192.0.2.1" : "192.0.2.3", static_cast<std::uint8_t>(pick(256)),
                                            config.version, Centiseconds{1 + pick(300)}),
                                now);
          break;
        case 3:
        case 4:
          if (instance.next_deadline() && *instance.next_deadline() <= now) actions = instance.on(TimerFired{}, now);
          break;
        case 5: actions = instance.on(TrackStateChanged{pick(101) - 50, pick(6) == 0}, now); break;
        case 6: actions = instance.on(InterfaceChanged{pick(5) != 0, ip("192.0.2.2")}, now); break;
        case 7:
          if (!kernel.unanswered.empty()) {
            const auto request =
                kernel.unanswered[static_cast<std::size_t>(pick(static_cast<int>(kernel.unanswered.size())))];
            std::erase(kernel.unanswered, request);
            actions = instance.on(VipsAdded{request, pick(8) != 0, {}}, now);
          }
          break;
        case 8: {
          InstanceConfig changed = config;
          changed.priority = static_cast<std::uint8_t>(1 + pick(254));
          if (pick(2)) changed.vips.push_back(prefix("192.0.2.51/24"));
          actions = instance.reconfigure(changed, now);
          break;
        }
        case 9:
          if (pick(20) == 0) {
            actions = instance.on(StopRequested{}, now);
            stopped = true;
          }
          break;
      }
      run_kernel(kernel, actions);
      for (const auto& action : actions) {
        if (const auto* send = std::get_if<SendAdvert>(&action)) {
          CHECK(send->advert.vrid == config.vrid);
          CHECK(send->advert.version == config.version);
        }
      }
      // Only a master holds addresses; a reported master holds them and is not waiting for the kernel.
      const State state = instance.state();
      seen_master += instance.reported_state() == State::kMaster ? 1 : 0;
      seen_fault += state == State::kFault ? 1 : 0;
      seen_vip_failure += instance.faults().has(FaultReason::kVipsFailed) ? 1 : 0;
      if (state != State::kMaster) CHECK(kernel.held.empty());
      if (instance.reported_state() == State::kMaster) {
        CHECK(state == State::kMaster);
        CHECK_FALSE(instance.vips_pending());
      }
      // Every state has the deadline it needs, and only those.
      const auto& d = instance.deadlines();
      CHECK((state == State::kMaster) == d.advert.has_value());
      CHECK((state == State::kBackup) == d.master_down.has_value());
      if (state == State::kFault) CHECK(instance.faults().any());
      if (state == State::kStop || state == State::kInit) CHECK_FALSE(instance.next_deadline());
    }
  }
  // The streams reach every state often enough for the invariants to mean something.
  MESSAGE("steps as reported MASTER: " << seen_master << ", in FAULT: " << seen_fault);
  CHECK(seen_master > 1000);
  CHECK(seen_fault > 1000);
  CHECK(seen_vip_failure > 10);
}
