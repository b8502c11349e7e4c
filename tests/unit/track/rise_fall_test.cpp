// Script rise/fall counters: results in, status changes out.
#include "track/rise_fall.hpp"

#include <doctest/doctest.h>

#include <string>
#include <vector>

using namespace vigil::track;

namespace {

// Feeds a result string ('+' success, '-' failure) and returns the statuses after each result,
// upper case where the status changed.
std::string run(RiseFall& counter, const std::string& results) {
  std::string out;
  for (const char r : results) {
    const auto changed = counter.record(r == '+');
    const char c = counter.status() == ScriptStatus::kUp ? 'u' : counter.status() == ScriptStatus::kDown ? 'd' : '?';
    out += changed ? static_cast<char>(c - 'a' + 'A') : c;
  }
  return out;
}

}  // namespace

TEST_CASE("rise/fall: table") {
  struct Row {
    std::uint32_t rise;
    std::uint32_t fall;
    bool init_fail;
    std::string results;
    std::string expected;
  };
  const std::vector<Row> rows = {
      {1, 1, false, "+-+-", "UDUD"},         {2, 3, false, "+--+---+-++", "UuuuuuDdddU"},
      {2, 3, false, "-++", "DdU"},            // the first result decides at once
      {2, 2, true, "+-++", "dddU"},           // init_fail: starts down and must rise
      {3, 1, false, "+-++-+++", "UDdddddU"},  // a failure restarts the rise count
  };
  for (const auto& row : rows) {
    CAPTURE(row.results);
    RiseFall counter(row.rise, row.fall, row.init_fail);
    CHECK(run(counter, row.results) == row.expected);
  }
}

TEST_CASE("rise/fall: unknown counts as up, rise/fall of 0 behave as 1") {
  RiseFall counter(0, 0);
  CHECK(counter.status() == ScriptStatus::kUnknown);
  CHECK(counter.up());
  CHECK(counter.record(false) == ScriptStatus::kDown);
  CHECK_FALSE(counter.up());
  CHECK(counter.record(true) == ScriptStatus::kUp);
  CHECK(std::string(to_string(ScriptStatus::kUnknown)) == "unknown");
}
