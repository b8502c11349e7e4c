#pragma once
// sd_notify(3) for Type=notify services. Every call is a no-op returning false when NOTIFY_SOCKET is unset.
#include <optional>
#include <string_view>

#include "base/duration.hpp"
#include "base/result.hpp"

namespace vigil::sys {

// Result: true when a notification was sent, false when not running under a service manager.
Result<bool> notify_ready(std::string_view status = {});
// RELOADING=1 with MONOTONIC_USEC= (systemd 253's Type=notify-reload needs the timestamp; older ones ignore it).
Result<bool> notify_reloading(std::string_view status = {});
Result<bool> notify_stopping(std::string_view status = {});
Result<bool> notify_status(std::string_view status);
Result<bool> notify_watchdog();

// The interval at which WATCHDOG=1 must be sent (WatchdogSec=), or nullopt when the watchdog is off.
// Callers ping at half of it, as sd_watchdog_enabled(3) recommends.
[[nodiscard]] std::optional<Duration> watchdog_interval();

}  // namespace vigil::sys
