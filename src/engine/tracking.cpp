#include "engine/tracking.hpp"

#include <algorithm>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <atomic>
#include <charconv>
#include <filesystem>
#include <fstream>
#include <set>

#include "sys/log.hpp"
#include "sys/process.hpp"
#include "sys/script_security.hpp"
#include "sys/user.hpp"
#include "track/rise_fall.hpp"
#include "track/script_schedule.hpp"

namespace vigil::engine {

namespace {

constexpr auto kPollInterval = std::chrono::seconds(1);  // track_file and track_process
// How long a stop waits for the pollers to end. A vrrp_script run in flight is cancelled, which
// kills its process group and reaps it (sys::run), so this is only a bound on the unexpected.
constexpr auto kStopWaitForScripts = std::chrono::seconds(3);

using track::TrackerKind;
using TrackerKey = std::pair<TrackerKind, std::string>;

// A reference's weight overrides the object's own; `reverse` on either flips it.
template <class Object>
track::TrackerConfig tracker_for(TrackerKind kind, const config::TrackRef& ref, const Object& object) {
  return track::TrackerConfig{ref.name, kind, ref.weight.value_or(object.weight), ref.reverse || object.reverse};
}

vrrp::TrackStateChanged to_event(const track::TrackSummary& summary) {
  return vrrp::TrackStateChanged{summary.weight, summary.fault};
}

// The program a command runs, for script security: only an absolute path can be checked.
std::optional<std::string> program_path(const config::Command& command) {
  const auto argv = command.exec_argv();
  if (argv.empty() || argv.front().empty() || argv.front().front() != '/') return std::nullopt;
  return argv.front();
}

bool process_matches(const config::TrackProcess& process, const std::filesystem::path& proc_entry) {
  std::vector<std::string> argv;
  {
    std::ifstream in(proc_entry / "cmdline", std::ios::binary);
    std::string arg;
    while (std::getline(in, arg, '\0')) argv.push_back(arg);
  }
  if (process.full_command) {
    if (argv.empty() || argv.front() != process.process) return false;
  } else {
    std::ifstream in(proc_entry / "comm");
    std::string comm;
    std::getline(in, comm);
    if (comm != process.process.substr(0, 15)) return false;  // comm is cut at 15 characters
  }
  if (!process.parameters) return true;
  const std::vector<std::string> args(argv.empty() ? argv.end() : argv.begin() + 1, argv.end());
  const auto& want = *process.parameters;
  switch (process.param_match) {
    case config::ParamMatch::kExact: return args == want;
    case config::ParamMatch::kInitial:
      return args.size() >= want.size() && std::equal(want.begin(), want.end(), args.begin());
    case config::ParamMatch::kPartial:
      return std::search(args.begin(), args.end(), want.begin(), want.end()) != args.end();
  }
  return false;
}

std::uint32_t count_processes(const config::TrackProcess& process) {
  std::uint32_t count = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", ec)) {
    const auto name = entry.path().filename().string();
    if (name.empty() || name.find_first_not_of("0123456789") != std::string::npos) continue;
    if (process_matches(process, entry.path())) ++count;
  }
  return count;
}

std::int64_t read_track_file(const std::string& path) {
  std::ifstream in(path);
  std::string text;
  if (!in || !std::getline(in, text)) return 0;  // keepalived: an unreadable file counts as 0
  const auto start = text.find_first_not_of(" \t");
  if (start == std::string::npos) return 0;
  std::int64_t value = 0;
  std::from_chars(text.data() + start, text.data() + text.size(), value);
  return value;
}

}  // namespace

// One running poller (script, file or process). Retired on reload or stop: `stopping` is set on
// the fast executor, so a status it posts after that is dropped there; then, on the slow executor
// that owns the coroutine, `cancel` ends it wherever it waits: a script it runs is killed and
// reaped, not left to finish (or to outlive vigild).
struct Tracking::Poller {
  std::atomic<bool> stopping{false};
  asio::cancellation_signal cancel;  // slow executor
};

// What the pollers run: the tracked objects' definitions only, not a copy of the whole config
// (with 1000 instances that copy alone was ~1.7 MB).
struct TrackedDefinitions {
  std::map<std::string, config::VrrpScript> vrrp_script;
  std::map<std::string, config::TrackFile> track_file;
  std::map<std::string, config::TrackProcess> track_process;
  bool script_security = false;

