#include "kconf2toml/converter.hpp"

#include <fmt/format.h>

#include "kconf2toml/mapper.hpp"
#include "kconf2toml/parser.hpp"

namespace vigil::kconf {

const char* to_string(Format format) {
  switch (format) {
    case Format::kToml: return "toml";
    case Format::kYaml: return "yaml";
  }
  return "?";
}

const char* to_string(Outcome outcome) {
  switch (outcome) {
    case Outcome::kConverted: return "converted";
    case Outcome::kConvertedWithErrors: return "converted with errors";
    case Outcome::kUnreadable: return "unreadable";
  }
  return "?";
}

int exit_code(Outcome outcome) {
  switch (outcome) {
    case Outcome::kConverted: return 0;
    case Outcome::kConvertedWithErrors: return 1;
    case Outcome::kUnreadable: return 2;
  }
  return 2;
}

namespace {

Conversion finish(ParseResult parsed, const std::string& name, const ConvertOptions& options) {
  Conversion result;
  const bool parsed_ok = parsed.ok();
  result.diagnostics = std::move(parsed.diagnostics);
  if (!parsed_ok) {
    result.outcome = Outcome::kUnreadable;
    return result;
  }
  auto mapped = map_to_vigil(parsed.nodes);
  result.diagnostics.insert(result.diagnostics.end(), std::make_move_iterator(mapped.diagnostics.begin()),
                            std::make_move_iterator(mapped.diagnostics.end()));
  bool problems = false;
  for (auto& d : result.diagnostics) {
    if (d.severity == Severity::kNote) continue;
    problems = true;
    if (options.strict) d.severity = Severity::kError;
  }
  auto& doc = mapped.document;
  doc.comments.insert(doc.comments.begin(),
                      {fmt::format("Converted by kconf2toml from {} (keepalived.conf); see docs/config.md.", name),
                       "Lines starting with \"kconf2toml:\" explain what changed or could not be converted."});
  if (parsed.used_conditionals) {
    doc.comments.push_back(fmt::format("@conditional lines selected for config id \"{}\".", options.parse.config_id));
  }
  result.text = options.format == Format::kYaml ? to_yaml(doc) : to_toml(doc);
  result.outcome = options.strict && problems ? Outcome::kConvertedWithErrors : Outcome::kConverted;
  return result;
}

}  // namespace

Conversion convert_file(const std::string& path, const FileSource& files, const ConvertOptions& options) {
  return finish(parse_file(path, files, options.parse), path, options);
}

Conversion convert_text(std::string_view text, const std::string& name, const FileSource& files,
                        const ConvertOptions& options) {
  return finish(parse_text(text, name, files, options.parse), name, options);
}

}  // namespace vigil::kconf
