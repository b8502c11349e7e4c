#pragma once
// The config model from TOML text, for the load-balancer model's tests (every diagnostic shown).
#include <doctest/doctest.h>

#include <string>

#include "config/loader.hpp"

namespace vigil::testing {

inline config::Config load_toml(const std::string& text) {
  auto loaded = config::load_string(text, config::Syntax::kToml, "test.toml");
  for (const auto& d : loaded.diagnostics) MESSAGE(d.message);
  REQUIRE(loaded.ok());
  return *loaded.config;
}

}  // namespace vigil::testing
