#include "checker/probe_limiter.hpp"

#include <algorithm>

namespace vigil::checker {

rt::Task<bool> ProbeLimiter::acquire() {
  if (try_acquire()) co_return true;
  auto waiter = std::make_shared<Waiter>(executor_);
  waiter->timer.expires_at(asio::steady_timer::time_point::max());
  waiters_.push_back(waiter);
  // release() hands its slot over by marking us granted and cancelling the timer.
  auto [ec] = co_await waiter->timer.async_wait(rt::use_nothrow);
  (void)ec;
  if (waiter->granted) co_return true;
  waiters_.erase(std::remove(waiters_.begin(), waiters_.end(), waiter), waiters_.end());
  co_return false;
}

void ProbeLimiter::release() {
  if (!waiters_.empty()) {
    auto next = waiters_.front();
    waiters_.pop_front();
    next->granted = true;
    next->timer.cancel();
    return;
  }
  --in_use_;
}

}  // namespace vigil::checker
