// Converts every keepalived.conf of the corpus and loads each result with Vigil's config loader:
// - every file converts (the MALFORMED one fails with an error naming its bad line);
// - the only warnings are about keepalived input outside Vigil's schema (or invalid in keepalived
//   itself), never about the converter;
// - the TOML output loads without error, and the YAML output loads to the same model.
// Exit 77 (skipped) when the corpus is not there.
#include <algorithm>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "config/loader.hpp"
#include "kconf2toml/converter.hpp"

namespace fs = std::filesystem;
using vigil::kconf::Severity;

namespace {

// What a corpus warning may be about: keepalived input Vigil does not express, or input keepalived
// itself would reject or ignore (anonymised addresses, template placeholders, unknown keywords).
bool is_expected_warning(const std::string& message) {
  for (const char* allowed : {"is not supported by Vigil", "unknown keyword", "not converted",
                              "is not defined; left as written", "only the first 8", "at most 255 addresses",
                              "template placeholder", "matches no file", "longer than keepalived's limit"}) {
    if (message.find(allowed) != std::string::npos) return true;
  }
  return false;
}

std::vector<fs::path> corpus_files(const fs::path& dir) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(dir)) {
    if (entry.is_regular_file() && entry.path().extension() == ".conf") files.push_back(entry.path());
    // A sub-folder holds an include layout: its keepalived.conf is the main file.
    if (entry.is_directory() && fs::exists(entry.path() / "keepalived.conf")) {
      files.push_back(entry.path() / "keepalived.conf");
    }
  }
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 2 || !fs::is_directory(argv[1])) {
    std::cout << "SKIP: keepalived corpus not found at " << (argc > 1 ? argv[1] : "(no path given)")
              << " (it lives in shared/corpus/keepalived beside the repository)\n";
    return 77;
  }
  vigil::kconf::DiskFileSource disk;
  int failures = 0;
  std::size_t files = 0;
  std::size_t warnings = 0;
  for (const auto& path : corpus_files(argv[1])) {
    ++files;
    const std::string name = fs::relative(path, argv[1]).string();
    const bool malformed = name.find("MALFORMED") != std::string::npos;
    vigil::kconf::ConvertOptions options;
    options.parse.config_id = "low";  // the corpus's @low/@high lines come from a two-node test harness
    const auto toml = vigil::kconf::convert_file(path.string(), disk, options);
    auto fail = [&](const std::string& why) {
      std::cout << "FAIL " << name << ": " << why << '\n';
      ++failures;
    };

    if (malformed) {
      const bool names_line = std::any_of(toml.diagnostics.begin(), toml.diagnostics.end(), [](const auto& d) {
        return d.severity == Severity::kError && d.location.line > 0;
      });
      if (toml.outcome != vigil::kconf::Outcome::kUnreadable)
        fail("a malformed file was converted");
      else if (!names_line)
        fail("no error names the bad line");
      else
        std::cout << "ok   " << name << ": rejected (" << toml.diagnostics.front().to_string() << ")\n";
      continue;
    }
    if (toml.outcome != vigil::kconf::Outcome::kConverted) {
      fail(std::string("not converted: ") + to_string(toml.outcome));
      for (const auto& d : toml.diagnostics) std::cout << "     " << d.to_string() << '\n';
      continue;
    }
    std::size_t file_warnings = 0;
    for (const auto& d : toml.diagnostics) {
      if (d.severity == Severity::kNote) continue;
      ++file_warnings;
      if (!is_expected_warning(d.message)) fail("unexpected diagnostic: " + d.to_string());
    }
    warnings += file_warnings;

    const auto loaded = vigil::config::load_string(toml.text, vigil::config::Syntax::kToml, name + ".toml");
    if (!loaded.ok()) {
      fail("the TOML output does not load");
      for (const auto& d : loaded.diagnostics) std::cout << "     " << vigil::config::format(d) << '\n';
      continue;
    }
    options.format = vigil::kconf::Format::kYaml;
    const auto yaml = vigil::kconf::convert_file(path.string(), disk, options);
    const auto loaded_yaml = vigil::config::load_string(yaml.text, vigil::config::Syntax::kYaml, name + ".yaml");
    if (!loaded_yaml.ok()) {
      fail("the YAML output does not load");
      for (const auto& d : loaded_yaml.diagnostics) std::cout << "     " << vigil::config::format(d) << '\n';
      continue;
    }
    if (!(*loaded.config == *loaded_yaml.config)) {
      fail("the YAML output loads to a different model than the TOML output");
      continue;
    }
    std::cout << "ok   " << name << ": " << file_warnings << " warnings, TOML and YAML load to one model\n";
  }
  std::cout << files << " files, " << warnings << " warnings, " << failures << " failures\n";
  return failures == 0 ? 0 : 1;
}
