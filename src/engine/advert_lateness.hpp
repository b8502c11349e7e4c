#pragma once
// AdvertLateness: how late scheduled adverts leave, as one histogram for the whole engine
// (/metrics: vigil_advert_send_lateness_seconds). Lateness is the time of the sendmsg() minus
// the time the advert was scheduled for: its deadline in the state machine, rounded up to the
// engine's send grid (see VrrpUnit::wake_time), so a healthy engine shows microseconds.
//
// One histogram, not one per instance: 1000 instances would otherwise carry 1000 of them. The
// VRRP thread is the only writer.
#include <array>

#include "engine/lateness_histogram.hpp"

namespace vigil::engine {

struct AdvertLatenessBounds {
  static constexpr std::array<double, 7> kSeconds{0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1};
};
using AdvertLateness = LatenessHistogram<AdvertLatenessBounds>;

}  // namespace vigil::engine
