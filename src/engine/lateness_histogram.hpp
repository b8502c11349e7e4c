#pragma once
// LatenessHistogram: how late scheduled work happens, as one Prometheus-style histogram with
// fixed bucket bounds (`Bounds::kSeconds`). Used for advert sends (advert_lateness.hpp) and
// vrrp_script starts (Tracking).
//
// One writer thread; readers (the status snapshot) may be on any thread, so the counters are
// atomics written with relaxed load+store (no locked instruction on the writer's path).
#include <array>
#include <atomic>
#include <cstddef>
#include <cstdint>

#include "base/duration.hpp"

namespace vigil::engine {

template <std::size_t Bounds>
struct HistogramSnapshot {
  std::array<double, Bounds> bounds_seconds{};     // upper bounds; a last bucket (+Inf) takes the rest
  std::array<std::uint64_t, Bounds + 1> counts{};  // per bucket (not cumulative)
  std::uint64_t count = 0;
  double sum_seconds = 0;
};

template <class Bounds>
class LatenessHistogram {
 public:
  static constexpr auto kBoundsSeconds = Bounds::kSeconds;
  static constexpr std::size_t kBuckets = kBoundsSeconds.size() + 1;
  using Snapshot = HistogramSnapshot<kBoundsSeconds.size()>;

  // Writer thread only. A negative lateness (early) counts as 0.
  void record(Duration lateness) noexcept {
    const std::int64_t ns = lateness.count() > 0 ? lateness.count() : 0;
    std::size_t bucket = 0;
    while (bucket < kBoundsNanoseconds.size() && ns > kBoundsNanoseconds[bucket]) ++bucket;
    bump(buckets_[bucket], 1);
    bump(sum_ns_, static_cast<std::uint64_t>(ns));
  }

  [[nodiscard]] Snapshot snapshot() const noexcept {
    Snapshot out;
    out.bounds_seconds = kBoundsSeconds;
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
