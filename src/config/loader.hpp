#pragma once
// Loading a config file: TOML or YAML text -> validated typed model, or every diagnostic.
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"

namespace vigil::config {

enum class Syntax { kToml, kYaml };
[[nodiscard]] const char* to_string(Syntax syntax);

struct LoadResult {
  std::optional<Config> config;  // set when there is no error (warnings may remain)
  std::vector<Diagnostic> diagnostics;
  [[nodiscard]] bool ok() const { return config.has_value(); }
};

// Syntax from the extension: .toml, .yaml, .yml (anything else is an error diagnostic).
[[nodiscard]] LoadResult load_file(const std::filesystem::path& path);
[[nodiscard]] LoadResult load_string(std::string_view text, Syntax syntax, std::string_view file_name);

// Host checks, WARNINGS only (an absent interface, a missing or non-executable script): a config
// is valid on a laptop or in CI even when this host could not run it.
[[nodiscard]] std::vector<Diagnostic> check_host(const Config& config);

// The JSON Schema (draft-07) of the config, generated from the loader's own descriptors
// (docs/vigil.schema.json holds a copy; a test keeps them equal).
[[nodiscard]] std::string json_schema();

}  // namespace vigil::config
