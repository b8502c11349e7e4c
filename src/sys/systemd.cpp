#include "sys/systemd.hpp"

#include <fmt/format.h>
#include <systemd/sd-daemon.h>
#include <time.h>

#include <string>

namespace vigil::sys {

namespace {

Result<bool> send(std::string message, std::string_view status) {
  if (!status.empty()) {
    // A newline would start a new assignment: a status text must not be able to inject one.
    // systemd reads a backslash as an escape and drops it (252 shows "saw '\n'" as "saw 'n'"),
    // so each one is doubled.
    std::string clean;
    clean.reserve(status.size());
    for (const char c : status) {
      if (c == '\n') {
        clean += ' ';
      } else {
        if (c == '\\') clean += '\\';
        clean += c;
      }
    }
    if (!message.empty()) message += '\n';
    message += "STATUS=" + clean;
  }
  const int sent = sd_notify(0, message.c_str());
  if (sent < 0) return fail(make_error(std::error_code(-sent, std::generic_category()), "sd_notify failed"));
  return sent > 0;
}

}  // namespace

Result<bool> notify_ready(std::string_view status) { return send("READY=1", status); }

Result<bool> notify_reloading(std::string_view status) {
  timespec now{};
  ::clock_gettime(CLOCK_MONOTONIC, &now);
  const auto usec =
      static_cast<unsigned long long>(now.tv_sec) * 1000000ULL + static_cast<unsigned long long>(now.tv_nsec) / 1000ULL;
  return send(fmt::format("RELOADING=1\nMONOTONIC_USEC={}", usec), status);
}

Result<bool> notify_stopping(std::string_view status) { return send("STOPPING=1", status); }

Result<bool> notify_status(std::string_view status) {
  if (status.empty()) return send("STATUS=", {});
  return send({}, status);
}

Result<bool> notify_watchdog() { return send("WATCHDOG=1", {}); }

std::optional<Duration> watchdog_interval() {
  uint64_t usec = 0;
  if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0) return std::nullopt;
  return std::chrono::microseconds(usec);
}

}  // namespace vigil::sys