  explicit TrackedDefinitions(const config::Config& config)
      : vrrp_script(config.vrrp_script),
        track_file(config.track_file),
        track_process(config.track_process),
        script_security(config.global.script_security) {}
};

struct Tracking::State {
  explicit State(const config::Config& config) : definitions(config) {}
  TrackedDefinitions definitions;  // fast side
  asio::any_io_executor fast;
  asio::any_io_executor slow;
  ScriptIdentity identity;
  ChangeHandler on_change;
  // Fast side: each instance's tracked objects with their last status, and which instances use
  // which object, so a change re-summarizes only those.
  std::map<std::string, std::vector<track::TrackedObject>> objects;  // by instance
  std::map<TrackerKey, std::vector<std::pair<std::string, std::size_t>>> users;
  std::map<std::string, track::TrackSummary> reported;
  std::map<TrackerKey, track::TrackerStatus> last_status;  // survives a reload
  std::map<TrackerKey, std::shared_ptr<Poller>> pollers;
  bool started = false;
  // Slow side: the scripts' own view, with the poller that owns each entry (a retired poller's
  // entry is skipped, and replaced when a reload restarts the script).
  std::map<std::string, std::pair<std::shared_ptr<Poller>, std::shared_ptr<ScriptStatus>>> scripts;
  ScriptLateness lateness;
  // Both sides.
  std::atomic<bool> stopping{false};
  std::atomic<std::size_t> running{0};
};

Tracking::Tracking(const config::Config& config, asio::any_io_executor fast, asio::any_io_executor slow,
                   ScriptIdentity identity, ChangeHandler on_change)
    : state_(std::make_shared<State>(config)) {
  auto& s = *state_;
  s.fast = std::move(fast);
  s.slow = std::move(slow);
  s.identity = identity;
  s.on_change = std::move(on_change);
  build(config, {});
}

void Tracking::build(const config::Config& config, const std::set<TrackerKey>& fresh) {
  auto& s = *state_;
  s.objects.clear();
  s.users.clear();
  // Before the first poll: scripts are up unless init_fail, processes up, files as they read now.
  auto status_of = [&](const track::TrackerConfig& tracker) {
    const TrackerKey key{tracker.kind, tracker.name};
    if (const auto last = s.last_status.find(key); last != s.last_status.end() && fresh.count(key) == 0) {
      return last->second;
    }
    track::TrackerStatus status;
    if (tracker.kind == TrackerKind::kScript) status.up = !config.vrrp_script.at(tracker.name).init_fail;
    if (tracker.kind == TrackerKind::kFile)
      status.file_value = read_track_file(config.track_file.at(tracker.name).file);
    s.last_status[key] = status;
    return status;
  };
  std::map<std::string, const config::VrrpSyncGroup*> group_of;
  for (const auto& [name, group] : config.vrrp_sync_group) {
    for (const auto& member : group.group) group_of[member] = &group;
  }
  auto add_objects = [&](const std::string& instance, const auto& owner) {
    std::vector<track::TrackerConfig> trackers;
    for (const auto& ref : owner.track_script) {
      trackers.push_back(tracker_for(TrackerKind::kScript, ref, config.vrrp_script.at(ref.name)));
    }
    for (const auto& ref : owner.track_file) {
      trackers.push_back(tracker_for(TrackerKind::kFile, ref, config.track_file.at(ref.name)));
    }
    for (const auto& ref : owner.track_process) {
      trackers.push_back(tracker_for(TrackerKind::kProcess, ref, config.track_process.at(ref.name)));
    }
    for (const auto& ref : owner.track_interface) {
      trackers.push_back(track::TrackerConfig{ref.name, TrackerKind::kInterface, ref.weight.value_or(0), ref.reverse});
    }
    if (trackers.empty()) return;  // untracked instances get no entry (1000 instances: 1000 entries)
    auto& objects = s.objects[instance];
    for (auto& tracker : trackers) {
      s.users[{tracker.kind, tracker.name}].emplace_back(instance, objects.size());
      const auto status = status_of(tracker);
      objects.push_back(track::TrackedObject{std::move(tracker), status});
    }
  };
  for (const auto& [name, instance] : config.vrrp_instance) {
    add_objects(name, instance);
    if (const auto group = group_of.find(name); group != group_of.end()) add_objects(name, *group->second);
  }
}

Tracking::~Tracking() { state_->stopping = true; }

