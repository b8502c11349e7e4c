#include "daemon/vrrp_service.hpp"

#include <malloc.h>
#include <pthread.h>
#include <sched.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/use_awaitable.hpp>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <system_error>

#include "engine/status_json.hpp"
#include "rt/io_context.hpp"
#include "sys/log.hpp"
#include "sys/resident_memory.hpp"

namespace vigil::daemon {

namespace {

constexpr auto kFastThreadDrain = std::chrono::seconds(2);

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kSanitized = true;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kSanitized = true;
#else
constexpr bool kSanitized = false;
#endif
#else
constexpr bool kSanitized = false;
#endif

void lock_memory() {
  // ASan reserves terabytes of shadow memory: locking it all would take the machine down.
  if (kSanitized) {
    sys::log_info("vrrp_no_swap: not locking memory in a sanitizer build");
    return;
  }
  // MCL_ONFAULT: a page is locked when first touched, not when mapped. Without it every thread's
  // 8 MiB stack and every reserved heap page became resident (25 MiB RSS for one instance);
  // with it the pages the VRRP thread uses stay resident after the first advert cycle, which is
  // what keeps swapping away from the advert path. The VRRP thread also pre-touches its stack.
  if (::mlockall(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) != 0) {
    sys::log_warning("vrrp_no_swap: mlockall failed ({}); adverts may wait for page faults",
                     std::system_category().message(errno));
    return;
  }
  // ...but all of the program's code, so code that has not run yet (a backup's first takeover)
  // does not wait for page faults either.
  (void)sys::lock_program_code();
}

// After the start (and after a reload) the heap holds freed pages: the parsed config file, netlink
// replies, start-up coroutines (1000 instances: ~8 MB). glibc keeps them, and once mlockall has
// locked them (vrrp_no_swap) even malloc_trim cannot give them back (the kernel refuses to discard
// locked pages). The same holds for the code and constants that only ran once (config parsing,
// validation, start-up: several MiB of the binary and its libraries), which mlockall keeps
// resident for good. So: unlock, trim every arena, unmap the read-only file pages (what still runs
// faults its pages back in within a tick), lock again (MCL_ONFAULT: only what is resident).
constexpr auto kMemoryReleaseDelay = std::chrono::seconds(15);

void release_free_memory(bool relock) {
  const long before = sys::resident_kib();
  if (relock && ::munlockall() != 0) return;
  ::malloc_trim(0);
  sys::drop_read_only_file_pages();
  if (relock) lock_memory();
  sys::log_info("free heap pages and start-up code released: resident {} KiB -> {} KiB", before, sys::resident_kib());
}

void tune_fast_thread(const config::GlobalConfig& global) {
  if (global.vrrp_rt_priority > 0) {
    sched_param param{};
    param.sched_priority = static_cast<int>(global.vrrp_rt_priority);
    if (const int error = ::pthread_setschedparam(::pthread_self(), SCHED_RR, &param); error != 0) {
      sys::log_warning("vrrp_rt_priority {}: cannot use SCHED_RR ({}); running at normal priority",
                       global.vrrp_rt_priority, std::system_category().message(error));
    }
  }
  if (!global.vrrp_cpu_affinity.empty()) {
    cpu_set_t cpus;
    CPU_ZERO(&cpus);
    for (const auto cpu : global.vrrp_cpu_affinity) CPU_SET(cpu, &cpus);
    if (const int error = ::pthread_setaffinity_np(::pthread_self(), sizeof cpus, &cpus); error != 0) {
      sys::log_warning("vrrp_cpu_affinity: {}", std::system_category().message(error));
    }
  }
  ::pthread_setname_np(::pthread_self(), "vigil-vrrp");
}

// Faults in (and, with vrrp_no_swap, locks) the stack the VRRP thread will use, so its first
// adverts do not wait for page faults. Deeper than any coroutine resume chain of the engine.
[[gnu::noinline]] void prefault_stack() {
  constexpr std::size_t kStackToTouch = 256 * 1024;
  std::array<char, kStackToTouch> stack;  // NOLINT(cppcoreguidelines-pro-type-member-init): touched below
  volatile char* pages = stack.data();
  for (std::size_t offset = 0; offset < kStackToTouch; offset += 4096) pages[offset] = 1;
}

}  // namespace

VrrpService::VrrpService(std::filesystem::path runtime_dir) : runtime_dir_(std::move(runtime_dir)) {}

VrrpService::~VrrpService() { stop_fast_thread(); }

void VrrpService::install(DaemonHooks& hooks) {
  hooks.start = [this](asio::io_context& main, const SharedConfig& config) { return start(main, config); };
  hooks.stop = [this] { return stop(); };
  hooks.reload = [this](const SharedConfig& current, const SharedConfig& next) { return reload(current, next); };
  hooks.dump = [this](rt::SignalEvent) {
    if (!engine_) {
      sys::log_info("no VRRP instance to dump");
      return;
    }
    asio::co_spawn(main_executor_, dump_status(), asio::detached);
  };
  hooks.query = [this] { return query_status(); };
}

Result<void> VrrpService::start_fast_thread(const config::GlobalConfig& global) {
  auto context = rt::make_io_context();
  if (!context) return fail(std::move(context.error()));
  fast_ = std::move(*context);
  fast_work_.emplace(fast_->get_executor());
  fast_thread_ = std::thread([this, global] {
    tune_fast_thread(global);
    if (global.vrrp_no_swap) prefault_stack();
    fast_->run();
  });
  return {};
}

void VrrpService::stop_fast_thread() {
  if (!fast_thread_.joinable()) return;
  // Let the loop run dry first: coroutines still unwinding (the netlink monitor's aborted receive)
  // must finish there, not be destroyed with the io_context after its services are gone.
  fast_work_.reset();
  const auto deadline = std::chrono::steady_clock::now() + kFastThreadDrain;
  while (!fast_->stopped() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!fast_->stopped()) sys::log_warning("VRRP thread still busy at exit; stopping it");
  fast_->stop();
  fast_thread_.join();
}

rt::Task<Result<void>> VrrpService::start(asio::io_context& main, const SharedConfig& shared_config) {
  const config::Config& config = *shared_config;
  main_ = &main;
  if (config.vrrp_instance.empty()) co_return Result<void>{};
  lock_memory_ = config.global.vrrp_no_swap && !kSanitized;
  if (config.global.vrrp_no_swap) lock_memory();
  main_executor_ = main.get_executor();
  engine_executor_ = main.get_executor();
  if (config.global.vrrp_fast_path) {
    if (auto started = start_fast_thread(config.global); !started) co_return fail(std::move(started.error()));
    engine_executor_ = fast_->get_executor();
  }
  engine::EngineOptions options;
  options.fast = engine_executor_;
  options.slow = main.get_executor();
  options.runtime_dir = runtime_dir_.string();
  options.alerts = alerts_;
  auto engine =
      co_await asio::co_spawn(engine_executor_, engine::VrrpEngine::start(shared_config, options), asio::use_awaitable);
  if (!engine) co_return fail(std::move(engine.error()));
  engine_ = std::move(*engine);
  schedule_memory_release();
  co_return Result<void>{};
}

void VrrpService::schedule_memory_release() {
  // Late enough for the instances to have started, added their VIPs and sent their GARP bursts.
  if (!release_timer_) release_timer_ = std::make_unique<asio::steady_timer>(main_executor_);
  release_timer_->expires_after(kMemoryReleaseDelay);
  release_timer_->async_wait([this](const asio::error_code& error) {
    if (!error) release_free_memory(lock_memory_);
  });
}

rt::Task<Result<void>> VrrpService::reload(const SharedConfig& current, const SharedConfig& next) {
  // Decided here, on the main thread; the VRRP thread only applies the finished plan.
  const auto planning = Clock::now();
  const auto plan = engine::plan_reload(*current, *next);
  const auto planned = Clock::now();
  if (!plan.refused.empty()) {
    std::string reasons;
    for (const auto& reason : plan.refused) reasons += (reasons.empty() ? "" : "; ") + reason;
    co_return fail(make_error(std::errc::operation_not_supported, reasons));
  }
  if (!engine_) {
    // No instance ran so far: the new ones start as at boot.
    if (next->vrrp_instance.empty() || main_ == nullptr) co_return Result<void>{};
    co_return co_await start(*main_, next);
  }
  co_await asio::co_spawn(engine_executor_, engine_->reload(next, plan), asio::use_awaitable);
  schedule_memory_release();
  using std::chrono::microseconds;
  sys::log_notice("reload: VRRP planned in {} us, applied in {} us ({})",
                  std::chrono::duration_cast<microseconds>(planned - planning).count(),
                  std::chrono::duration_cast<microseconds>(Clock::now() - planned).count(), plan.summary());
  co_return Result<void>{};
}

rt::Task<void> VrrpService::dump_status() {
  // The same document vigilctl reads: instances with their timers, and the scripts.
  const auto snapshot = co_await query_status();
  // Written beside and renamed, so a reader never sees half a file.
  const auto path = runtime_dir_ / "vrrp-status.json";
  const auto partial = runtime_dir_ / "vrrp-status.json.partial";
  {
    std::ofstream out(partial, std::ios::trunc);
    out << snapshot.dump(2) << '\n';
    if (!out) {
      sys::log_error("cannot write {}: {}", partial.string(), std::system_category().message(errno));
      co_return;
    }
  }
  std::error_code error;
  std::filesystem::rename(partial, path, error);
  if (error) {
    sys::log_error("cannot write {}: {}", path.string(), error.message());
    co_return;
  }
  sys::log_info("VRRP status written to {}", path.string());
}

rt::Task<nlohmann::json> VrrpService::query_status() {
  if (!engine_) co_return nlohmann::json{{"vrrp_instances", nlohmann::json::array()}};
  // Scripts are polled on this (the main) thread: read here, without a hop.
  const auto scripts = engine_->scripts();
  const auto script_lateness = engine_->script_lateness();
  // Only the copy is taken on the VRRP thread; the JSON (1000 instances take milliseconds) is
  // built here, so a status query or a metrics scrape never delays an advert.
  struct EngineState {
    std::vector<engine::MemberStatus> members;
    engine::AdvertLateness::Snapshot lateness;
  };
  auto state = co_await asio::co_spawn(
      engine_executor_,
      [this]() -> rt::Task<EngineState> {
        EngineState copied;
        if (engine_) copied = EngineState{engine_->status(), engine_->advert_lateness()};
        co_return copied;
      },
      asio::use_awaitable);
  nlohmann::json snapshot = engine::to_json(state.members);
  snapshot["advert_send_lateness"] = engine::to_json(state.lateness);
  const auto clock = engine::WallClock::now();
  auto& instances = snapshot["vrrp_instances"];
  for (std::size_t i = 0; i < state.members.size() && i < instances.size(); ++i) {
    instances[i]["last_transition"] = clock.unix_seconds(state.members[i].last_transition);
    instances[i]["timers"] = engine::timers_json(state.members[i].deadlines, clock);
  }
  snapshot["vrrp_scripts"] = engine::to_json(scripts, clock);
  snapshot["script_start_lateness"] = engine::to_json(script_lateness);
  co_return snapshot;
}

rt::Task<void> VrrpService::stop() {
  release_timer_.reset();
  if (!engine_) co_return;
  co_await asio::co_spawn(engine_executor_, engine_->stop(), asio::use_awaitable);
  // The engine's objects belong to its executor: let them go there.
  co_await asio::co_spawn(
      engine_executor_,
      [this]() -> rt::Task<void> {
        engine_.reset();
        co_return;
      },
      asio::use_awaitable);
  stop_fast_thread();
}

}  // namespace vigil::daemon
