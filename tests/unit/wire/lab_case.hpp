#pragma once
// Starts a test case that needs the two-namespace lab: skips without root, fails if the lab cannot
// be built as root.
#include "test_support.hpp"
#include "veth_lab.hpp"

#define VIGIL_BUILD_LAB(lab)                          \
  VIGIL_REQUIRE_ROOT();                               \
  ::vigil::test::VethLab lab;                         \
  if (const auto why = (lab).build(); !why.empty()) { \
    FAIL("network namespace lab: " << why);           \
  }
