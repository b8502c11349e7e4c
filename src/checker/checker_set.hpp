#pragma once
// All health checkers of a config, each a coroutine on the caller's io_context: wait for its next
// probe time, take a probe slot (bounded descriptors), probe, feed the outcome to its pure
// schedule, report verdict changes.
//
// Reports: one verdict per checker at start (UP, or DOWN with alpha), then one per change. After
// stop() nothing more is reported. Merge point for the daemon's LB service:
//   auto checkers = vigil::checker::start_checkers(io, config, [&](const check::CheckerVerdict& v) { ... });
#include <asio/any_io_executor.hpp>
#include <asio/io_context.hpp>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "check/verdict.hpp"
#include "checker/checker_spec.hpp"
#include "config/model.hpp"

namespace vigil::checker {

struct CheckerSetOptions {
  // Probes holding sockets or processes at once; 0 = a quarter of RLIMIT_NOFILE (at least 16).
  std::size_t max_concurrent_probes = 0;
  std::optional<std::uint64_t> random_seed;  // warmup spreading; nullopt = random_device
  std::string helo_default;                  // SMTP HELO name fallback; empty = the host name
};

class CheckerSet {
 public:
  using Reporter = std::function<void(const check::CheckerVerdict&)>;

  CheckerSet(asio::any_io_executor executor, const config::Config& config, Reporter reporter,
             CheckerSetOptions options = {});
  ~CheckerSet();  // stops
  CheckerSet(const CheckerSet&) = delete;
  CheckerSet& operator=(const CheckerSet&) = delete;

  void start();
  // Cancels every checker (running probes and scripts included); they finish on the io_context.
  void stop();
  // SIGHUP: the checkers of the new config. `continues[i]` names the running checker (an index
  // of specs()) that specs[i] continues: it keeps its schedule, counters and verdict and is only
  // renumbered (match_checkers decides). The others start afresh, up or down as `starts_up`
  // says (the state the pool gave them), and reported once as at start; running checkers
  // continued by none are cancelled.
  void reload(std::vector<CheckerSpec> specs, const std::vector<std::optional<std::size_t>>& continues,
              const std::function<bool(const CheckerSpec&)>& starts_up);
  // SIGHUP with a changed [ssl]: the next ssl_get probes use contexts built from `ssl` (a probe
  // already connecting finishes with the old ones).
  void set_ssl(const std::optional<config::SslConfig>& ssl);
  // ha_suspend: the checkers of this virtual server neither probe nor report while suspended;
  // their state stays as it was.
  void set_suspended(std::size_t virtual_server, bool suspended);

  [[nodiscard]] const std::vector<CheckerSpec>& specs() const;
  // Each checker's record (last verdict, probe counts, failures in a row), parallel to specs().
  // A checker a reload continues keeps its record.
  [[nodiscard]] std::vector<check::CheckerStatus> status() const;
  // The checkers `config` asks for, resolved as this set resolves its own (for reload()).
  [[nodiscard]] std::vector<CheckerSpec> resolve(const config::Config& config) const;
  [[nodiscard]] std::size_t probe_limit() const;

  struct Shared;

 private:
  std::shared_ptr<Shared> shared_;
};

// Builds and starts the checkers of `config` on `io` (the one-line merge point for the daemon).
[[nodiscard]] std::unique_ptr<CheckerSet> start_checkers(asio::io_context& io, const config::Config& config,
                                                         CheckerSet::Reporter reporter);

}  // namespace vigil::checker
