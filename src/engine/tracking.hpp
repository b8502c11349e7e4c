#pragma once
// Tracking: runs every tracked object of a config (vrrp_script, track_file, track_process,
// track_interface) and turns their results into one TrackStateChanged per instance. The weight
// semantics and rise/fall are the pure ones of src/track; this file only polls and routes.
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
#include "track/tracker.hpp"
#include "vrrp/events.hpp"

namespace vigil::engine {

struct TrackerChange {
  std::string instance;
  vrrp::TrackStateChanged state;
};

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
  // Fast executor: a tracked object changed; re-summarizes only the instances that use it.
  void update(track::TrackerKind kind, const std::string& name, track::TrackerStatus status);
  rt::Task<void> run_script(std::shared_ptr<State> state, config::VrrpScript script);
  rt::Task<void> poll_file(std::shared_ptr<State> state, config::TrackFile file);
  rt::Task<void> poll_process(std::shared_ptr<State> state, config::TrackProcess process);
  // Slow executor: hands a new status to update() on the fast one.
  void post(track::TrackerKind kind, const std::string& name, track::TrackerStatus status);

  std::shared_ptr<State> state_;
};

}  // namespace vigil::engine
