#pragma once
// Shared helpers for doctest cases.
#include <doctest/doctest.h>

#include <unistd.h>

#include <iostream>

// Skips the current test case with a reason. ctest matches "VIGIL-SKIP:" and reports the case
// as skipped (never silently passed).
#define VIGIL_SKIP(reason)                                \
  do {                                                    \
    std::cout << "VIGIL-SKIP: " << (reason) << std::endl; \
    MESSAGE("skipped: " << (reason));                     \
    return;                                               \
  } while (false)

#define VIGIL_REQUIRE_ROOT()                                                          \
  do {                                                                                \
    if (::geteuid() != 0) VIGIL_SKIP("needs root (network namespaces, raw sockets)"); \
  } while (false)
