// wrap_hooks: a reload is prepared by every service before any service applies it, so a refusal
// found at run time by an outer service (the load balancer: no IPVS) leaves the inner ones (VRRP)
// untouched.
#include "daemon/hook_chain.hpp"

#include <doctest/doctest.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/use_future.hpp>
#include <string>
#include <system_error>
#include <vector>

using namespace vigil;
using vigil::daemon::DaemonHooks;

namespace {

DaemonHooks service(const std::string& name, std::vector<std::string>& log, bool refuse_prepare) {
  DaemonHooks hooks;
  hooks.prepare_reload = [name, &log, refuse_prepare](const daemon::SharedConfig&,
                                                      const daemon::SharedConfig&) -> rt::Task<Result<void>> {
    log.push_back(name + " prepare");
    if (refuse_prepare) co_return fail(make_error(std::errc::operation_not_supported, name + " cannot"));
    co_return Result<void>{};
  };
  hooks.reload = [name, &log](const daemon::SharedConfig&, const daemon::SharedConfig&) -> rt::Task<Result<void>> {
    log.push_back(name + " reload");
    co_return Result<void>{};
  };
  return hooks;
}

// What the daemon does on SIGHUP: prepare everything, then reload.
Result<void> reload(DaemonHooks& hooks) {
  asio::io_context io;
  const auto config = std::make_shared<const daemon::ConfigModel>();
  auto run = [&]() -> rt::Task<Result<void>> {
    auto ready = co_await hooks.prepare_reload(config, config);
    if (!ready) co_return ready;
    co_return co_await hooks.reload(config, config);
  };
  auto future = asio::co_spawn(io, run(), asio::use_future);
  io.run();
  return future.get();
}

}  // namespace

TEST_CASE("hook chain: every service prepares before any reloads, inner first") {
  std::vector<std::string> log;
  DaemonHooks hooks = service("vrrp", log, false);
  daemon::wrap_hooks(hooks, service("lb", log, false));
  CHECK(reload(hooks));
  CHECK(log == std::vector<std::string>{"vrrp prepare", "lb prepare", "vrrp reload", "lb reload"});
}

TEST_CASE("hook chain: an outer service refusing in prepare leaves the inner one unreloaded") {
  std::vector<std::string> log;
  DaemonHooks hooks = service("vrrp", log, false);
  daemon::wrap_hooks(hooks, service("lb", log, true));
  const auto result = reload(hooks);
  REQUIRE_FALSE(result);
  CHECK(result.error().to_string().find("lb cannot") != std::string::npos);
  CHECK(log == std::vector<std::string>{"vrrp prepare", "lb prepare"});
}
