#include "sys/log.hpp"

#include <doctest/doctest.h>

#include <fmt/format.h>

#include <string>
#include <vector>

using vigil::sys::LogLevel;

namespace {

struct Captured {
  LogLevel level;
  std::string message;
  std::vector<std::pair<std::string, std::string>> fields;
};

struct CaptureLogs {
  std::vector<Captured> records;
  CaptureLogs() {
    vigil::sys::set_log_sink([this](const vigil::sys::LogRecord& record) {
      Captured c{record.level, std::string(record.message), {}};
      for (const auto& field : record.fields) c.fields.emplace_back(field.name, field.value);
      records.push_back(std::move(c));
    });
  }
  ~CaptureLogs() {
    vigil::sys::set_log_sink({});
    vigil::sys::set_log_level(LogLevel::Info);
  }
};

struct CountsFormatting {
  int* count;
};

}  // namespace

template <>
struct fmt::formatter<CountsFormatting> : fmt::formatter<std::string_view> {
  auto format(const CountsFormatting& value, fmt::format_context& context) const {
    ++*value.count;
    return fmt::formatter<std::string_view>::format("counted", context);
  }
};

TEST_CASE("messages below the level are dropped without being formatted") {
  CaptureLogs capture;
  vigil::sys::set_log_level(LogLevel::Notice);
  int formatted = 0;
  vigil::sys::log_debug("debug {}", CountsFormatting{&formatted});
  vigil::sys::log_info("info {}", CountsFormatting{&formatted});
  CHECK(formatted == 0);
  CHECK(capture.records.empty());
  vigil::sys::log_notice("notice {}", CountsFormatting{&formatted});
  vigil::sys::log_error("error {}", 42);
  CHECK(formatted == 1);
  REQUIRE(capture.records.size() == 2);
  CHECK(capture.records[0].message == "notice counted");
  CHECK(capture.records[1].level == LogLevel::Error);
  CHECK(capture.records[1].message == "error 42");
  CHECK(vigil::sys::log_enabled(LogLevel::Warning));
  CHECK_FALSE(vigil::sys::log_enabled(LogLevel::Info));
}

TEST_CASE("structured fields reach the sink") {
  CaptureLogs capture;
  vigil::sys::log_warning(vigil::sys::LogFields{{"VIGIL_INSTANCE", "VI_1"}, {"VIGIL_STATE", "MASTER"}}, "{} became {}",
                          "VI_1", "MASTER");
  REQUIRE(capture.records.size() == 1);
  CHECK(capture.records[0].message == "VI_1 became MASTER");
  REQUIRE(capture.records[0].fields.size() == 2);
  CHECK(capture.records[0].fields[0] == std::pair<std::string, std::string>{"VIGIL_INSTANCE", "VI_1"});
  CHECK(capture.records[0].fields[1] == std::pair<std::string, std::string>{"VIGIL_STATE", "MASTER"});
}

TEST_CASE("level names round-trip and map to syslog priorities") {
  for (LogLevel level : {LogLevel::Error, LogLevel::Warning, LogLevel::Notice, LogLevel::Info, LogLevel::Debug}) {
    CHECK(vigil::sys::parse_log_level(vigil::sys::to_string(level)) == level);
  }
  CHECK(vigil::sys::parse_log_level("warn") == LogLevel::Warning);
  CHECK_FALSE(vigil::sys::parse_log_level("verbose").has_value());
  CHECK(static_cast<int>(LogLevel::Error) == 3);
  CHECK(static_cast<int>(LogLevel::Debug) == 7);
}

TEST_CASE("stderr output does not throw") {
  vigil::sys::set_log_target(vigil::sys::LogTarget::Stderr);
  vigil::sys::log_info(vigil::sys::LogFields{{"VIGIL_INSTANCE", "VI_1"}}, "hello from the log test");
  vigil::sys::set_log_target(vigil::sys::LogTarget::Auto);
  CHECK(vigil::sys::to_string(vigil::sys::LogTarget::Journal) == "journal");
}
