#pragma once
// The daemon's view of src/config: load and validate a file, and report every diagnostic as a
// line of text (vigil::config::load_file / check_host / format).
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace vigil::daemon {

using ConfigModel = config::Config;
// The running config and a reload's new one are shared, not copied: the VRRP engine keeps
// pointers into them (one instance's settings each) instead of a second copy of every instance.
using SharedConfig = std::shared_ptr<const ConfigModel>;

struct ConfigMessage {
  bool is_error = false;
  std::string text;  // "file:line:col: error: key.path: message"
};

struct ConfigLoad {
  SharedConfig config;                  // set when there is no error
  std::vector<ConfigMessage> messages;  // every diagnostic, in file order
  [[nodiscard]] bool ok() const noexcept { return config != nullptr; }
  [[nodiscard]] std::size_t error_count() const noexcept;
  [[nodiscard]] std::size_t warning_count() const noexcept;
};

// Loads and validates the file. `check_host` adds the host checks (absent interfaces, missing
// scripts), which are warnings only, as `vigild --check` reports them.
[[nodiscard]] ConfigLoad load_config(const std::filesystem::path& file, bool check_host);

}  // namespace vigil::daemon
