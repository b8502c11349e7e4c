#pragma once
// AdvertLateness: how late scheduled adverts leave, as one histogram for the whole engine
// (/metrics: vigil_advert_send_lateness_seconds). Lateness is the time of the sendmsg() minus
// the time the advert was scheduled for: its deadline in the state machine, rounded up to the
// engine's send grid (see VrrpUnit::wake_time), so a healthy engine shows microseconds.
//
// One histogram, not one per instance: 1000 instances would otherwise carry 1000 of them. The
// VRRP thread is the only writer; readers (the status snapshot) may be on any thread, so the
// counters are atomics written with relaxed load+store (no locked instruction on the send path).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "base/duration.hpp"

namespace vigil::engine {

class AdvertLateness {
 public:
  // Bucket upper bounds in seconds; a last bucket (+Inf) takes the rest.
  static constexpr std::array<double, 7> kBoundsSeconds{0.0005, 0.001, 0.002, 0.005, 0.01, 0.05, 0.1};
  static constexpr std::size_t kBuckets = kBoundsSeconds.size() + 1;

  struct Snapshot {
    std::array<std::uint64_t, kBuckets> counts{};  // per bucket (not cumulative); the last one is +Inf
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };

  // VRRP thread only. A negative lateness (sent before its slot) counts as 0.
  void record(Duration lateness) noexcept {
    const std::int64_t ns = lateness.count() > 0 ? lateness.count() : 0;
    std::size_t bucket = 0;
    while (bucket < kBoundsNanoseconds.size() && ns > kBoundsNanoseconds[bucket]) ++bucket;
    bump(buckets_[bucket], 1);
    bump(sum_ns_, static_cast<std::uint64_t>(ns));
  }

  [[nodiscard]] Snapshot snapshot() const noexcept {
    Snapshot out;
    for (std::size_t i = 0; i < kBuckets; ++i) {
      out.counts[i] = buckets_[i].load(std::memory_order_relaxed);
      out.count += out.counts[i];
    }
    out.sum_seconds = static_cast<double>(sum_ns_.load(std::memory_order_relaxed)) / 1e9;
    return out;
  }

 private:
  // The same bounds in nanoseconds, derived so the two lists cannot disagree.
  static constexpr std::array<std::int64_t, kBoundsSeconds.size()> kBoundsNanoseconds = [] {
    std::array<std::int64_t, kBoundsSeconds.size()> out{};
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::int64_t>(kBoundsSeconds[i] * 1e9 + 0.5);
    return out;
  }();
  static void bump(std::atomic<std::uint64_t>& counter, std::uint64_t by) noexcept {
    counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
  }

  std::array<std::atomic<std::uint64_t>, kBuckets> buckets_{};
  std::atomic<std::uint64_t> sum_ns_{0};
};

}  // namespace vigil::engine
