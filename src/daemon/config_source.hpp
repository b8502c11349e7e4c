#pragma once
// ADAPTER between the daemon and src/config (vigil::config::load_file / check_host / format).
// The daemon only sees this file. It is wired to the real loader whenever the vigil_config target
// exists (VIGIL_HAVE_CONFIG=1, always since src/config landed); the placeholder branch accepts any
// readable file and only serves a build configured with -DVIGIL_DAEMON_CONFIG_STUB=ON.
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
