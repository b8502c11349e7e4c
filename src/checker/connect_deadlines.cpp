#include "checker/connect_deadlines.hpp"

namespace vigil::checker {

ConnectDeadlines::Watch::Watch(ConnectDeadlines& owner, asio::ip::tcp::socket& socket, TimePoint deadline)
    : owner_(&owner), socket_(&socket), deadline_(deadline) {
  owner_->link(*this);
}

ConnectDeadlines::Watch::~Watch() {
  if (linked_) owner_->unlink(*this);
}

std::shared_ptr<ConnectDeadlines> ConnectDeadlines::create(asio::any_io_executor executor) {
  return std::make_shared<ConnectDeadlines>(std::move(executor));
}

void ConnectDeadlines::stop() {
  stopped_ = true;
  armed_ = false;
  timer_.cancel();
}

void ConnectDeadlines::link(Watch& watch) {
  if (stopped_) return;
  // Probes of one connect_timeout arrive in deadline order, so this walk usually stops at once.
  Watch* before = latest_;
  while (before && before->deadline_ > watch.deadline_) before = before->earlier_;
  watch.earlier_ = before;
  watch.later_ = before ? before->later_ : earliest_;
  (watch.later_ ? watch.later_->earlier_ : latest_) = &watch;
  (before ? before->later_ : earliest_) = &watch;
  watch.linked_ = true;
  ++watching_;
  if (earliest_ == &watch) arm(watch.deadline_);
}

void ConnectDeadlines::unlink(Watch& watch) {
  (watch.earlier_ ? watch.earlier_->later_ : earliest_) = watch.later_;
  (watch.later_ ? watch.later_->earlier_ : latest_) = watch.earlier_;
  watch.earlier_ = watch.later_ = nullptr;
  watch.linked_ = false;
  --watching_;
  // The timer stays armed: waking for a watch that is gone costs less than re-arming on every connect.
}

void ConnectDeadlines::arm(TimePoint at) {
  if (stopped_ || (armed_ && armed_at_ <= at)) return;
  armed_ = true;
  armed_at_ = at;
  timer_.expires_at(at);  // a wait already pending ends with operation_aborted and is ignored
  timer_.async_wait([weak = weak_from_this()](const asio::error_code& ec) {
    if (ec) return;
    if (auto self = weak.lock()) {
      self->armed_ = false;
      self->expire_due();
    }
  });
}

void ConnectDeadlines::expire_due() {
  const TimePoint now = Clock::now();
  while (earliest_ && earliest_->deadline_ <= now) {
    Watch& due = *earliest_;
    unlink(due);
    due.expired_ = true;
    asio::error_code ignored;
    due.socket_->cancel(ignored);  // its connect completes with operation_aborted
  }
  if (earliest_) arm(earliest_->deadline_);
}

}  // namespace vigil::checker
