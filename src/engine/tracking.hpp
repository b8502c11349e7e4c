#pragma once
// Tracking: runs every tracked object of a config (vrrp_script, track_file, track_process,
// track_interface) and turns their results into one TrackStateChanged per instance: the sum of
// the weights that apply now, and whether an unweighted tracker failed (keepalived's semantics,
// keepalived-behaviour.md §2.6).
//
// Scripts, files and processes are polled on the slow executor; interface states arrive from
// the netlink monitor on the fast one. Every change is posted to the fast executor, where the
// per-instance summary is computed and handed to `on_change`.
#include <asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "engine/notifier.hpp"
#include "rt/tokens.hpp"
#include "vrrp/events.hpp"

namespace vigil::engine {

struct TrackerChange {
  std::string instance;
  vrrp::TrackStateChanged state;
};

// The weight semantics as pure functions (also unit-tested on their own).
struct TrackerInput {
  std::int32_t weight = 0;
  bool reverse = false;
};
// A pass/fail tracker (script, process, interface): its contribution to the priority, and
// whether it puts the instance in FAULT (weight 0 and failing; with reverse: succeeding).
struct TrackerEffect {
  int weight = 0;
  bool fault = false;
};
[[nodiscard]] TrackerEffect pass_fail_effect(const TrackerInput& tracker, bool ok);
// A track_file: value × weight (reverse negates); weight 0: a non-zero value (reverse: zero) is a
// FAULT; a total below −253 is a FAULT too.
[[nodiscard]] TrackerEffect file_effect(const TrackerInput& tracker, std::int64_t value);

class Tracking {
 public:
  using ChangeHandler = std::function<void(const TrackerChange&)>;

  Tracking(const config::Config& config, asio::any_io_executor fast, asio::any_io_executor slow,
           ScriptIdentity identity, ChangeHandler on_change);
  ~Tracking();

  // The summary of every instance before any tracker ran (init_fail scripts count as failed).
  [[nodiscard]] std::vector<TrackerChange> initial() const;
  // Starts the pollers on the slow executor.
  void start();
  // Fast executor: an interface went up or down (from the netlink monitor).
  void interface_changed(const std::string& name, bool up);
  // Stops the pollers; resolves when they have finished.
  rt::Task<void> stop();

 private:
  struct State;
  void recompute();
  rt::Task<void> run_script(std::shared_ptr<State> state, config::VrrpScript script);
  rt::Task<void> poll_file(std::shared_ptr<State> state, config::TrackFile file);
  rt::Task<void> poll_process(std::shared_ptr<State> state, config::TrackProcess process);
  void post_script(const std::string& name, bool ok);
  void post_file(const std::string& name, std::int64_t value);
  void post_process(const std::string& name, bool ok);

  std::shared_ptr<State> state_;
};

}  // namespace vigil::engine
