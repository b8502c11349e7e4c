#pragma once
// Tracking: runs every tracked object of a config (vrrp_script, track_file, track_process,
// track_interface) and turns their results into one TrackStateChanged per instance. The weight
// semantics and rise/fall are the pure ones of src/track; this file only polls and routes.
//
// Scripts, files and processes are polled on the slow executor; interface states arrive from
// the netlink monitor on the fast one. Every change is posted to the fast executor, where the
// per-instance summary is computed and handed to `on_change`.
#include <array>
#include <asio/any_io_executor.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "engine/lateness_histogram.hpp"
#include "engine/notifier.hpp"
#include "engine/reload_plan.hpp"
#include "rt/tokens.hpp"
#include "track/tracker.hpp"
#include "vrrp/events.hpp"

namespace vigil::engine {

struct TrackerChange {
  std::string instance;
  vrrp::TrackStateChanged state;
};

// One polled vrrp_script as the status document, the dump and /metrics show it. Kept where the
// script runs (the slow executor), so reading it never touches the VRRP thread.
struct ScriptStatus {
  std::string name;
  bool up = true;         // the rise/fall verdict (keepalived's GOOD / BAD)
  bool running = false;   // a run is in progress
  bool disabled = false;  // refused by its user lookup or script security: never runs
  std::uint64_t runs = 0;
  std::uint64_t failures = 0;  // runs that did not exit 0, timeouts included
  std::uint64_t timeouts = 0;
  Duration last_duration{};
  std::optional<TimePoint> last_run;  // start of the last finished run
  std::optional<TimePoint> next_run;  // start of the next one (unset while one runs)
};

// vrrp_script start lateness (/metrics: vigil_script_start_lateness_seconds): when the child had
// exec'ed minus when the run was scheduled, over every run of every script.
struct ScriptLatenessBounds {
  static constexpr std::array<double, 9> kSeconds{0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.5, 1};
};
using ScriptLateness = LatenessHistogram<ScriptLatenessBounds>;

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
  // Fast executor, on reload: takes the new config. Unchanged trackers keep their poller, their
  // rise/fall history and their last status; changed and new ones start afresh, removed ones
  // stop. `kept` maps each instance that keeps running to its old name: only those whose summary
  // really changes are told (through `on_change`), new instances get their first summary.
  void reload(const config::Config& config, const std::vector<TrackerPlan>& trackers,
              const std::map<std::string, std::string>& kept);
  // Stops the pollers; resolves when they have finished.
  rt::Task<void> stop();
  // Slow executor only: every vrrp_script being polled, by name. A script unchanged by a reload
  // keeps its counters.
  [[nodiscard]] std::vector<ScriptStatus> scripts() const;
  // Slow executor only (the single writer's thread, like scripts()).
  [[nodiscard]] ScriptLateness::Snapshot script_lateness() const;

 private:
  struct State;
  struct Poller;
  // Fast executor: a tracked object changed; re-summarizes only the instances that use it.
  void update(track::TrackerKind kind, const std::string& name, track::TrackerStatus status);
  // Fast executor: (re)builds the per-instance objects from `config`, keeping the last status of
  // the trackers not in `fresh`.
  void build(const config::Config& config, const std::set<std::pair<track::TrackerKind, std::string>>& fresh);
  // Starts the pollers of `keys`; their scripts' first runs spread over their first interval.
  void start_pollers(const std::vector<std::pair<track::TrackerKind, std::string>>& keys);
  void start_poller(track::TrackerKind kind, const std::string& name, TimePoint first_run);
  void stop_poller(track::TrackerKind kind, const std::string& name);
  rt::Task<void> run_script(std::shared_ptr<State> state, std::shared_ptr<Poller> poller, config::VrrpScript script,
                            bool script_security, TimePoint first_run);
  rt::Task<void> poll_file(std::shared_ptr<State> state, std::shared_ptr<Poller> poller, config::TrackFile file);
  rt::Task<void> poll_process(std::shared_ptr<State> state, std::shared_ptr<Poller> poller,
                              config::TrackProcess process);
  // Slow executor: hands a new status to update() on the fast one (unless the poller was retired).
  void post(const std::shared_ptr<Poller>& poller, track::TrackerKind kind, const std::string& name,
            track::TrackerStatus status);

  std::shared_ptr<State> state_;
};

}  // namespace vigil::engine
