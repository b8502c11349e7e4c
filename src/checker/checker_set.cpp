#include "checker/checker_set.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <deque>
#include <exception>
#include <random>

#include "checker/probe_limiter.hpp"
#include "checker/probes.hpp"
#include "sys/log.hpp"

namespace vigil::checker {

struct CheckerSet::Shared {
  Shared(asio::any_io_executor executor_in, const config::Config& config, Reporter reporter_in,
         const CheckerSetOptions& options, std::size_t limit)
      : executor(std::move(executor_in)),
        specs(resolve_checkers(config, options.helo_default)),
        status(specs.size()),
        reporter(std::move(reporter_in)),
        limiter(executor, limit),
        tls(config.ssl),
        random(options.random_seed.value_or(std::random_device{}())) {}

  asio::any_io_executor executor;
  std::vector<CheckerSpec> specs;
  std::vector<check::CheckerStatus> status;  // parallel to specs
  Reporter reporter;
  ProbeLimiter limiter;
  TlsContexts tls;
  std::mt19937_64 random;
  std::deque<asio::cancellation_signal> cancel;
  bool started = false;
  bool stopped = false;

  void report(std::size_t index, const check::Verdict& verdict) {
    if (stopped) return;
    status[index].up = verdict.up;
    if (!reporter) return;
    const CheckerSpec& spec = specs[index];
    reporter(check::CheckerVerdict{spec.virtual_server, spec.real_server, spec.checker, verdict.up, verdict.weight});
  }
};

namespace {

std::size_t default_probe_limit() {
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) return 1024;
  return std::max<std::size_t>(16, static_cast<std::size_t>(limit.rlim_cur / 4));
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof name - 1) != 0 || name[0] == '\0') return "localhost";
  return name;
}

void record_probe(check::CheckerStatus& status, const ProbeOutcome& outcome) {
  status.last_probe_at = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
  status.last_probe_ok = outcome.result.ok;
  if (outcome.result.ok) {
    ++status.probes_passed;
    status.failed_in_a_row = 0;
  } else {
    ++status.probes_failed;
    ++status.failed_in_a_row;
    status.last_failure = outcome.detail;
  }
}

rt::Task<void> run_checker(std::shared_ptr<CheckerSet::Shared> shared, std::size_t index) {
  const CheckerSpec& spec = shared->specs[index];
  check::CheckerSchedule schedule(spec.timing);
  asio::steady_timer timer(shared->executor);
  const double fraction = std::uniform_real_distribution<double>(0.0, 1.0)(shared->random);
  auto step = schedule.start(Clock::now(), fraction);
  if (step.verdict) shared->report(index, *step.verdict);
  std::string last_failure;
  for (;;) {
    timer.expires_at(step.next_probe);
    auto [wait_error] = co_await timer.async_wait(rt::use_nothrow);
    if (shared->stopped) co_return;
    (void)wait_error;
    if (!co_await shared->limiter.acquire()) co_return;
    ProbeOutcome outcome;
    {
      ProbeSlot slot(shared->limiter);
      auto probe = run_probe(spec, shared->tls);
      outcome = co_await std::move(probe);
    }
    if (shared->stopped) co_return;
    step = schedule.on_probe_finished(outcome.result, Clock::now());
    record_probe(shared->status[index], outcome);
    // A failure is logged when the schedule says so (a new streak, a verdict, log_all_failures) or
    // its reason changed, not on every probe of a server that stays down.
    if (!outcome.result.ok && (step.log_failure || outcome.detail != last_failure))
      sys::log_info("checker {}: probe failed: {}", spec.name, outcome.detail);
    last_failure = outcome.result.ok ? std::string() : outcome.detail;
    if (step.verdict) {
      sys::log_notice("checker {}: {}{}", spec.name, step.verdict->up ? "UP" : "DOWN",
                      step.verdict->weight ? " (weight " + std::to_string(*step.verdict->weight) + ")" : "");
      shared->report(index, *step.verdict);
    }
  }
}

}  // namespace

CheckerSet::CheckerSet(asio::any_io_executor executor, const config::Config& config, Reporter reporter,
                       CheckerSetOptions options) {
  const std::size_t limit = options.max_concurrent_probes ? options.max_concurrent_probes : default_probe_limit();
  if (options.helo_default.empty()) options.helo_default = host_name();
  shared_ = std::make_shared<Shared>(std::move(executor), config, std::move(reporter), options, limit);
  if (const auto& error = shared_->tls.setup_error()) sys::log_warning("ssl: {}", error->to_string());
}

CheckerSet::~CheckerSet() { stop(); }

void CheckerSet::start() {
  if (shared_->started) return;
  shared_->started = true;
  for (std::size_t i = 0; i < shared_->specs.size(); ++i) {
    auto& signal = shared_->cancel.emplace_back();
    auto shared = shared_;
    const std::string name = shared_->specs[i].name;
    auto task = run_checker(shared, i);
    asio::co_spawn(shared_->executor, std::move(task),
                   asio::bind_cancellation_slot(signal.slot(), [shared, name](std::exception_ptr error) {
                     if (!error || shared->stopped) return;
                     try {
                       std::rethrow_exception(error);
                     } catch (const std::exception& e) {
                       sys::log_error("checker {}: stopped by an unexpected error: {}", name, e.what());
                     }
                   }));
  }
}

void CheckerSet::stop() {
  if (!shared_ || shared_->stopped) return;
  shared_->stopped = true;
  for (auto& signal : shared_->cancel) signal.emit(asio::cancellation_type::terminal);
}

const std::vector<CheckerSpec>& CheckerSet::specs() const { return shared_->specs; }

const std::vector<check::CheckerStatus>& CheckerSet::status() const { return shared_->status; }

std::size_t CheckerSet::probe_limit() const { return shared_->limiter.limit(); }

std::unique_ptr<CheckerSet> start_checkers(asio::io_context& io, const config::Config& config,
                                           CheckerSet::Reporter reporter) {
  auto set = std::make_unique<CheckerSet>(io.get_executor(), config, std::move(reporter));
  set->start();
  return set;
}

}  // namespace vigil::checker
