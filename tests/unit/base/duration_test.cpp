#include "base/duration.hpp"

#include <doctest/doctest.h>

using namespace std::chrono_literals;
using vigil::format_duration;
using vigil::parse_duration;

TEST_CASE("durations follow one rule: seconds, or a number with a unit") {
  CHECK(parse_duration("1") == 1s);
  CHECK(parse_duration("0.5") == 500ms);
  CHECK(parse_duration("150ms") == 150ms);
  CHECK(parse_duration("1.5s") == 1500ms);
  CHECK(parse_duration("2m") == 120s);
  CHECK(parse_duration("250us") == 250us);
  CHECK_FALSE(parse_duration(""));
  CHECK_FALSE(parse_duration("s"));
  CHECK_FALSE(parse_duration("1 s"));
  CHECK_FALSE(parse_duration("-1"));
  CHECK_FALSE(parse_duration("1.2.3"));
  CHECK_FALSE(parse_duration("5 minutes"));
}

TEST_CASE("durations print in their largest whole unit and read back") {
  for (const auto d : {vigil::Duration(0), vigil::Duration(1s), vigil::Duration(150ms), vigil::Duration(1500ms),
                       vigil::Duration(37us), vigil::Duration(5ns)}) {
    CHECK(parse_duration(format_duration(d)) == d);
  }
  CHECK(format_duration(1s) == "1s");
  CHECK(format_duration(100ms) == "100ms");
}
