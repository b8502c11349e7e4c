#include "sys/log.hpp"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <mutex>

namespace vigil::sys {

namespace detail {
std::atomic<int> g_log_level{static_cast<int>(LogLevel::Info)};
}  // namespace detail

namespace {

struct Outputs {
  bool stderr_enabled = true;
  bool journal_enabled = false;
};

// stderr already is the journal when systemd connected it there (JOURNAL_STREAM="dev:ino" matches fd 2):
// writing both would log every line twice, once without its fields.
bool stderr_is_journal_stream() {
  const char* stream = std::getenv("JOURNAL_STREAM");  // NOLINT(concurrency-mt-unsafe): read once at set-up
  if (stream == nullptr) return false;
  struct stat st {};
  if (::fstat(STDERR_FILENO, &st) != 0) return false;
  unsigned long long device = 0;
  unsigned long long inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;  // NOLINT(cert-err34-c)
  return device == st.st_dev && inode == st.st_ino;
}

Outputs resolve(LogTarget target) {
  switch (target) {
    case LogTarget::Stderr: return {true, false};
    case LogTarget::Journal: return {false, true};
    case LogTarget::Auto: {
      const bool journal = sd_booted() > 0 || std::getenv("JOURNAL_STREAM") != nullptr;  // NOLINT
      return {!(journal && stderr_is_journal_stream()), journal};
    }
  }
  return {};
}

struct State {
  std::mutex mutex;
  Outputs outputs = resolve(LogTarget::Auto);
  std::function<void(const LogRecord&)> sink;
};

State& state() {
  static State instance;
  return instance;
}

void write_stderr(LogLevel level, const LogFields& fields, std::string_view message) {
  const auto now = std::chrono::system_clock::now();
  const auto milliseconds =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  fmt::memory_buffer line;
  fmt::format_to(std::back_inserter(line), "{:%Y-%m-%dT%H:%M:%S}.{:03}Z {}: {}",
                 std::chrono::time_point_cast<std::chrono::seconds>(now), milliseconds, to_string(level), message);
  if (!fields.items().empty()) {
    line.push_back(' ');
    line.push_back('[');
    bool first = true;
    for (const LogField& field : fields.items()) {
      fmt::format_to(std::back_inserter(line), "{}{}={}", first ? "" : " ", field.name, field.value);
      first = false;
    }
    line.push_back(']');
  }
  line.push_back('\n');
  // One write per line keeps lines whole when scripts' stderr or other processes share the terminal.
  [[maybe_unused]] const auto written = ::write(STDERR_FILENO, line.data(), line.size());
}

bool write_journal(LogLevel level, const LogFields& fields, std::string_view message) {
  std::vector<std::string> storage;
  storage.reserve(fields.items().size() + 3);
  storage.push_back(fmt::format("PRIORITY={}", static_cast<int>(level)));
  storage.push_back(fmt::format("MESSAGE={}", message));
  storage.push_back("SYSLOG_IDENTIFIER=vigild");
  for (const LogField& field : fields.items()) storage.push_back(fmt::format("{}={}", field.name, field.value));
  std::vector<iovec> vectors;
  vectors.reserve(storage.size());
  for (std::string& entry : storage) vectors.push_back(iovec{entry.data(), entry.size()});
  return sd_journal_sendv(vectors.data(), static_cast<int>(vectors.size())) >= 0;
}

}  // namespace

std::string_view to_string(LogLevel level) noexcept {
  switch (level) {
    case LogLevel::Error: return "error";
    case LogLevel::Warning: return "warning";
    case LogLevel::Notice: return "notice";
    case LogLevel::Info: return "info";
    case LogLevel::Debug: return "debug";
  }
  return "unknown";
}

std::optional<LogLevel> parse_log_level(std::string_view text) noexcept {
  for (LogLevel level : {LogLevel::Error, LogLevel::Warning, LogLevel::Notice, LogLevel::Info, LogLevel::Debug}) {
    if (text == to_string(level)) return level;
  }
  if (text == "warn") return LogLevel::Warning;
  return std::nullopt;
}

std::string_view to_string(LogTarget target) noexcept {
  switch (target) {
    case LogTarget::Auto: return "auto";
    case LogTarget::Stderr: return "stderr";
    case LogTarget::Journal: return "journal";
  }
  return "unknown";
}

void set_log_level(LogLevel level) noexcept {
  detail::g_log_level.store(static_cast<int>(level), std::memory_order_relaxed);
}

LogLevel log_level() noexcept { return static_cast<LogLevel>(detail::g_log_level.load(std::memory_order_relaxed)); }

void set_log_target(LogTarget target) {
  State& s = state();
  const std::lock_guard lock(s.mutex);
  s.outputs = resolve(target);
}

void set_log_sink(std::function<void(const LogRecord&)> sink) {
  State& s = state();
  const std::lock_guard lock(s.mutex);
  s.sink = std::move(sink);
}

void detail::write_log(LogLevel level, const LogFields& fields, std::string_view message) {
  State& s = state();
  const std::lock_guard lock(s.mutex);
  if (s.sink) {
    s.sink(LogRecord{level, message, fields.items()});
    return;
  }
  bool to_stderr = s.outputs.stderr_enabled;
  if (s.outputs.journal_enabled && !write_journal(level, fields, message)) to_stderr = true;
  if (to_stderr) write_stderr(level, fields, message);
}

}  // namespace vigil::sys