std::vector<TrackerChange> Tracking::initial() const {
  std::vector<TrackerChange> out;
  for (const auto& [instance, objects] : state_->objects) {
    if (!objects.empty()) out.push_back({instance, to_event(track::summarize(objects))});
  }
  return out;
}

void Tracking::update(TrackerKind kind, const std::string& name, track::TrackerStatus status) {
  auto& s = *state_;
  s.last_status[{kind, name}] = status;
  const auto users = s.users.find({kind, name});
  if (users == s.users.end()) return;
  for (const auto& [instance, index] : users->second) s.objects[instance][index].status = status;
  for (const auto& [instance, index] : users->second) {
    const auto summary = track::summarize(s.objects[instance]);
    auto& last = s.reported[instance];
    if (summary == last) continue;  // also when an instance uses the object twice
    last = summary;
    s.on_change({instance, to_event(summary)});
  }
}

namespace {

// What runs: keepalived runs only the scripts some instance tracks; files and processes always.
std::set<TrackerKey> wanted_pollers(
    const TrackedDefinitions& config,
    const std::map<TrackerKey, std::vector<std::pair<std::string, std::size_t>>>& users) {
  std::set<TrackerKey> out;
  for (const auto& [key, who] : users) {
    if (key.first == TrackerKind::kScript) out.insert(key);
  }
  for (const auto& [name, file] : config.track_file) out.insert({TrackerKind::kFile, name});
  for (const auto& [name, process] : config.track_process) out.insert({TrackerKind::kProcess, name});
  return out;
}

}  // namespace

void Tracking::start() {
  auto& s = *state_;
  for (const auto& [instance, objects] : s.objects) s.reported[instance] = track::summarize(objects);
  s.started = true;
  const auto wanted = wanted_pollers(s.definitions, s.users);
  start_pollers({wanted.begin(), wanted.end()});
}

void Tracking::start_pollers(const std::vector<TrackerKey>& keys) {
  const auto scripts = static_cast<std::size_t>(
      std::count_if(keys.begin(), keys.end(), [](const TrackerKey& key) { return key.first == TrackerKind::kScript; }));
  const auto now = Clock::now();
  std::size_t position = 0;
  for (const auto& [kind, name] : keys) {
    TimePoint first_run = now;
    if (kind == TrackerKind::kScript) {
      first_run = track::first_script_run(now, state_->definitions.vrrp_script.at(name).interval, position++, scripts);
    }
    start_poller(kind, name, first_run);
  }
}

void Tracking::start_poller(TrackerKind kind, const std::string& name, TimePoint first_run) {
  auto& s = *state_;
  auto poller = std::make_shared<Poller>();
  s.pollers[{kind, name}] = poller;
  rt::Task<void> task = [&]() {
    switch (kind) {
      case TrackerKind::kScript:
        return run_script(state_, poller, s.definitions.vrrp_script.at(name), s.definitions.script_security, first_run);
      case TrackerKind::kFile: return poll_file(state_, poller, s.definitions.track_file.at(name));
      case TrackerKind::kProcess:
      case TrackerKind::kInterface: break;
    }
    return poll_process(state_, poller, s.definitions.track_process.at(name));
  }();
  ++s.running;
  asio::co_spawn(
      s.slow, std::move(task),
      asio::bind_cancellation_slot(poller->cancel.slot(), [state = state_, poller](const std::exception_ptr& error) {
        --state->running;
        // A retired poller's coroutine may end with the cancellation's operation_aborted.
        if (!error || state->stopping || poller->stopping) return;
        try {
          std::rethrow_exception(error);
        } catch (const std::exception& e) {
          sys::log_error("tracker stopped on an internal error: {}", e.what());
        }
      }));
}

void Tracking::stop_poller(TrackerKind kind, const std::string& name) {
  auto& s = *state_;
  const auto found = s.pollers.find({kind, name});
  if (found == s.pollers.end()) return;
  auto poller = found->second;
  s.pollers.erase(found);
  poller->stopping = true;
  asio::post(s.slow, [poller] { poller->cancel.emit(asio::cancellation_type::terminal); });
}

