#pragma once
// The whole conversion: keepalived.conf -> Vigil config text, with every diagnostic.
#include <string>
#include <vector>

#include "kconf2toml/diagnostic.hpp"
#include "kconf2toml/file_source.hpp"
#include "kconf2toml/line_engine.hpp"

namespace vigil::kconf {

enum class Format { kToml, kYaml };
[[nodiscard]] const char* to_string(Format format);

struct ConvertOptions {
  ParseOptions parse;
  Format format = Format::kToml;
  bool strict = false;  // every warning becomes an error
};

enum class Outcome {
  kConverted,            // exit 0
  kConvertedWithErrors,  // exit 1: --strict and at least one warning
  kUnreadable,           // exit 2: cannot read or parse the input; no output
};
[[nodiscard]] const char* to_string(Outcome outcome);
[[nodiscard]] int exit_code(Outcome outcome);

struct Conversion {
  Outcome outcome = Outcome::kUnreadable;
  std::string text;  // the converted config (empty when unreadable)
  std::vector<Diagnostic> diagnostics;
};

[[nodiscard]] Conversion convert_file(const std::string& path, const FileSource& files, const ConvertOptions& options);
[[nodiscard]] Conversion convert_text(std::string_view text, const std::string& name, const FileSource& files,
                                      const ConvertOptions& options);

}  // namespace vigil::kconf
