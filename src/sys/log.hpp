#pragma once
// Levelled logging to stderr and, under systemd, to journald with structured fields.
//
//   sys::log_info("VRRP instance {} is now {}", name, state);
//   sys::log_notice(sys::LogFields{{"VIGIL_INSTANCE", name}, {"VIGIL_STATE", "MASTER"}}, "{} entered MASTER", name);
//
// A disabled level costs one comparison: the message is never formatted.
#include <fmt/core.h>

#include <atomic>
#include <functional>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::sys {

// Ordered by severity; values are syslog priorities (journald's PRIORITY= field).
enum class LogLevel { Error = 3, Warning = 4, Notice = 5, Info = 6, Debug = 7 };

[[nodiscard]] std::string_view to_string(LogLevel level) noexcept;
// Accepts the names to_string() prints ("error", "warning", "notice", "info", "debug"); also "warn".
[[nodiscard]] std::optional<LogLevel> parse_log_level(std::string_view text) noexcept;

// One journald field: NAME must be upper case (VIGIL_INSTANCE, VIGIL_STATE, VIGIL_SCRIPT ...).
struct LogField {
  std::string_view name;
  std::string_view value;
};

class LogFields {
 public:
  LogFields() = default;
  LogFields(std::initializer_list<LogField> fields) : fields_(fields) {}
  [[nodiscard]] const std::vector<LogField>& items() const noexcept { return fields_; }

 private:
  std::vector<LogField> fields_;
};

// What a sink receives. Views are valid only during the call.
struct LogRecord {
  LogLevel level;
  std::string_view message;
  const std::vector<LogField>& fields;
};

enum class LogTarget {
  Auto,     // journald when systemd is running, stderr unless stderr already is the journal stream
  Stderr,   // stderr only
  Journal,  // journald only
};

[[nodiscard]] std::string_view to_string(LogTarget target) noexcept;

void set_log_level(LogLevel level) noexcept;
[[nodiscard]] LogLevel log_level() noexcept;
void set_log_target(LogTarget target);
// Replaces the stderr/journald output (tests; later the control socket's log stream). Empty restores it.
void set_log_sink(std::function<void(const LogRecord&)> sink);

namespace detail {
extern std::atomic<int> g_log_level;
void write_log(LogLevel level, const LogFields& fields, std::string_view message);
}  // namespace detail

[[nodiscard]] inline bool log_enabled(LogLevel level) noexcept {
  return static_cast<int>(level) <= detail::g_log_level.load(std::memory_order_relaxed);
}

template <class... Args>
void log(LogLevel level, const LogFields& fields, fmt::format_string<Args...> format, Args&&... args) {
  if (!log_enabled(level)) return;
  detail::write_log(level, fields, fmt::vformat(format, fmt::make_format_args(args...)));
}

template <class... Args>
void log(LogLevel level, fmt::format_string<Args...> format, Args&&... args) {
  if (!log_enabled(level)) return;
  detail::write_log(level, LogFields{}, fmt::vformat(format, fmt::make_format_args(args...)));
}

#define VIGIL_SYS_LOG_AT(function_name, level_value)                                                \
  template <class... Args>                                                                          \
  void function_name(fmt::format_string<Args...> format, Args&&... args) {                          \
    log(level_value, format, std::forward<Args>(args)...);                                          \
  }                                                                                                 \
  template <class... Args>                                                                          \
  void function_name(const LogFields& fields, fmt::format_string<Args...> format, Args&&... args) { \
    log(level_value, fields, format, std::forward<Args>(args)...);                                  \
  }

VIGIL_SYS_LOG_AT(log_error, LogLevel::Error)
VIGIL_SYS_LOG_AT(log_warning, LogLevel::Warning)
VIGIL_SYS_LOG_AT(log_notice, LogLevel::Notice)
VIGIL_SYS_LOG_AT(log_info, LogLevel::Info)
VIGIL_SYS_LOG_AT(log_debug, LogLevel::Debug)
#undef VIGIL_SYS_LOG_AT

}  // namespace vigil::sys
