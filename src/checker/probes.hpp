#pragma once
// The probes: one attempt of one checker against its server, bounded by its timeout. Each is a thin
// coroutine around the pure judgement in src/check.
#include <string>

#include "check/schedule.hpp"
#include "checker/checker_spec.hpp"
#include "checker/connect_deadlines.hpp"
#include "checker/tls_client.hpp"
#include "rt/tokens.hpp"

namespace vigil::checker {

struct ProbeOutcome {
  check::ProbeResult result;
  std::string detail;  // why it failed (empty on success)
};

// Never throws for expected failures (refused, timeout, wrong answer): they are outcomes.
[[nodiscard]] rt::Task<ProbeOutcome> run_probe(const CheckerSpec& spec, TlsContexts& tls);

// TCP_CHECK (run_probe's, with the same outcomes and messages) with its connect_timeout kept by
// `deadlines`, shared by all probes of a CheckerSet: the commonest probe then costs no timer, no
// allocation and no coroutine besides its own (issue 5: 10 000 checks a second). The socket is
// closed normally (FIN), as keepalived does since it gave up SO_LINGER {1, 0} (RST).
[[nodiscard]] rt::Task<ProbeOutcome> run_tcp_probe(const CheckerSpec& spec, ConnectDeadlines& deadlines);

}  // namespace vigil::checker
