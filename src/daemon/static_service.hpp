#pragma once
// StaticService: the config's static_ipaddress / static_routes / static_rules for the daemon
// (engine/static_network.hpp), on the main loop. Starts before and stops after the services it
// wraps (VRRP), since virtual routes may rely on static addresses.
#include <memory>

#include "daemon/daemon.hpp"
#include "engine/static_network.hpp"

namespace vigil::daemon {

class StaticService {
 public:
  StaticService() = default;
  StaticService(const StaticService&) = delete;
  StaticService& operator=(const StaticService&) = delete;

  // Wraps the hooks already installed (see hook_chain.hpp).
  void install(DaemonHooks& hooks);

 private:
  rt::Task<Result<void>> start(const config::Config& config);
  rt::Task<Result<void>> reload(const config::Config& next);
  rt::Task<void> stop();

  std::unique_ptr<engine::StaticNetwork> network_;
  bool keep_on_stop_ = false;
};

}  // namespace vigil::daemon
