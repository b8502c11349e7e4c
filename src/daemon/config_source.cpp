#include "daemon/config_source.hpp"

#include <algorithm>

#include "config/loader.hpp"

namespace vigil::daemon {

std::size_t ConfigLoad::error_count() const noexcept {
  return static_cast<std::size_t>(
      std::count_if(messages.begin(), messages.end(), [](const ConfigMessage& m) { return m.is_error; }));
}

std::size_t ConfigLoad::warning_count() const noexcept { return messages.size() - error_count(); }

ConfigLoad load_config(const std::filesystem::path& file, bool check_host) {
  config::LoadResult loaded = config::load_file(file);
  ConfigLoad result;
  for (const config::Diagnostic& d : loaded.diagnostics) {
    result.messages.push_back({d.severity == config::Severity::kError, config::format(d)});
  }
  if (!loaded.ok()) {
    // ok() without an error diagnostic would be a loader bug; still never report success.
    if (result.error_count() == 0) result.messages.push_back({true, file.string() + ": error: config not loaded"});
    return result;
  }
  if (check_host) {
    for (const config::Diagnostic& d : config::check_host(*loaded.config)) {
      result.messages.push_back({d.severity == config::Severity::kError, config::format(d)});
    }
  }
  // Every key's file:line served the diagnostics above; nothing reads them later, and with 1000
  // instances they are ~24 000 map entries (~4 MB) the daemon would carry for its whole life.
  loaded.config->locations = {};
  result.config = std::make_shared<const ConfigModel>(std::move(*loaded.config));
  return result;
}

}  // namespace vigil::daemon
