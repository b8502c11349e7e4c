#pragma once
// Sends one email over SMTP: the Asio driver of Dialogue (dialogue.hpp). Resolving, connecting
// and every reply and write are each bounded by `step_timeout` (smtp_connect_timeout), so a dead
// or hanging server costs at most a few timeouts and never blocks the caller's loop.
#include <cstdint>
#include <string>
#include <vector>

#include "base/duration.hpp"
#include "base/result.hpp"
#include "net/smtp/dialogue.hpp"
#include "rt/tokens.hpp"

namespace vigil::net::smtp {

struct Server {
  std::string host;  // a name or an address literal
  std::uint16_t port = 25;
};

struct Delivery {
  std::vector<std::string> refused;  // recipients the server refused (the others got the mail)
};

// An Error names the step and the server's reply ("RCPT TO <a@b>: 550 ...", "connect to
// 192.0.2.25:25: timed out after 5s").
[[nodiscard]] rt::Task<Result<Delivery>> send_mail(Server server, Dialogue dialogue, Duration step_timeout);

}  // namespace vigil::net::smtp
