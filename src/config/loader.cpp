#include "config/loader.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include "config/config_schema.hpp"
#include "config/tree.hpp"
#include "config/validate.hpp"

namespace vigil::config {

const char* to_string(Syntax syntax) {
  switch (syntax) {
    case Syntax::kToml: return "toml";
    case Syntax::kYaml: return "yaml";
  }
  return "?";
}

LoadResult load_string(std::string_view text, Syntax syntax, std::string_view file_name) {
  const std::string name(file_name);
  ParsedTree tree = syntax == Syntax::kToml ? parse_toml(text, name) : parse_yaml(text, name);
  LoadResult result;
  result.diagnostics = std::move(tree.diagnostics);
  if (tree.root.kind != NodeKind::kTable) {
    if (!has_errors(result.diagnostics)) {
      result.diagnostics.push_back(
          Diagnostic{Severity::kError, tree.root.where, "",
                     "the top level must be a table of sections, got " + tree.root.describe()});
    }
    return result;
  }
  Config config;
  schema::BindContext context(result.diagnostics, config.locations);
  schema::bind_table(schema::config_schema(), tree.root, "", context, config);
  resolve_and_validate(config, context);
  // File order reads best; discovery order breaks ties (stable).
  std::stable_sort(result.diagnostics.begin(), result.diagnostics.end(), [](const Diagnostic& a, const Diagnostic& b) {
    return std::tie(a.where.line, a.where.column) < std::tie(b.where.line, b.where.column);
  });
  if (!has_errors(result.diagnostics)) result.config = std::move(config);
  return result;
}

LoadResult load_file(const std::filesystem::path& path) {
  const std::string name = path.string();
  const std::string extension = path.extension().string();
  Syntax syntax = Syntax::kToml;
  if (extension == ".toml") {
    syntax = Syntax::kToml;
  } else if (extension == ".yaml" || extension == ".yml") {
    syntax = Syntax::kYaml;
  } else {
    LoadResult result;
    result.diagnostics.push_back(Diagnostic{Severity::kError, SourceLocation{name, 0, 0}, "",
                                            "unknown config syntax: the file name must end in .toml, .yaml or .yml"});
    return result;
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    LoadResult result;
    result.diagnostics.push_back(
        Diagnostic{Severity::kError, SourceLocation{name, 0, 0}, "", "cannot open the file for reading"});
    return result;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return load_string(text.str(), syntax, name);
}

}  // namespace vigil::config
