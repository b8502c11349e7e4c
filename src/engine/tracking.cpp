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
#include <sstream>

#include "sys/log.hpp"
#include "sys/process.hpp"
#include "sys/script_security.hpp"
#include "sys/user.hpp"

namespace vigil::engine {

namespace {

constexpr auto kPollInterval = std::chrono::seconds(1);  // track_file and track_process
constexpr int kFaultBelow = -253;

enum class Kind : std::uint8_t { kScript, kFile, kProcess, kInterface };

struct Ref {
  Kind kind = Kind::kScript;
  std::string name;
  TrackerInput input;
};

template <class Object>
TrackerInput input_for(const config::TrackRef& ref, const Object& object) {
  return TrackerInput{ref.weight.value_or(object.weight), ref.reverse || object.reverse};
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

TrackerEffect pass_fail_effect(const TrackerInput& tracker, bool ok) {
  // keepalived: an unweighted tracker decides FAULT; `reverse` makes success the failure.
  if (tracker.weight == 0) return TrackerEffect{0, tracker.reverse ? ok : !ok};
  const int multiplier = tracker.reverse ? -1 : 1;
  if (ok && tracker.weight > 0) return TrackerEffect{tracker.weight * multiplier, false};
  if (!ok && tracker.weight < 0) return TrackerEffect{tracker.weight * multiplier, false};
  return TrackerEffect{};
}

TrackerEffect file_effect(const TrackerInput& tracker, std::int64_t value) {
  if (tracker.weight == 0) return TrackerEffect{0, tracker.reverse ? value == 0 : value != 0};
  const std::int64_t total = value * tracker.weight * (tracker.reverse ? -1 : 1);
  if (total < kFaultBelow) return TrackerEffect{0, true};
  return TrackerEffect{static_cast<int>(std::clamp<std::int64_t>(total, -254, 254)), false};
}

struct Tracking::State {
  config::Config config;
  asio::any_io_executor fast;
  asio::any_io_executor slow;
  ScriptIdentity identity;
  ChangeHandler on_change;
  // Fast side.
  std::map<std::string, bool> script_ok;
  std::map<std::string, std::int64_t> file_value;
  std::map<std::string, bool> process_ok;
  std::map<std::string, bool> interface_up;
  std::map<std::string, std::vector<Ref>> refs;  // by instance
  std::map<std::string, vrrp::TrackStateChanged> reported;
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
  for (const auto& [name, script] : config.vrrp_script) s.script_ok[name] = !script.init_fail;
  for (const auto& [name, file] : config.track_file) s.file_value[name] = read_track_file(file.file);
  for (const auto& [name, process] : config.track_process) s.process_ok[name] = true;

  std::map<std::string, const config::VrrpSyncGroup*> group_of;
  for (const auto& [name, group] : config.vrrp_sync_group) {
    for (const auto& member : group.group) group_of[member] = &group;
  }
  auto add_refs = [&](std::vector<Ref>& out, const auto& owner) {
    for (const auto& ref : owner.track_script) {
      out.push_back({Kind::kScript, ref.name, input_for(ref, config.vrrp_script.at(ref.name))});
    }
    for (const auto& ref : owner.track_file) {
      out.push_back({Kind::kFile, ref.name, input_for(ref, config.track_file.at(ref.name))});
    }
    for (const auto& ref : owner.track_process) {
      out.push_back({Kind::kProcess, ref.name, input_for(ref, config.track_process.at(ref.name))});
    }
    for (const auto& ref : owner.track_interface) {
      out.push_back({Kind::kInterface, ref.name, TrackerInput{ref.weight.value_or(0), ref.reverse}});
      s.interface_up.emplace(ref.name, true);
    }
  };
  for (const auto& [name, instance] : config.vrrp_instance) {
    auto& refs = s.refs[name];
    add_refs(refs, instance);
    if (const auto group = group_of.find(name); group != group_of.end()) add_refs(refs, *group->second);
  }
}

Tracking::~Tracking() { state_->stopping = true; }

std::vector<TrackerChange> Tracking::initial() const {
  std::vector<TrackerChange> out;
  const auto& s = *state_;
  for (const auto& [instance, refs] : s.refs) {
    if (refs.empty()) continue;
    vrrp::TrackStateChanged summary;
    for (const auto& ref : refs) {
      TrackerEffect effect;
      switch (ref.kind) {
        case Kind::kScript: effect = pass_fail_effect(ref.input, s.script_ok.at(ref.name)); break;
        case Kind::kProcess: effect = pass_fail_effect(ref.input, s.process_ok.at(ref.name)); break;
        case Kind::kInterface: effect = pass_fail_effect(ref.input, s.interface_up.at(ref.name)); break;
        case Kind::kFile: effect = file_effect(ref.input, s.file_value.at(ref.name)); break;
      }
      summary.weight += effect.weight;
      summary.fault = summary.fault || effect.fault;
    }
    out.push_back({instance, summary});
  }
  return out;
}

void Tracking::recompute() {
  auto& s = *state_;
  for (auto& change : initial()) {
    auto& last = s.reported[change.instance];
    if (last.weight == change.state.weight && last.fault == change.state.fault) continue;
    last = change.state;
    s.on_change(change);
  }
}

void Tracking::start() {
  auto& s = *state_;
  for (const auto& change : initial()) s.reported[change.instance] = change.state;
  std::set<std::string> used_scripts;
  for (const auto& [instance, refs] : s.refs) {
    for (const auto& ref : refs) {
      if (ref.kind == Kind::kScript) used_scripts.insert(ref.name);
    }
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
  auto& s = *state_;
  const auto found = s.interface_up.find(name);
  if (found == s.interface_up.end() || found->second == up) return;
  found->second = up;
  recompute();
}

void Tracking::post_script(const std::string& name, bool ok) {
  asio::post(state_->fast, [this, state = state_, name, ok] {
    if (state->stopping) return;
    state->script_ok[name] = ok;
    recompute();
  });
}

void Tracking::post_file(const std::string& name, std::int64_t value) {
  asio::post(state_->fast, [this, state = state_, name, value] {
    if (state->stopping) return;
    state->file_value[name] = value;
    recompute();
  });
}

void Tracking::post_process(const std::string& name, bool ok) {
  asio::post(state_->fast, [this, state = state_, name, ok] {
    if (state->stopping) return;
    state->process_ok[name] = ok;
    recompute();
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
  bool ok = !script.init_fail;
  std::uint32_t successes = 0;
  std::uint32_t failures = 0;
  while (!state->stopping) {
    const auto started = Clock::now();
    const auto result = co_await sys::run(script.script.exec_argv(), options);
    if (state->stopping) break;
    const bool passed = result && result->succeeded();
    if (!result) {
      sys::log_warning("vrrp_script {}: cannot run {}: {}", script.name, script.script.display(),
                       result.error().to_string());
    } else if (!passed) {
      sys::log_debug("vrrp_script {}: {}", script.name, result->describe(script.timeout));
    }
    // rise/fall: that many results in a row before the state flips.
    if (passed) {
      failures = 0;
      ++successes;
    } else {
      successes = 0;
      ++failures;
    }
    if (!ok && passed && successes >= script.rise) {
      ok = true;
      sys::log_notice(sys::LogFields{{"VIGIL_SCRIPT", script.name}}, "vrrp_script {} succeeded", script.name);
      post_script(script.name, true);
    } else if (ok && !passed && failures >= script.fall) {
      ok = false;
      sys::log_notice(sys::LogFields{{"VIGIL_SCRIPT", script.name}}, "vrrp_script {} failed ({})", script.name,
                      result ? result->describe(script.timeout) : result.error().to_string());
      post_script(script.name, false);
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
    post_file(file.name, value);
  }
}

rt::Task<void> Tracking::poll_process(std::shared_ptr<State> state, config::TrackProcess process) {
  auto timer = std::make_shared<asio::steady_timer>(state->slow);
  state->timers.push_back(timer);
  bool last = true;
  bool first = true;
  while (!state->stopping) {
    const auto count = count_processes(process);
    const bool ok = count >= process.quorum && (!process.quorum_max || count <= *process.quorum_max);
    if (first || ok != last) {
      if (!first) sys::log_notice("track_process {}: {} matching processes", process.name, count);
      last = ok;
      post_process(process.name, ok);
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
