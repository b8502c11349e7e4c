#pragma once
// Composing several services into one DaemonHooks: each service adds its own hooks around those
// already installed, so main.cpp decides the order and no service knows about another.
#include <utility>

#include "daemon/daemon.hpp"

namespace vigil::daemon {

// `outer` starts before what `hooks` already holds and stops after it (the way a lower layer
// wraps the ones that rely on it), and is stopped again if they fail to start; on reload the
// inner hook decides first, so a reload it refuses never reaches `outer`. Dumps are left to the
// inner hook when `outer` has none; status queries of both are merged (`outer`'s keys win). A new DaemonHooks member
// must be carried over here too (everything not named is dropped).
inline void wrap_hooks(DaemonHooks& hooks, DaemonHooks outer) {
  auto inner = std::move(hooks);
  hooks.start = [inner_start = inner.start, outer_start = outer.start, outer_stop = outer.stop](
                    asio::io_context& context, const SharedConfig& config) -> rt::Task<Result<void>> {
    if (outer_start) {
      if (auto started = co_await outer_start(context, config); !started) co_return started;
    }
    if (!inner_start) co_return Result<void>{};
    auto started = co_await inner_start(context, config);
    // The daemon runs no stop hook after a failed start: undo what `outer` did here.
    if (!started && outer_stop) co_await outer_stop();
    co_return started;
  };
  hooks.reload = [inner_reload = inner.reload, outer_reload = outer.reload](
                     const SharedConfig& current, const SharedConfig& next) -> rt::Task<Result<void>> {
    if (inner_reload) {
      if (auto applied = co_await inner_reload(current, next); !applied) co_return applied;
    }
    if (outer_reload) co_return co_await outer_reload(current, next);
    co_return Result<void>{};
  };
  hooks.prepare_reload = [inner_prepare = inner.prepare_reload, outer_prepare = outer.prepare_reload](
                             const SharedConfig& current, const SharedConfig& next) -> rt::Task<Result<void>> {
    if (inner_prepare) {
      if (auto ready = co_await inner_prepare(current, next); !ready) co_return ready;
    }
    if (outer_prepare) co_return co_await outer_prepare(current, next);
    co_return Result<void>{};
  };
  hooks.stop = [inner_stop = inner.stop, outer_stop = outer.stop]() -> rt::Task<void> {
    if (inner_stop) co_await inner_stop();
    if (outer_stop) co_await outer_stop();
  };
  hooks.dump = outer.dump ? outer.dump : inner.dump;
  if (inner.query && outer.query) {
    // Each service answers for its own keys ("vrrp_instances", "virtual_servers" ...): merged.
    hooks.query = [inner_query = inner.query, outer_query = outer.query]() -> rt::Task<nlohmann::json> {
      nlohmann::json document = co_await inner_query();
      nlohmann::json mine = co_await outer_query();
      if (!document.is_object()) document = nlohmann::json::object();
      if (mine.is_object()) document.update(mine);
      co_return document;
    };
  } else {
    hooks.query = outer.query ? outer.query : inner.query;
  }
}

}  // namespace vigil::daemon
