#pragma once
// AlertService: email alerts for the daemon. It is the AlertSink every component posts to (the
// VRRP engine's notifier today; the load-balancer checkers call sink()->post_checker_alert(...)),
// and it forwards to an engine::Mailer that runs on the main loop once the daemon has started.
#include <atomic>
#include <functional>
#include <memory>

#include "daemon/daemon.hpp"
#include "engine/alert_sink.hpp"
#include "engine/mailer.hpp"

namespace vigil::daemon {

class AlertService final : public engine::AlertSink {
 public:
  AlertService() = default;
  AlertService(const AlertService&) = delete;
  AlertService& operator=(const AlertService&) = delete;

  // Wraps the hooks already installed: the mailer starts first and stops last, so the
  // transitions of an orderly stop can still be queued.
  void install(DaemonHooks& hooks);

  // Stable for the service's life; posts before start or after stop are dropped.
  [[nodiscard]] engine::AlertSink* sink() { return this; }

  void post_vrrp_alert(engine::VrrpAlert alert) override;
  void post_checker_alert(engine::CheckerAlert alert) override;
  void on_vrrp_state(const engine::VrrpAlert& state) override;
  // Who else hears every VRRP state (the load balancer's ha_suspend); main loop, set before start.
  void follow_vrrp_states(std::function<void(const engine::VrrpAlert&)> listener) {
    state_listener_ = std::move(listener);
  }

 private:
  void configure(const config::GlobalConfig& global);

  std::unique_ptr<engine::Mailer> mailer_;
  std::atomic<engine::Mailer*> target_{nullptr};
  std::function<void(const engine::VrrpAlert&)> state_listener_;
};

}  // namespace vigil::daemon
