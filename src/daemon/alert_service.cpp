#include "daemon/alert_service.hpp"

#include <fmt/ranges.h>

#include "daemon/hook_chain.hpp"
#include "sys/log.hpp"

namespace vigil::daemon {

void AlertService::install(DaemonHooks& hooks) {
  DaemonHooks mine;
  mine.start = [this](asio::io_context& main, const SharedConfig& config) -> rt::Task<Result<void>> {
    mailer_ = std::make_unique<engine::Mailer>(main.get_executor());
    configure(config->global);
    target_.store(mailer_.get());
    co_return Result<void>{};
  };
  mine.reload = [this](const SharedConfig&, const SharedConfig& next) -> rt::Task<Result<void>> {
    if (mailer_) configure(next->global);
    co_return Result<void>{};
  };
  mine.stop = [this]() -> rt::Task<void> {
    if (!mailer_) co_return;
    // Later posts are dropped here; the mailer stays allocated for a post already past this check.
    target_.store(nullptr);
    co_await mailer_->stop();
  };
  wrap_hooks(hooks, std::move(mine));
}

void AlertService::configure(const config::GlobalConfig& global) {
  auto settings = engine::mailer_settings(global, engine::local_hostname());
  if (settings.server && !settings.recipients.empty()) {
    sys::log_info("email alerts to {} via {}:{} (from {})", fmt::join(settings.recipients, ", "), settings.server->host,
                  settings.server->port, settings.from);
  } else if (settings.server || !settings.recipients.empty()) {
    sys::log_warning("email alerts off: {} is not set", settings.server ? "notification_email" : "smtp_server");
  }
  mailer_->configure(std::move(settings));
}

void AlertService::post_vrrp_alert(engine::VrrpAlert alert) {
  if (auto* mailer = target_.load()) mailer->post_vrrp_alert(std::move(alert));
}

void AlertService::on_vrrp_state(const engine::VrrpAlert& state) {
  if (state_listener_) state_listener_(state);
}

void AlertService::post_checker_alert(engine::CheckerAlert alert) {
  if (auto* mailer = target_.load()) mailer->post_checker_alert(std::move(alert));
}

}  // namespace vigil::daemon
