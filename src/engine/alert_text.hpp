#pragma once
// Subject and body of alert mails, and the bounded queue they wait in. Pure: no I/O, no clock
// (each alert carries its time), unit-tested.
#include <cstddef>
#include <deque>
#include <string>

#include "engine/alert_sink.hpp"

namespace vigil::engine {

struct AlertText {
  std::string subject;
  std::string body;
};

// "[lb1] VRRP Instance VI_1 - Entering MASTER state"; the body repeats it with the priority and
// the time (UTC) the transition happened.
[[nodiscard]] AlertText vrrp_alert_text(const std::string& router_id, const VrrpAlert& alert);
// "[lb1] Realserver 198.51.100.11:8080 of 192.0.2.100:80 TCP - DOWN"
[[nodiscard]] AlertText checker_alert_text(const std::string& router_id, const CheckerAlert& alert);

// Alerts waiting for the SMTP server, oldest first. A full queue refuses the newest alert (the
// order of what was queued stays intact) and counts it, so a flapping instance cannot grow it.
class AlertQueue {
 public:
  explicit AlertQueue(std::size_t capacity) : capacity_(capacity) {}
  // false (and one more dropped) when full.
  bool push(AlertText alert);
  [[nodiscard]] bool empty() const { return queue_.empty(); }
  [[nodiscard]] std::size_t size() const { return queue_.size(); }
  [[nodiscard]] const AlertText& front() const { return queue_.front(); }
  void pop() { queue_.pop_front(); }
  // Alerts dropped since the last call (for one log line per burst).
  [[nodiscard]] std::size_t take_dropped();
  [[nodiscard]] std::size_t dropped_total() const { return dropped_total_; }

 private:
  std::size_t capacity_;
  std::deque<AlertText> queue_;
  std::size_t dropped_ = 0;
  std::size_t dropped_total_ = 0;
};

}  // namespace vigil::engine
