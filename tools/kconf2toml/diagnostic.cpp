#include "kconf2toml/diagnostic.hpp"

#include <algorithm>

namespace vigil::kconf {

std::string Location::to_string() const {
  if (line == 0) return file;
  return file + ":" + std::to_string(line);
}

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::kNote: return "note";
    case Severity::kWarning: return "warning";
    case Severity::kError: return "error";
  }
  return "?";
}

std::string Diagnostic::to_string() const {
  return location.to_string() + ": " + kconf::to_string(severity) + ": " + message;
}

void Diagnostics::add(Severity severity, Location location, std::string message) {
  items_.push_back(Diagnostic{severity, std::move(location), std::move(message)});
}

std::size_t Diagnostics::count(Severity severity) const {
  return static_cast<std::size_t>(
      std::count_if(items_.begin(), items_.end(), [&](const Diagnostic& d) { return d.severity == severity; }));
}

}  // namespace vigil::kconf
