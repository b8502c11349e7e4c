#pragma once
// keepalived's line pre-processing: files and includes, @conditionals, $definitions, ~SEQ and the
// splitting of lines at braces. It hands logical lines, each with its original location, to a sink.
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "kconf2toml/diagnostic.hpp"
#include "kconf2toml/file_source.hpp"

namespace vigil::kconf {

// Bounds that keep hostile input (the fuzzer's) from exhausting time or memory. keepalived itself
// has only the line length limit; the others are far above anything a real configuration needs.
struct ParseLimits {
  std::size_t line_length = 1023;  // keepalived's buffer is MAXBUF = 1024 including the terminator
  std::size_t include_depth = 32;
  std::size_t nesting = 64;                  // macro / ~SEQ expansions inside expansions
  std::size_t expansions_per_line = 4096;    // $NAME substitutions while expanding one line
  std::size_t expanded_line_length = 65536;  // longest line an expansion may build
  std::size_t generated_lines = 4'000'000;   // logical lines (and ~SEQ steps) in the whole parse
};

struct ParseOptions {
  std::string config_id;  // selects `@ID` lines (keepalived's -i); empty matches no `@ID` line
  // `${_ENV NAME}`; unset variables expand to nothing. No callback: nothing is read from the environment.
  std::function<std::optional<std::string>(const std::string&)> environment;
  ParseLimits limits;
};

class LineEngine {
 public:
  using Sink = std::function<void(std::string_view line, const Location& location)>;

  LineEngine(const FileSource& files, const ParseOptions& options, Diagnostics& diagnostics, Sink sink);

  // The main file: unlike an include, it must exist.
  bool run_file(const std::string& path);
  void run_text(std::string_view text, const std::string& name);
  [[nodiscard]] bool used_conditionals() const { return used_conditionals_; }

 private:
  struct Definition {
    std::vector<std::string> lines;
    bool multiline = false;
  };
  struct Reference {
    std::size_t length = 0;  // of "$NAME" / "${NAME params}"
    std::string name;
    std::string params;
    bool has_params = false;
  };

  void read_text(std::string_view text, const std::string& display, const std::string& absolute);
  void include(const std::vector<std::string>& words, const Location& location);
  void feed(std::string line, const Location& location);
  void process(std::string line, const Location& location);
  bool apply_conditional(std::string& line) const;
  bool define(const std::string& line);
  void run_seq(const std::string& line, const Location& location);
  bool expand(std::string& line, std::vector<std::string>& pending, std::set<std::string>& warned,
              std::size_t& expansions, const Location& location);
  [[nodiscard]] std::optional<Reference> parse_reference(const std::string& line, std::size_t dollar) const;
  [[nodiscard]] std::optional<std::string> builtin(const Reference& ref, const Location& location);
  void emit(std::string_view line, const Location& location);
  bool spend_line(const Location& location);
  void abort(const Location& location, const std::string& why);

  const FileSource& files_;
  const ParseOptions& options_;
  Diagnostics& diagnostics_;
  Sink sink_;

  std::map<std::string, Definition, std::less<>> definitions_;
  std::string collecting_;                    // name of the multi-line definition being read, or empty
  std::vector<std::string> include_stack_;    // absolute paths, for cycles
  std::vector<std::string> directory_stack_;  // directory of the file being read, for ${_PWD} and includes
  std::size_t nesting_ = 0;
  std::size_t generated_ = 0;
  bool aborted_ = false;
  mutable bool used_conditionals_ = false;
};

}  // namespace vigil::kconf
