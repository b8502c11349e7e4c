#pragma once
// The probes: one attempt of one checker against its server, bounded by its timeout. Each is a thin
// coroutine around the pure judgement in src/check.
#include <asio/steady_timer.hpp>
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

// TCP_CHECK (run_probe's, with the same outcomes and messages), racing the connect against
// `deadline` set to connect_timeout: a checker lends its idle schedule timer, so the commonest
// probe costs no timer and no coroutine of its own (issue 5: 10 000 checks a second). The socket
// is closed normally (FIN), as keepalived does since it gave up SO_LINGER 0.
[[nodiscard]] rt::Task<ProbeOutcome> run_tcp_probe(const CheckerSpec& spec, asio::steady_timer& deadline);

}  // namespace vigil::checker
