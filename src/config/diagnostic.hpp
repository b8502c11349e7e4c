#pragma once
// Config diagnostics: every problem found in a file, with where it is and which key it concerns.
#include <iosfwd>
#include <string>
#include <vector>

namespace vigil::config {

// 1-based line and column; 0 = unknown.
struct SourceLocation {
  std::string file;
  int line = 0;
  int column = 0;
  friend bool operator==(const SourceLocation&, const SourceLocation&) = default;
};

// "file:line:col", "file:line", or "file" depending on what is known.
[[nodiscard]] std::string to_string(const SourceLocation& where);

enum class Severity { kError, kWarning };
[[nodiscard]] const char* to_string(Severity severity);

struct Diagnostic {
  Severity severity = Severity::kError;
  SourceLocation where;
  std::string key_path;  // "vrrp_instance.VI_1.priority"; empty for syntax errors outside any key
  std::string message;
  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// "file:line:col: error: vrrp_instance.VI_1.priority: must be 1..255, got 300"
[[nodiscard]] std::string format(const Diagnostic& diagnostic);

[[nodiscard]] bool has_errors(const std::vector<Diagnostic>& diagnostics);

// One formatted line per diagnostic, errors and warnings in file order, then a summary line
// ("2 errors, 1 warning") when there is anything to report.
void print_diagnostics(std::ostream& out, const std::vector<Diagnostic>& diagnostics);

}  // namespace vigil::config
