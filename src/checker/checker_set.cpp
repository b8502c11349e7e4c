#include "checker/checker_set.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <asio/bind_cancellation_slot.hpp>
#include <asio/cancellation_signal.hpp>
#include <asio/co_spawn.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <exception>
#include <memory>
#include <random>

#include "checker/probe_limiter.hpp"
#include "checker/probes.hpp"
#include "sys/log.hpp"

namespace vigil::checker {

// One running checker. Its spec's indexes and name change when a reload renumbers it.
struct RunningChecker {
  explicit RunningChecker(CheckerSpec spec_in) : spec(std::move(spec_in)) {}
  CheckerSpec spec;
  asio::cancellation_signal cancel;
  bool stopped = false;
  bool suspended = false;       // ha_suspend: no probes, no verdicts
  check::CheckerStatus status;  // last verdict and probe counts (vigilctl status); a reload keeps it
};

struct CheckerSet::Shared {
  Shared(asio::any_io_executor executor_in, const config::Config& config, Reporter reporter_in,
         const CheckerSetOptions& options, std::size_t limit)
      : executor(std::move(executor_in)),
        specs(resolve_checkers(config, options.helo_default)),
        reporter(std::move(reporter_in)),
        limiter(executor, limit),
        connect_deadlines(ConnectDeadlines::create(executor)),
        tls(std::make_shared<TlsContexts>(config.ssl)),
        random(options.random_seed.value_or(std::random_device{}())),
        helo_default(options.helo_default) {
    for (const auto& spec : specs) running.push_back(std::make_shared<RunningChecker>(spec));
  }

  asio::any_io_executor executor;
  std::vector<CheckerSpec> specs;  // running[i]->spec, for specs()
  Reporter reporter;
  ProbeLimiter limiter;
  std::shared_ptr<ConnectDeadlines> connect_deadlines;  // TCP_CHECK connect timeouts, one timer for all
  std::shared_ptr<TlsContexts> tls;                     // a reload may replace it; a probe in flight keeps its own
  std::mt19937_64 random;
  std::string helo_default;
  std::vector<std::shared_ptr<RunningChecker>> running;
  bool started = false;
  bool stopped = false;

