#pragma once
// Bounds how many probes hold sockets or processes at once, so thousands of checkers never run out
// of file descriptors: a probe waits for a slot, in arrival order.
#include <asio/any_io_executor.hpp>
#include <asio/steady_timer.hpp>
#include <cstddef>
#include <deque>
#include <memory>

#include "rt/tokens.hpp"

namespace vigil::checker {

class ProbeLimiter {
 public:
  ProbeLimiter(asio::any_io_executor executor, std::size_t limit) : executor_(std::move(executor)), limit_(limit) {}

  // Takes a free slot without suspending (true), or false when all are taken and acquire() must wait.
  // With thousands of checkers most probes find a slot free; this spares them a coroutine frame.
  [[nodiscard]] bool try_acquire() {
    if (in_use_ >= limit_) return false;
    ++in_use_;
    return true;
  }
  // Resumes holding a slot (true), or false when the wait was cancelled.
  rt::Task<bool> acquire();
  void release();

  [[nodiscard]] std::size_t in_use() const { return in_use_; }
  [[nodiscard]] std::size_t waiting() const { return waiters_.size(); }
  [[nodiscard]] std::size_t limit() const { return limit_; }

 private:
  struct Waiter {
    explicit Waiter(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    bool granted = false;
  };
  asio::any_io_executor executor_;
  std::size_t limit_;
  std::size_t in_use_ = 0;
  std::deque<std::shared_ptr<Waiter>> waiters_;
};

// Holds a slot until destroyed.
class ProbeSlot {
 public:
  explicit ProbeSlot(ProbeLimiter& limiter) : limiter_(&limiter) {}
  ProbeSlot(const ProbeSlot&) = delete;
  ProbeSlot& operator=(const ProbeSlot&) = delete;
  ~ProbeSlot() { limiter_->release(); }

 private:
  ProbeLimiter* limiter_;
};

}  // namespace vigil::checker