void Tracking::reload(const config::Config& config, const std::vector<TrackerPlan>& trackers,
                      const std::map<std::string, std::string>& kept) {
  auto& s = *state_;
  std::set<TrackerKey> fresh;
  for (const auto& tracker : trackers) {
    if (tracker.action != ReloadAction::kUnchanged) fresh.insert({tracker.kind, tracker.name});
  }
  s.definitions = TrackedDefinitions(config);
  build(config, fresh);
  auto previous = std::move(s.reported);
  s.reported.clear();
  for (const auto& [name, instance] : config.vrrp_instance) {
    const auto objects = s.objects.find(name);
    const auto summary = objects == s.objects.end() ? track::TrackSummary{} : track::summarize(objects->second);
    if (objects != s.objects.end()) s.reported[name] = summary;  // like start(): tracked instances only
    const auto old_name = kept.find(name);
    if (old_name == kept.end()) {
      // A new (or restarted) instance: like initial(), only when something is tracked.
      if (objects != s.objects.end() && !objects->second.empty()) s.on_change({name, to_event(summary)});
      continue;
    }
    const auto before = previous.find(old_name->second);
    const auto had = before == previous.end() ? track::TrackSummary{} : before->second;
    if (!(had == summary)) s.on_change({name, to_event(summary)});
  }
  if (!s.started) return;
  const auto wanted = wanted_pollers(s.definitions, s.users);
  std::vector<TrackerKey> retire;
  for (const auto& [key, poller] : s.pollers) {
    if (wanted.count(key) == 0 || fresh.count(key) != 0) retire.push_back(key);
  }
  for (const auto& [kind, name] : retire) stop_poller(kind, name);
  std::vector<TrackerKey> added;
  for (const auto& key : wanted) {
    if (s.pollers.count(key) == 0) added.push_back(key);
  }
  start_pollers(added);
}

void Tracking::interface_changed(const std::string& name, bool up) {
  track::TrackerStatus status;
  status.up = up;
  update(TrackerKind::kInterface, name, status);
}

void Tracking::post(const std::shared_ptr<Poller>& poller, TrackerKind kind, const std::string& name,
                    track::TrackerStatus status) {
  asio::post(state_->fast, [this, state = state_, poller, kind, name, status] {
    if (!state->stopping && !poller->stopping) update(kind, name, status);
  });
}

rt::Task<void> Tracking::run_script(std::shared_ptr<State> state, std::shared_ptr<Poller> poller,
                                    config::VrrpScript script, bool script_security, TimePoint first_run) {
  auto timer = std::make_shared<asio::steady_timer>(state->slow);
  auto stopped = [&] { return state->stopping || poller->stopping; };
  auto status = std::make_shared<ScriptStatus>();
  status->name = script.name;
  status->up = !script.init_fail;
  std::erase_if(state->scripts, [](const auto& entry) { return entry.second.first->stopping.load(); });
  state->scripts[script.name] = {poller, status};
  sys::ScriptOptions options;
  options.timeout = script.timeout;
  options.uid = state->identity.uid;
  options.gid = state->identity.gid;
  if (script.user) {
    const auto ids = sys::lookup_user(*script.user, script.group.value_or(""));
    if (!ids) {
      sys::log_error("vrrp_script {}: user {}: {}; the script is disabled", script.name, *script.user,
                     ids.error().to_string());
      status->disabled = true;
      co_return;
    }
    options.uid = ids->uid;
    options.gid = ids->gid;
  }
  if (script_security) {
    if (const auto program = program_path(script.script)) {
      if (const auto secure = sys::check_script_security(*program); !secure) {
        sys::log_error("vrrp_script {}: {}; the script is disabled", script.name, secure.error().to_string());
        status->disabled = true;
        co_return;
      }
    }
  }
  track::RiseFall history(script.rise, script.fall, script.init_fail);
  const auto argv = script.script.exec_argv();  // built once, not on every run
  TimePoint due = first_run;
  while (!stopped()) {
    status->next_run = due;
    timer->expires_at(due);
    co_await timer->async_wait(rt::use_nothrow);
    if (stopped()) break;
    const auto started = Clock::now();
    status->running = true;
    status->next_run.reset();
    const auto result = co_await sys::run(argv, options);
    if (stopped()) break;
    if (result) state->lateness.record(result->started - due);
    const bool passed = result && result->succeeded();
    status->running = false;
    ++status->runs;
    if (!passed) ++status->failures;
    if (result && result->outcome == sys::ScriptOutcome::TimedOut) ++status->timeouts;
    status->last_duration = result ? result->duration : Clock::now() - started;
    status->last_run = result ? result->started : started;
    if (!result) {
      sys::log_warning("vrrp_script {}: cannot run {}: {}", script.name, script.script.display(),
                       result.error().to_string());
    } else if (!passed) {
      sys::log_debug("vrrp_script {}: {}", script.name, result->describe(script.timeout));
    }
    if (const auto changed = history.record(passed)) {
      if (passed) {
        sys::log_notice(sys::LogFields{{"VIGIL_SCRIPT", script.name}}, "vrrp_script {} succeeded", script.name);
      } else {
        sys::log_notice(sys::LogFields{{"VIGIL_SCRIPT", script.name}}, "vrrp_script {} failed ({})", script.name,
                        result ? result->describe(script.timeout) : result.error().to_string());
      }
      track::TrackerStatus tracker_status;
      tracker_status.up = history.up();
      post(poller, TrackerKind::kScript, script.name, tracker_status);
    }
    status->up = history.up();
    due = track::next_script_run(due, script.interval, Clock::now());
  }
}

