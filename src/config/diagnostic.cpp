#include "config/diagnostic.hpp"

#include <algorithm>
#include <ostream>

namespace vigil::config {

std::string to_string(const SourceLocation& where) {
  std::string out = where.file;
  if (where.line > 0) {
    out += ":" + std::to_string(where.line);
    if (where.column > 0) out += ":" + std::to_string(where.column);
  }
  return out;
}

const char* to_string(Severity severity) {
  switch (severity) {
    case Severity::kError: return "error";
    case Severity::kWarning: return "warning";
  }
  return "?";
}

std::string format(const Diagnostic& diagnostic) {
  std::string out = to_string(diagnostic.where);
  if (!out.empty()) out += ": ";
  out += to_string(diagnostic.severity);
  out += ": ";
  if (!diagnostic.key_path.empty()) out += diagnostic.key_path + ": ";
  return out + diagnostic.message;
}

bool has_errors(const std::vector<Diagnostic>& diagnostics) {
  return std::any_of(diagnostics.begin(), diagnostics.end(),
                     [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

void print_diagnostics(std::ostream& out, const std::vector<Diagnostic>& diagnostics) {
  std::size_t errors = 0;
  std::size_t warnings = 0;
  for (const auto& diagnostic : diagnostics) {
    out << format(diagnostic) << '\n';
    (diagnostic.severity == Severity::kError ? errors : warnings) += 1;
  }
  if (errors + warnings == 0) return;
  out << errors << (errors == 1 ? " error" : " errors") << ", " << warnings
      << (warnings == 1 ? " warning" : " warnings") << '\n';
}

}  // namespace vigil::config
