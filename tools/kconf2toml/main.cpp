// kconf2toml: convert a keepalived.conf into a Vigil configuration (TOML or YAML).
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <string>

#include "kconf2toml/converter.hpp"

namespace {

constexpr const char* kExamples = R"(Examples:
  kconf2toml /etc/keepalived/keepalived.conf -o /etc/vigil/vigil.toml
  kconf2toml --format yaml keepalived.conf > vigil.yaml
  kconf2toml --config-id lb2 keepalived.conf      # select the @lb2 lines
  kconf2toml --strict keepalived.conf -o vigil.toml && vigild --check --config vigil.toml
  cat keepalived.conf | kconf2toml -              # read standard input (includes: relative to .)

Exit status: 0 converted; 1 converted, but --strict found warnings (now errors);
2 the input cannot be read or parsed (nothing is written).
Every warning names file:line and says what to do; the output carries every line it could not
convert as a comment starting with "kconf2toml:".)";

// keepalived's default config id: the host name up to the first dot.
std::string default_config_id() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return {};
  std::string host(name);
  return host.substr(0, host.find('.'));
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"Convert a keepalived.conf (includes, @conditionals, $macros, ~SEQ) to a Vigil config.", "kconf2toml"};
  app.footer(kExamples);
  std::string input;
  std::string output;
  std::string format = "toml";
  std::string config_id;
  bool strict = false;
  app.add_option("FILE", input, "keepalived.conf to convert, or - for standard input")->required();
  app.add_option("-o,--output", output, "write the result here instead of standard output");
  app.add_option("--format", format, "output syntax")->check(CLI::IsMember({"toml", "yaml"}));
  app.add_option("--config-id", config_id, "select @ID lines as keepalived -i ID does (default: the host name)");
  app.add_flag("--strict", strict, "treat every warning as an error (exit 1)");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? 0 : 2;  // --help is 0; a usage error, like unreadable input, is 2
  }

  vigil::kconf::ConvertOptions options;
  options.format = format == "yaml" ? vigil::kconf::Format::kYaml : vigil::kconf::Format::kToml;
  options.strict = strict;
  options.parse.config_id = config_id.empty() ? default_config_id() : config_id;
  options.parse.environment = [](const std::string& name) -> std::optional<std::string> {
    // NOLINTNEXTLINE(concurrency-mt-unsafe): single-threaded tool, environment never modified.
    if (const char* value = std::getenv(name.c_str())) return std::string(value);
    return std::nullopt;
  };

  vigil::kconf::DiskFileSource files;
  vigil::kconf::Conversion result;
  if (input == "-") {
    const std::string text((std::istreambuf_iterator<char>(std::cin)), std::istreambuf_iterator<char>());
    result = vigil::kconf::convert_text(text, "<stdin>", files, options);
  } else {
    result = vigil::kconf::convert_file(input, files, options);
  }
  for (const auto& d : result.diagnostics) std::cerr << d.to_string() << '\n';
  if (result.outcome == vigil::kconf::Outcome::kUnreadable) {
    std::cerr << "kconf2toml: " << input << ": not converted\n";
    return vigil::kconf::exit_code(result.outcome);
  }
  if (output.empty()) {
    std::cout << result.text;
  } else {
    std::ofstream out(output, std::ios::binary | std::ios::trunc);
    out << result.text;
    if (!out.flush()) {
      std::cerr << "kconf2toml: cannot write " << output << '\n';
      return 2;
    }
  }
  return vigil::kconf::exit_code(result.outcome);
}