rt::Task<void> Tracking::poll_file(std::shared_ptr<State> state, std::shared_ptr<Poller> poller,
                                   config::TrackFile file) {
  auto timer = std::make_shared<asio::steady_timer>(state->slow);
  auto stopped = [&] { return state->stopping || poller->stopping; };
  std::int64_t last = read_track_file(file.file);
  while (!stopped()) {
    timer->expires_after(kPollInterval);
    co_await timer->async_wait(rt::use_nothrow);
    if (stopped()) break;
    const auto value = read_track_file(file.file);
    if (value == last) continue;
    last = value;
    sys::log_notice("track_file {}: {} now holds {}", file.name, file.file, value);
    track::TrackerStatus status;
    status.file_value = value;
    post(poller, TrackerKind::kFile, file.name, status);
  }
}

rt::Task<void> Tracking::poll_process(std::shared_ptr<State> state, std::shared_ptr<Poller> poller,
                                      config::TrackProcess process) {
  auto timer = std::make_shared<asio::steady_timer>(state->slow);
  auto stopped = [&] { return state->stopping || poller->stopping; };
  bool last = true;
  bool first = true;
  while (!stopped()) {
    const auto count = count_processes(process);
    const bool ok = track::process_quorum_up(count, process.quorum, process.quorum_max);
    if (first || ok != last) {
      if (!first) sys::log_notice("track_process {}: {} matching processes", process.name, count);
      last = ok;
      track::TrackerStatus status;
      status.up = ok;
      post(poller, TrackerKind::kProcess, process.name, status);
    }
    first = false;
    timer->expires_after(kPollInterval);
    co_await timer->async_wait(rt::use_nothrow);
  }
}

std::vector<ScriptStatus> Tracking::scripts() const {
  std::vector<ScriptStatus> out;
  if (state_->stopping) return out;
  for (const auto& [name, entry] : state_->scripts) {
    if (!entry.first->stopping) out.push_back(*entry.second);
  }
  return out;
}

ScriptLateness::Snapshot Tracking::script_lateness() const { return state_->lateness.snapshot(); }

rt::Task<void> Tracking::stop() {
  auto state = state_;
  state->stopping = true;
  std::vector<std::shared_ptr<Poller>> pollers;
  for (auto& [key, poller] : state->pollers) pollers.push_back(poller);
  state->pollers.clear();
  // Named, not a temporary inside the co_await: g++ 12 destroys such temporaries twice, and this
  // one owns a shared_ptr (a use-after-free ASan found at stop).
  auto wind_down = [state, pollers]() -> rt::Task<void> {
    for (const auto& poller : pollers) poller->cancel.emit(asio::cancellation_type::terminal);
    // Bounded: the instances release their VIPs only after this, and a run whose completion
    // never arrives (Asio's io_uring backend lost some before rt/asio_impl.cpp corrected it) must
    // not keep them on the interface.
    asio::steady_timer poll(state->slow);
    const auto give_up = std::chrono::steady_clock::now() + kStopWaitForScripts;
    while (state->running > 0 && std::chrono::steady_clock::now() < give_up) {
      poll.expires_after(std::chrono::milliseconds(5));
      co_await poll.async_wait(rt::use_nothrow);
    }
    if (state->running > 0) {
      sys::log_warning("{} vrrp_script run(s) still unfinished {} s after the stop began; not waiting for them",
                       state->running, std::chrono::duration_cast<std::chrono::seconds>(kStopWaitForScripts).count());
    }
  };
  co_await asio::co_spawn(state->slow, wind_down, asio::use_awaitable);
}

}  // namespace vigil::engine
