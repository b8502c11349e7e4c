#pragma once
// ADAPTER between the daemon and src/config (vigil::config::load_file / check_host / format).
// The daemon only sees this file: when the config library is not built (VIGIL_HAVE_CONFIG=0,
// early in the project), a placeholder accepts any readable file, so the daemon can still start.
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#if VIGIL_HAVE_CONFIG
#include "config/model.hpp"
#endif

namespace vigil::daemon {

#if VIGIL_HAVE_CONFIG
using ConfigModel = config::Config;
#else
struct ConfigModel {};  // placeholder until src/config is built
#endif

struct ConfigMessage {
  bool is_error = false;
  std::string text;  // "file:line:col: error: key.path: message"
};

struct ConfigLoad {
  std::shared_ptr<const ConfigModel> config;  // set when there is no error
  std::vector<ConfigMessage> messages;        // every diagnostic, in file order
  [[nodiscard]] bool ok() const noexcept { return config != nullptr; }
  [[nodiscard]] std::size_t error_count() const noexcept;
  [[nodiscard]] std::size_t warning_count() const noexcept;
};

// Loads and validates the file. `check_host` adds the host checks (absent interfaces, missing
// scripts), which are warnings only, as `vigild --check` reports them.
[[nodiscard]] ConfigLoad load_config(const std::filesystem::path& file, bool check_host);

}  // namespace vigil::daemon
