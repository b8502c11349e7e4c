#include "engine/tracking.hpp"

#include <algorithm>
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

namespace vigil::engine {

namespace {

constexpr auto kPollInterval = std::chrono::seconds(1);  // track_file and track_process

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

struct Tracking::State {
  config::Config config;
  asio::any_io_executor fast;
  asio::any_io_executor slow;
  ScriptIdentity identity;
  ChangeHandler on_change;
  // Fast side: each instance's tracked objects with their last status, and which instances use
  // which object, so a change re-summarizes only those.
  std::map<std::string, std::vector<track::TrackedObject>> objects;  // by instance
  std::map<TrackerKey, std::vector<std::pair<std::string, std::size_t>>> users;
  std::map<std::string, track::TrackSummary> reported;
  // Slow side.
  std::atomic<bool> stopping{false};
  std::size_t running = 0;
  std::vector<std::shared_ptr<asio::steady_timer>> timers;
};

Tracking::Tracking(const config::Config& config, asio::any_io_executor fast, asio::any_io_executor slow,
                   ScriptIdentity identity, ChangeHandler on_change)
    : state_(std::make_shared<State>()) {
  auto& s = *state_;
  s.config = config;
  s.fast = std::move(fast);
  s.slow = std::move(slow);
  s.identity = identity;
  s.on_change = std::move(on_change);

  // Before the first poll: scripts are up unless init_fail, processes up, files as they read now.
  auto initial_status = [&](const track::TrackerConfig& tracker) {
    track::TrackerStatus status;
    if (tracker.kind == TrackerKind::kScript) status.up = !config.vrrp_script.at(tracker.name).init_fail;
    if (tracker.kind == TrackerKind::kFile)
      status.file_value = read_track_file(config.track_file.at(tracker.name).file);
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
    auto& objects = s.objects[instance];
    for (auto& tracker : trackers) {
      s.users[{tracker.kind, tracker.name}].emplace_back(instance, objects.size());
      const auto status = initial_status(tracker);
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

void Tracking::start() {
  auto& s = *state_;
  for (const auto& [instance, objects] : s.objects) s.reported[instance] = track::summarize(objects);
  // keepalived runs only the scripts some instance tracks.
  std::set<std::string> used_scripts;
  for (const auto& [key, users] : s.users) {
    if (key.first == TrackerKind::kScript) used_scripts.insert(key.second);
  }
  auto spawn = [&](rt::Task<void> task) {
    ++s.running;
    asio::co_spawn(s.slow, std::move(task), [state = state_](const std::exception_ptr& error) {
      --state->running;
      if (!error) return;
      try {
        std::rethrow_exception(error);
      } catch (const std::exception& e) {
        sys::log_error("tracker stopped on an internal error: {}", e.what());
      }
    });
  };
  for (const auto& name : used_scripts) spawn(run_script(state_, s.config.vrrp_script.at(name)));
  for (const auto& [name, file] : s.config.track_file) spawn(poll_file(state_, file));
  for (const auto& [name, process] : s.config.track_process) spawn(poll_process(state_, process));
}

void Tracking::interface_changed(const std::string& name, bool up) {
  track::TrackerStatus status;
  status.up = up;
  update(TrackerKind::kInterface, name, status);
}

void Tracking::post(TrackerKind kind, const std::string& name, track::TrackerStatus status) {
  asio::post(state_->fast, [this, state = state_, kind, name, status] {
    if (!state->stopping) update(kind, name, status);
  });
}

rt::Task<void> Tracking::run_script(std::shared_ptr<State> state, config::VrrpScript script) {
  auto timer = std::make_shared<asio::steady_timer>(state->slow);
  state->timers.push_back(timer);
  sys::ScriptOptions options;
  options.timeout = script.timeout;
  options.uid = state->identity.uid;
  options.gid = state->identity.gid;
  if (script.user) {
    const auto ids = sys::lookup_user(*script.user, script.group.value_or(""));
    if (!ids) {
      sys::log_error("vrrp_script {}: user {}: {}; the script is disabled", script.name, *script.user,
                     ids.error().to_string());
      co_return;
    }
    options.uid = ids->uid;
    options.gid = ids->gid;
  }
  if (state->config.global.script_security) {
    if (const auto program = program_path(script.script)) {
      if (const auto secure = sys::check_script_security(*program); !secure) {
        sys::log_error("vrrp_script {}: {}; the script is disabled", script.name, secure.error().to_string());
        co_return;
      }
    }
  }
  track::RiseFall history(script.rise, script.fall, script.init_fail);
  const auto argv = script.script.exec_argv();  // built once, not on every run
  while (!state->stopping) {
    const auto started = Clock::now();
    const auto result = co_await sys::run(argv, options);
    if (state->stopping) break;
    const bool passed = result && result->succeeded();
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
      track::TrackerStatus status;
      status.up = history.up();
      post(TrackerKind::kScript, script.name, status);
    }
    timer->expires_at(started + script.interval);
    co_await timer->async_wait(rt::use_nothrow);
  }
}

rt::Task<void> Tracking::poll_file(std::shared_ptr<State> state, config::TrackFile file) {
  auto timer = std::make_shared<asio::steady_timer>(state->slow);
  state->timers.push_back(timer);
  std::int64_t last = read_track_file(file.file);
  while (!state->stopping) {
    timer->expires_after(kPollInterval);
    co_await timer->async_wait(rt::use_nothrow);
    if (state->stopping) break;
    const auto value = read_track_file(file.file);
    if (value == last) continue;
    last = value;
    sys::log_notice("track_file {}: {} now holds {}", file.name, file.file, value);
    track::TrackerStatus status;
    status.file_value = value;
    post(TrackerKind::kFile, file.name, status);
  }
}

rt::Task<void> Tracking::poll_process(std::shared_ptr<State> state, config::TrackProcess process) {
  auto timer = std::make_shared<asio::steady_timer>(state->slow);
  state->timers.push_back(timer);
  bool last = true;
  bool first = true;
  while (!state->stopping) {
    const auto count = count_processes(process);
    const bool ok = track::process_quorum_up(count, process.quorum, process.quorum_max);
    if (first || ok != last) {
      if (!first) sys::log_notice("track_process {}: {} matching processes", process.name, count);
      last = ok;
      track::TrackerStatus status;
      status.up = ok;
      post(TrackerKind::kProcess, process.name, status);
    }
    first = false;
    timer->expires_after(kPollInterval);
    co_await timer->async_wait(rt::use_nothrow);
  }
}

rt::Task<void> Tracking::stop() {
  auto state = state_;
  state->stopping = true;
  // Named, not a temporary inside the co_await: g++ 12 destroys such temporaries twice, and this
  // one owns a shared_ptr (a use-after-free ASan found at stop).
  auto wind_down = [state]() -> rt::Task<void> {
    for (auto& timer : state->timers) timer->cancel();
    asio::steady_timer poll(state->slow);
    while (state->running > 0) {
      poll.expires_after(std::chrono::milliseconds(5));
      co_await poll.async_wait(rt::use_nothrow);
    }
  };
  co_await asio::co_spawn(state->slow, wind_down, asio::use_awaitable);
}

}  // namespace vigil::engine
