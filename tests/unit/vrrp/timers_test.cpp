// Timer arithmetic: Skew_Time and Master_Down_Interval (RFC 3768 §6.1, RFC 5798 §6.1).
#include "vrrp/timers.hpp"

#include <doctest/doctest.h>

using namespace vigil;
using namespace vigil::vrrp;
using std::chrono::microseconds;

TEST_CASE("timers: skew and master-down interval") {
  struct Row {
    Version version;
    std::uint8_t priority;
    Centiseconds interval;
    microseconds skew;
    microseconds down;
  };
  const Row rows[] = {
      // v2: (256 - p) / 256 s whatever the interval
      {Version::kV2, 100, Centiseconds{100}, microseconds{609375}, microseconds{3609375}},
      {Version::kV2, 255, Centiseconds{100}, microseconds{3906}, microseconds{3003906}},
      {Version::kV2, 1, Centiseconds{300}, microseconds{996093}, microseconds{9996093}},
      // v3: (256 - p) * interval / 256
      {Version::kV3, 100, Centiseconds{100}, microseconds{609375}, microseconds{3609375}},
      {Version::kV3, 100, Centiseconds{10}, microseconds{60937}, microseconds{360937}},
      {Version::kV3, 254, Centiseconds{4095}, microseconds{319921}, microseconds{123169921}},
  };
  for (const auto& row : rows) {
    CAPTURE(static_cast<int>(row.priority));
    CHECK(skew_time(row.version, row.priority, row.interval) == row.skew);
    CHECK(master_down_interval(row.version, row.priority, row.interval) == row.down);
  }
  CHECK(master_down_interval(Version::kV3, 100, Centiseconds{100}, 5) == microseconds{5609375});
}

TEST_CASE("timers: an advert's master-down timer counts from its arrival, at most 5 ms back") {
  using std::chrono::milliseconds;
  const TimePoint now = TimePoint{} + std::chrono::seconds(100);
  CHECK(heard_at(std::nullopt, now) == now);                               // no kernel stamp
  CHECK(heard_at(now - microseconds{80}, now) == now - microseconds{80});  // the daemon's wake-up
  CHECK(heard_at(now - kArrivalBackdateLimit, now) == now - kArrivalBackdateLimit);
  CHECK(heard_at(now - milliseconds{400}, now) == now - kArrivalBackdateLimit);  // queued through a stall
  CHECK(heard_at(now + microseconds{3}, now) == now);                            // never in the future
  CHECK(kArrivalBackdateLimit < master_down_interval(Version::kV3, 254, Centiseconds{1}));
}
