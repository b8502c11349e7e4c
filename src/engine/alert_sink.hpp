#pragma once
// Where the engine (and, later, the load-balancer checkers) post email alerts. The engine only
// calls post_*; the implementation (engine/mailer.hpp) queues the alert and sends it from the
// daemon's main loop, so posting never blocks and never runs SMTP on the VRRP thread.
#include <cstdint>
#include <ctime>
#include <string>

namespace vigil::engine {

struct VrrpAlert {
  bool group = false;  // a sync group rather than an instance
  std::string name;
  std::string state;  // MASTER, BACKUP, FAULT
  std::uint8_t priority = 0;
  std::time_t when = 0;  // wall clock, seconds
};

struct CheckerAlert {
  std::string virtual_server;  // "[192.0.2.100]:tcp:80" (config::display_name)
  std::string real_server;     // "[198.51.100.11]:tcp:8080"
  bool up = false;
  std::string reason;  // what the checker saw: "HTTP status 503", "connect timed out"
  std::time_t when = 0;
};

class AlertSink {
 public:
  virtual ~AlertSink() = default;
  // Any thread; returns at once. Ignored when the alert's smtp_alert is off is the caller's
  // business: post only what should be mailed.
  virtual void post_vrrp_alert(VrrpAlert alert) = 0;
  // For real servers going up or down (smtp_alert of the virtual/real server).
  virtual void post_checker_alert(CheckerAlert alert) = 0;
  // Every state an instance or sync group reports (MASTER, BACKUP, FAULT, STOP), mailed or not,
  // from the notifier's executor (the main loop): for what follows VRRP states (ha_suspend).
  virtual void on_vrrp_state(const VrrpAlert& state) { (void)state; }
};

}  // namespace vigil::engine
