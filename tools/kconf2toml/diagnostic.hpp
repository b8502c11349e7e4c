#pragma once
// Where a keepalived line came from, and what the converter has to say about it.
#include <cstddef>
#include <string>
#include <vector>

namespace vigil::kconf {

// The original file and line of a statement: through includes it names the included file, through
// macro and ~SEQ expansion the line that used the macro.
struct Location {
  std::string file;
  std::size_t line = 0;

  [[nodiscard]] std::string to_string() const;  // "file:line"
  friend bool operator==(const Location&, const Location&) = default;
};

enum class Severity { kNote, kWarning, kError };
[[nodiscard]] const char* to_string(Severity severity);

struct Diagnostic {
  Severity severity = Severity::kError;
  Location location;
  std::string message;

  [[nodiscard]] std::string to_string() const;  // "file:line: warning: message"
};

class Diagnostics {
 public:
  void add(Severity severity, Location location, std::string message);
  void note(const Location& location, std::string message) { add(Severity::kNote, location, std::move(message)); }
  void warning(const Location& location, std::string message) { add(Severity::kWarning, location, std::move(message)); }
  void error(const Location& location, std::string message) { add(Severity::kError, location, std::move(message)); }

  [[nodiscard]] const std::vector<Diagnostic>& all() const { return items_; }
  [[nodiscard]] std::vector<Diagnostic> take() { return std::move(items_); }
  [[nodiscard]] std::size_t count(Severity severity) const;

 private:
  std::vector<Diagnostic> items_;
};

}  // namespace vigil::kconf
