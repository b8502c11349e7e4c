#pragma once
// keepalived.conf -> located keyword tree. Knows keepalived's language, not its keywords.
#include <string>
#include <string_view>
#include <vector>

#include "kconf2toml/diagnostic.hpp"
#include "kconf2toml/file_source.hpp"
#include "kconf2toml/keyword_tree.hpp"
#include "kconf2toml/line_engine.hpp"

namespace vigil::kconf {

struct ParseResult {
  std::vector<Node> nodes;  // top-level statements in file order
  std::vector<Diagnostic> diagnostics;
  bool used_conditionals = false;  // some line started with @ID / @^ID

  // Errors mean the tree may not be what keepalived reads (braces, conflict markers, cycles...).
  [[nodiscard]] bool ok() const;
};

[[nodiscard]] ParseResult parse_file(const std::string& path, const FileSource& files, const ParseOptions& options);
// `name` is the file name used in locations and for relative includes (resolved through `files`).
[[nodiscard]] ParseResult parse_text(std::string_view text, const std::string& name, const FileSource& files,
                                     const ParseOptions& options);

}  // namespace vigil::kconf
