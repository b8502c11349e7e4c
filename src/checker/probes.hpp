#pragma once
// The probes: one attempt of one checker against its server, bounded by its timeout. Each is a thin
// coroutine around the pure judgement in src/check.
#include <string>

#include "check/schedule.hpp"
#include "checker/checker_spec.hpp"
#include "checker/tls_client.hpp"
#include "rt/tokens.hpp"

namespace vigil::checker {

struct ProbeOutcome {
  check::ProbeResult result;
  std::string detail;  // why it failed (empty on success)
};

// Never throws for expected failures (refused, timeout, wrong answer): they are outcomes.
[[nodiscard]] rt::Task<ProbeOutcome> run_probe(const CheckerSpec& spec, TlsContexts& tls);

}  // namespace vigil::checker