  [[nodiscard]] bool gone(const RunningChecker& checker) const { return stopped || checker.stopped; }
  void report(RunningChecker& checker, const check::Verdict& verdict) {
    if (gone(checker)) return;
    checker.status.up = verdict.up;
    if (!reporter) return;
    const CheckerSpec& spec = checker.spec;
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

rt::Task<void> run_checker(std::shared_ptr<CheckerSet::Shared> shared, std::shared_ptr<RunningChecker> checker) {
  const CheckerSpec& spec = checker->spec;
  check::CheckerSchedule schedule(spec.timing);
  asio::steady_timer timer(shared->executor);
  const double fraction = std::uniform_real_distribution<double>(0.0, 1.0)(shared->random);
  auto step = schedule.start(Clock::now(), fraction);
  if (step.verdict) shared->report(*checker, *step.verdict);
  std::string last_failure;
  for (;;) {
    timer.expires_at(step.next_probe);
    auto [wait_error] = co_await timer.async_wait(rt::use_nothrow);
    if (shared->gone(*checker)) co_return;
    (void)wait_error;
    if (checker->suspended) {
      // As keepalived's disabled checker: look again a delay_loop later, state untouched.
      step.next_probe = Clock::now() + spec.timing.delay_loop;
      step.verdict.reset();
      continue;
    }
    if (!shared->limiter.try_acquire()) {
      auto acquiring = shared->limiter.acquire();
      if (!co_await std::move(acquiring)) co_return;
    }
    ProbeOutcome outcome;
    {
      ProbeSlot slot(shared->limiter);
      if (std::holds_alternative<TcpProbe>(spec.probe)) {
        auto probe = run_tcp_probe(spec, *shared->connect_deadlines);
        outcome = co_await std::move(probe);
      } else {
        const std::shared_ptr<TlsContexts> tls = shared->tls;  // held until the probe is done
        auto probe = run_probe(spec, *tls);
        outcome = co_await std::move(probe);
      }
    }
    if (shared->gone(*checker)) co_return;
    if (checker->suspended) {
      // Suspended while probing: the result is dropped, so the checker and the pool stay agreed.
      step.next_probe = Clock::now() + spec.timing.delay_loop;
      step.verdict.reset();
      continue;
    }
    step = schedule.on_probe_finished(outcome.result, Clock::now());
    record_probe(checker->status, outcome);
    // A failure is logged when the schedule says so (a new streak, a verdict, log_all_failures) or
    // its reason changed, not on every probe of a server that stays down.
    if (!outcome.result.ok && (step.log_failure || outcome.detail != last_failure))
      sys::log_info("checker {}: probe failed: {}", spec.name, outcome.detail);
    if (outcome.result.ok) {
      last_failure.clear();
    } else {
      last_failure = outcome.detail;
    }
    if (step.verdict) {
      sys::log_notice("checker {}: {}{}", spec.name, step.verdict->up ? "UP" : "DOWN",
                      step.verdict->weight ? " (weight " + std::to_string(*step.verdict->weight) + ")" : "");
      shared->report(*checker, *step.verdict);
    }
  }
}

void launch(const std::shared_ptr<CheckerSet::Shared>& shared, const std::shared_ptr<RunningChecker>& checker) {
  auto task = run_checker(shared, checker);
  asio::co_spawn(shared->executor, std::move(task),
                 asio::bind_cancellation_slot(checker->cancel.slot(), [shared, checker](std::exception_ptr error) {
                   if (!error || shared->gone(*checker)) return;
                   try {
                     std::rethrow_exception(error);
                   } catch (const std::exception& e) {
                     sys::log_error("checker {}: stopped by an unexpected error: {}", checker->spec.name, e.what());
                   }
                 }));
}

}  // namespace

CheckerSet::CheckerSet(asio::any_io_executor executor, const config::Config& config, Reporter reporter,
                       CheckerSetOptions options) {
  const std::size_t limit = options.max_concurrent_probes ? options.max_concurrent_probes : default_probe_limit();
  if (options.helo_default.empty()) options.helo_default = host_name();
  shared_ = std::make_shared<Shared>(std::move(executor), config, std::move(reporter), options, limit);
  if (const auto& error = shared_->tls->setup_error()) sys::log_warning("ssl: {}", error->to_string());
}

void CheckerSet::set_ssl(const std::optional<config::SslConfig>& ssl) {
  auto contexts = std::make_shared<TlsContexts>(ssl);
  if (const auto& error = contexts->setup_error()) sys::log_warning("ssl: {}", error->to_string());
  shared_->tls = std::move(contexts);
}

CheckerSet::~CheckerSet() { stop(); }

void CheckerSet::start() {
  if (shared_->started) return;
  shared_->started = true;
  for (const auto& checker : shared_->running) launch(shared_, checker);
}

void CheckerSet::stop() {
  if (!shared_ || shared_->stopped) return;
  shared_->stopped = true;
  shared_->connect_deadlines->stop();
  for (auto& checker : shared_->running) checker->cancel.emit(asio::cancellation_type::terminal);
}

void CheckerSet::reload(std::vector<CheckerSpec> specs, const std::vector<std::optional<std::size_t>>& continues,
                        const std::function<bool(const CheckerSpec&)>& starts_up) {
  if (shared_->stopped) return;
  auto& running = shared_->running;
  std::vector<bool> kept(running.size(), false);
  std::vector<std::shared_ptr<RunningChecker>> next;
  std::vector<std::shared_ptr<RunningChecker>> fresh;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    const auto from = i < continues.size() ? continues[i] : std::nullopt;
    if (from && *from < running.size() && !kept[*from]) {
      kept[*from] = true;
      auto& checker = running[*from];
      // Only the numbering and the name move: the schedule, its counters and timer go on.
      checker->spec.virtual_server = specs[i].virtual_server;
      checker->spec.real_server = specs[i].real_server;
      checker->spec.checker = specs[i].checker;
      checker->spec.name = specs[i].name;
      next.push_back(checker);
      continue;
    }
    // A new checker reports the state the pool gave it first: alpha decides the starting verdict.
    specs[i].timing.alpha = !starts_up(specs[i]);
    next.push_back(std::make_shared<RunningChecker>(std::move(specs[i])));
    fresh.push_back(next.back());
  }
  for (std::size_t j = 0; j < running.size(); ++j) {
    if (kept[j]) continue;
    running[j]->stopped = true;
    running[j]->cancel.emit(asio::cancellation_type::terminal);
  }
  running = std::move(next);
  shared_->specs.clear();
  for (const auto& checker : running) shared_->specs.push_back(checker->spec);
  if (shared_->started) {
    for (const auto& checker : fresh) launch(shared_, checker);
  }
}

void CheckerSet::set_suspended(std::size_t virtual_server, bool suspended) {
  for (auto& checker : shared_->running) {
    if (checker->spec.virtual_server == virtual_server) checker->suspended = suspended;
  }
}

const std::vector<CheckerSpec>& CheckerSet::specs() const { return shared_->specs; }

std::vector<check::CheckerStatus> CheckerSet::status() const {
  std::vector<check::CheckerStatus> out;
  out.reserve(shared_->running.size());
  for (const auto& checker : shared_->running) out.push_back(checker->status);
  return out;
}

std::vector<CheckerSpec> CheckerSet::resolve(const config::Config& config) const {
  return resolve_checkers(config, shared_->helo_default);
}

std::size_t CheckerSet::probe_limit() const { return shared_->limiter.limit(); }

std::unique_ptr<CheckerSet> start_checkers(asio::io_context& io, const config::Config& config,
                                           CheckerSet::Reporter reporter) {
  auto set = std::make_unique<CheckerSet>(io.get_executor(), config, std::move(reporter));
  set->start();
  return set;
}

}  // namespace vigil::checker
