#include "daemon/static_service.hpp"

#include "daemon/hook_chain.hpp"
#include "sys/log.hpp"

namespace vigil::daemon {

void StaticService::install(DaemonHooks& hooks) {
  DaemonHooks mine;
  mine.start = [this](asio::io_context&, const SharedConfig& config) { return start(*config); };
  mine.reload = [this](const SharedConfig&, const SharedConfig& next) { return reload(*next); };
  mine.stop = [this] { return stop(); };
  wrap_hooks(hooks, std::move(mine));
}

rt::Task<Result<void>> StaticService::start(const config::Config& config) {
  keep_on_stop_ = config.global.static_keep_on_stop;
  auto set = engine::static_set_of(config);
  // Nothing to keep: no netlink sockets until a reload brings a first entry.
  if (set == engine::StaticSet{}) co_return Result<void>{};
  auto network = co_await engine::StaticNetwork::start(std::move(set));
  if (!network) co_return fail(std::move(network.error()));
  network_ = std::move(*network);
  co_return Result<void>{};
}

rt::Task<Result<void>> StaticService::reload(const config::Config& next) {
  keep_on_stop_ = next.global.static_keep_on_stop;
  auto set = engine::static_set_of(next);
  if (!network_) {
    if (set == engine::StaticSet{}) co_return Result<void>{};
    auto network = co_await engine::StaticNetwork::start(std::move(set));
    // The other services have already taken the new config: a static entry that cannot be
    // applied is logged, not a reason to pretend the reload did not happen.
    if (!network) {
      sys::log_error("static entries: {}", network.error().to_string());
      co_return Result<void>{};
    }
    network_ = std::move(*network);
    co_return Result<void>{};
  }
  co_await network_->reload(std::move(set));
  co_return Result<void>{};
}

rt::Task<void> StaticService::stop() {
  if (!network_) co_return;
  co_await network_->stop(keep_on_stop_);
  network_.reset();
}

}  // namespace vigil::daemon
