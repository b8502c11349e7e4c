#include "kconf2toml/line_engine.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <filesystem>

#include "kconf2toml/tokenizer.hpp"

namespace vigil::kconf {
namespace {

bool is_name_start(char c) { return std::isalpha(static_cast<unsigned char>(c)) != 0 || c == '_'; }
bool is_name_char(char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_'; }

bool is_include_keyword(std::string_view word) {
  // includer/includem/includew/includeb/includea only add checks on top of plain include.
  return word == "include" || word == "includer" || word == "includem" || word == "includew" || word == "includeb" ||
         word == "includea";
}

bool is_conflict_marker(std::string_view line) {
  for (const std::string_view marker : {"<<<<<<<", "=======", ">>>>>>>", "|||||||"}) {
    if (line.substr(0, marker.size()) == marker &&
        (line.size() == marker.size() || line[marker.size()] == ' ' || line[marker.size()] == '\t')) {
      return true;
    }
  }
  return false;
}

std::string directory_of(const std::string& path) { return std::filesystem::path(path).parent_path().string(); }

// strtol with base 0 (decimal, 0x hex, 0 octal), as keepalived reads ~SEQ numbers.
std::optional<long long> read_number(std::string_view text) {
  const std::string copy(trim(text));
  if (copy.empty()) return std::nullopt;
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(copy.c_str(), &end, 0);
  if (errno != 0 || end == nullptr || *end != '\0') return std::nullopt;
  return value;
}

}  // namespace

LineEngine::LineEngine(const FileSource& files, const ParseOptions& options, Diagnostics& diagnostics, Sink sink)
    : files_(files), options_(options), diagnostics_(diagnostics), sink_(std::move(sink)) {}

bool LineEngine::run_file(const std::string& path) {
  auto text = files_.read(path);
  if (!text) {
    diagnostics_.error(Location{path, 0}, "cannot read the file");
    return false;
  }
  read_text(*text, path, files_.absolute(path));
  return true;
}

void LineEngine::run_text(std::string_view text, const std::string& name) {
  read_text(text, name, files_.absolute(name));
}

void LineEngine::abort(const Location& location, const std::string& why) {
  if (!aborted_) diagnostics_.error(location, why + "; the rest of the configuration is not read");
  aborted_ = true;
}

bool LineEngine::spend_line(const Location& location) {
  if (++generated_ > options_.limits.generated_lines) {
    abort(location,
          fmt::format("more than {} lines generated (runaway ~SEQ or macro?)", options_.limits.generated_lines));
    return false;
  }
  return true;
}

void LineEngine::read_text(std::string_view text, const std::string& display, const std::string& absolute) {
  if (include_stack_.size() >= options_.limits.include_depth) {
    diagnostics_.error(Location{display, 0}, "includes nested too deeply; file skipped");
    return;
  }
  include_stack_.push_back(absolute);
  directory_stack_.push_back(directory_of(display));

  if (text.substr(0, 3) == "\xEF\xBB\xBF") text.remove_prefix(3);  // UTF-8 byte order mark
  std::size_t line_number = 0;
  while (!text.empty() && !aborted_) {
    const auto newline = text.find('\n');
    std::string_view raw = text.substr(0, newline);
    text.remove_prefix(newline == std::string_view::npos ? text.size() : newline + 1);
    ++line_number;
    const Location location{display, line_number};
    while (!raw.empty() && (raw.back() == '\r' || raw.back() == '\n')) raw.remove_suffix(1);

    if (raw.empty()) {
      // keepalived ends a multi-line definition at a truly empty line (not at a comment line).
      if (!collecting_.empty()) {
        auto& definition = definitions_[collecting_];
        if (definition.lines.empty()) definition.multiline = false;
        collecting_.clear();
      }
      continue;
    }
    if (raw.find('\0') != std::string_view::npos) {
      diagnostics_.warning(location, "line contains a NUL byte; keepalived rejects it: line ignored");
      continue;
    }
    if (raw.size() > options_.limits.line_length) {
      diagnostics_.warning(location, fmt::format("line of {} characters is longer than keepalived's limit of {}; "
                                                 "keepalived ignores it: line ignored",
                                                 raw.size(), options_.limits.line_length));
      continue;
    }
    if (is_conflict_marker(raw)) {
      diagnostics_.error(location, fmt::format("'{}' is a git merge conflict marker: resolve the conflict first",
                                               std::string(trim(raw))));
      continue;
    }
    auto decommented = decomment(raw);
    if (decommented.unterminated_quote) {
      diagnostics_.error(location, "unterminated double quote");
    }
    if (decommented.text.empty()) continue;
    feed(std::move(decommented.text), location);
  }

  include_stack_.pop_back();
  directory_stack_.pop_back();
}

void LineEngine::include(const std::vector<std::string>& words, const Location& location) {
  std::string pattern = words[1];
  if (!pattern.empty() && pattern.front() != '/') {
    // Relative to the including file's directory (keepalived chdir()s into it).
    const auto& dir = directory_stack_.back();
    if (!dir.empty()) pattern = (std::filesystem::path(dir) / pattern).lexically_normal().string();
  }
  const auto paths = files_.expand(pattern);
  if (paths.empty()) {
    // keepalived ignores an include that matches nothing; say so, since the operator may not know.
    diagnostics_.note(location, fmt::format("include '{}' matches no file (keepalived ignores it too)", words[1]));
    return;
  }
  for (const auto& path : paths) {
    if (aborted_) return;
    const auto absolute = files_.absolute(path);
    if (std::find(include_stack_.begin(), include_stack_.end(), absolute) != include_stack_.end()) {
      diagnostics_.error(location, fmt::format("include cycle: '{}' is already being read; not included again", path));
      continue;
    }
    auto text = files_.read(path);
    if (!text) {
      diagnostics_.warning(location, fmt::format("cannot read included file '{}'; skipped", path));
      continue;
    }
    read_text(*text, path, absolute);
  }
}

void LineEngine::feed(std::string line, const Location& location) {
  if (aborted_) return;
  if (!collecting_.empty()) {
    auto& definition = definitions_[collecting_];
    const bool more = !line.empty() && line.back() == '\\';
    if (more) {
      line.pop_back();
      while (!line.empty() && is_blank(line.back())) line.pop_back();
    } else {
      collecting_.clear();
    }
    if (!line.empty()) definition.lines.push_back(std::move(line));
    if (!more && definition.lines.empty()) definition.multiline = false;
    return;
  }
  if (line.empty()) return;
  if (nesting_ >= options_.limits.nesting) {
    abort(location, "macro and ~SEQ expansions nested too deeply (a definition that uses itself?)");
    return;
  }
  ++nesting_;
  process(std::move(line), location);
  --nesting_;
}

bool LineEngine::apply_conditional(std::string& line) const {
  used_conditionals_ = true;
  const bool reverse = line.size() > 1 && line[1] == '^';
  const std::size_t start = reverse ? 2 : 1;
  const auto blank = line.find_first_of(" \t", start);
  if (blank == std::string::npos) return false;  // nothing after the id: the line is dropped
  const std::string_view id(line.data() + start, blank - start);
  const bool matches = !options_.config_id.empty() && id == options_.config_id;
  if (matches == reverse) return false;
  const auto rest = line.find_first_not_of(" \t", blank);
  line = rest == std::string::npos ? std::string() : line.substr(rest);
  return true;
}

bool LineEngine::define(const std::string& line) {
  if (line.size() < 2 || !is_name_start(line[1])) return false;
  std::size_t i = 2;
  while (i < line.size() && is_name_char(line[i])) ++i;
  if (i >= line.size() || line[i] != '=') return false;
  const std::string name = line.substr(1, i - 1);
  std::string value(trim(std::string_view(line).substr(i + 1)));
  Definition definition;
  if (!value.empty() && value.back() == '\\') {
    value.pop_back();
    while (!value.empty() && is_blank(value.back())) value.pop_back();
    definition.multiline = true;
    collecting_ = name;
  }
  if (!value.empty() || !definition.multiline) definition.lines.push_back(std::move(value));
  definitions_[name] = std::move(definition);
  return true;
}

void LineEngine::process(std::string line, const Location& location) {
  if (line.rfind("include", 0) == 0) {
    const auto tokens = tokenize(line);
    if (!tokens.words.empty() && is_include_keyword(tokens.words[0])) {
      if (tokens.words.size() == 2) {
        include(tokens.words, location);
      } else {
        diagnostics_.warning(location, "include takes exactly one file name or pattern; line ignored");
      }
      return;
    }
  }

  std::vector<std::string> pending;  // further lines of multi-line definitions used on this line
  std::set<std::string> warned;
  std::size_t expansions = 0;  // across the re-checks of this line, so a growing line stops too
  while (!line.empty()) {
    if (line[0] == '@' && !apply_conditional(line)) {
      line.clear();
      break;
    }
    if (line.empty()) break;
    if (line[0] == '$' && define(line)) {
      line.clear();
      break;
    }
    if (line.rfind("~SEQ", 0) == 0) {
      run_seq(line, location);
      line.clear();
      break;
    }
    if (line[0] == '~') break;
    if (line.find('$') != std::string::npos && expand(line, pending, warned, expansions, location)) continue;
    break;
  }
  if (!line.empty()) emit(line, location);
  for (auto& extra : pending) feed(std::move(extra), location);
}

std::optional<LineEngine::Reference> LineEngine::parse_reference(const std::string& line, std::size_t dollar) const {
  std::size_t i = dollar + 1;
  const bool braces = i < line.size() && line[i] == '{';
  if (braces) ++i;
  if (i >= line.size() || !is_name_start(line[i])) return std::nullopt;
  const std::size_t name_start = i;
  while (i < line.size() && is_name_char(line[i])) ++i;
  Reference ref;
  ref.name = line.substr(name_start, i - name_start);
  if (braces) {
    if (i < line.size() && line[i] == ' ') {
      const auto close = line.find('}', i);
      if (close == std::string::npos) return std::nullopt;
      ref.params = std::string(trim(std::string_view(line).substr(i, close - i)));
      ref.has_params = true;
      i = close;
    }
    if (i >= line.size() || line[i] != '}') return std::nullopt;
    ++i;
  } else if (i < line.size() && line[i] != ' ' && line[i] != '\t' && line[i] != ',' && line[i] != ')') {
    return std::nullopt;  // "$NAME" must end at a blank, ',' or ')' to be a reference
  }
  ref.length = i - dollar;
  return ref;
}

std::optional<std::string> LineEngine::builtin(const Reference& ref, const Location& location) {
  if (ref.name == "_PWD" && !ref.has_params) {
    const auto& dir = directory_stack_.back();
    std::string absolute = files_.absolute(dir.empty() ? "." : dir);
    while (absolute.size() > 1 && absolute.back() == '/') absolute.pop_back();
    return absolute;
  }
  if (ref.name == "_INSTANCE" && !ref.has_params) return options_.config_id;
  if (ref.name == "_HASH" && !ref.has_params) return std::string("#");
  if (ref.name == "_BANG" && !ref.has_params) return std::string("!");
  if (ref.name == "_ENV" && ref.has_params) {
    if (!options_.environment) return std::string();
    return options_.environment(ref.params).value_or(std::string());
  }
  if (ref.name == "_RANDOM") {
    long long low = 0;
    if (ref.has_params) {
      const auto first = ref.params.substr(0, ref.params.find(' '));
      low = read_number(first).value_or(0);
    }
    diagnostics_.warning(location, fmt::format("${{_RANDOM}} gives a random number at each keepalived start; the "
                                               "conversion uses its minimum {} to stay deterministic",
                                               low));
    return std::to_string(low);
  }
  return std::nullopt;
}

bool LineEngine::expand(std::string& line, std::vector<std::string>& pending, std::set<std::string>& warned,
                        std::size_t& expansions, const Location& location) {
  bool changed = false;
  std::size_t pos = 0;
  while ((pos = line.find('$', pos)) != std::string::npos && pos + 1 < line.size()) {
    const auto ref = parse_reference(line, pos);
    if (!ref) {
      ++pos;
      continue;
    }
    const bool at_end = pos + ref->length == line.size();
    std::string value;
    std::vector<std::string> more_lines;
    if (const auto it = definitions_.find(ref->name); it != definitions_.end() && !ref->has_params) {
      const auto& definition = it->second;
      if (definition.multiline && !at_end) {
        if (warned.insert(ref->name).second) {
          diagnostics_.warning(location, fmt::format("multi-line definition ${} is only expanded at the end of a "
                                                     "line; left as written",
                                                     ref->name));
        }
        pos += ref->length;
        continue;
      }
      if (!definition.lines.empty()) value = definition.lines.front();
      if (definition.multiline && definition.lines.size() > 1) {
        more_lines.assign(definition.lines.begin() + 1, definition.lines.end());
      }
    } else if (auto builtin_value = builtin(*ref, location)) {
      value = std::move(*builtin_value);
    } else {
      if (warned.insert(ref->name).second) {
        diagnostics_.warning(location, fmt::format("${} is not defined; left as written", ref->name));
      }
      pos += ref->length;
      continue;
    }
    if (++expansions > options_.limits.expansions_per_line) {
      diagnostics_.error(location, fmt::format("more than {} substitutions on one line (a definition that uses "
                                               "itself?); expansion stopped",
                                               options_.limits.expansions_per_line));
      return false;
    }
    if (line.size() - ref->length + value.size() > options_.limits.expanded_line_length) {
      diagnostics_.error(location, fmt::format("substituting ${} would make the line longer than {} characters; "
                                               "expansion stopped",
                                               ref->name, options_.limits.expanded_line_length));
      return false;
    }
    line.replace(pos, ref->length, value);
    pending.insert(pending.begin(), std::make_move_iterator(more_lines.begin()),
                   std::make_move_iterator(more_lines.end()));
    changed = true;
    const auto first = value.find_first_not_of(" \t");
    if (first != std::string::npos && value[first] == '~') break;  // a ~SEQ sets its variable later
    // The replacement is scanned again: definitions expand recursively.
  }
  return changed;
}

void LineEngine::run_seq(const std::string& line, const Location& location) {
  const auto invalid = [&](const std::string& why) {
    diagnostics_.error(location, fmt::format("invalid ~SEQ '{}': {}", line, why));
  };
  std::size_t p = 4;
  const bool hex = p < line.size() && line[p] == 'x';
  if (hex) ++p;
  while (p < line.size() && is_blank(line[p])) ++p;
  if (p >= line.size() || line[p] != '(') return invalid("expected '('");
  ++p;
  while (p < line.size() && is_blank(line[p])) ++p;
  const std::size_t var_start = p;
  while (p < line.size() && !is_blank(line[p]) && line[p] != ',' && line[p] != ')') ++p;
  const std::string var = line.substr(var_start, p - var_start);
  while (p < line.size() && is_blank(line[p])) ++p;
  if (var.empty() || p >= line.size() || line[p] != ',') return invalid("expected (VAR, [START,] [STEP,] END)");
  ++p;
  const auto close = line.find(')', p);
  if (close == std::string::npos) return invalid("missing ')'");
  std::string params = line.substr(p, close - p);
  std::vector<std::string> pending;
  std::set<std::string> warned;
  std::size_t expansions = 0;
  if (params.find('$') != std::string::npos) expand(params, pending, warned, expansions, location);
  if (!pending.empty()) return invalid("a parameter is a multi-line definition");

  std::vector<long long> numbers;
  std::size_t start = 0;
  while (true) {
    const auto comma = params.find(',', start);
    const auto number = read_number(std::string_view(params).substr(start, comma - start));
    if (!number) return invalid("parameters must be numbers");
    numbers.push_back(*number);
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  long long first = 1;
  long long step = 1;
  long long last = 1;
  if (numbers.size() == 1) {
    last = numbers[0];
    step = last < 1 ? -1 : 1;
    first = last < 0 ? -1 : 1;
  } else if (numbers.size() == 2) {
    first = numbers[0];
    last = numbers[1];
    step = first <= last ? 1 : -1;
  } else if (numbers.size() == 3) {
    first = numbers[0];
    step = numbers[1];
    last = numbers[2];
    if (step == 0 || (first < last && step < 0) || (first > last && step > 0)) {
      return invalid("the step does not lead from start to end");
    }
  } else {
    return invalid("too many parameters");
  }
  if (hex && (first < 0 || last < 0)) return invalid("~SEQx takes only positive numbers");
  const auto span = static_cast<unsigned long long>(last > first ? last - first : first - last);
  const auto steps = span / static_cast<unsigned long long>(step < 0 ? -step : step) + 1;
  if (steps > options_.limits.generated_lines - std::min(generated_, options_.limits.generated_lines)) {
    abort(location, fmt::format("~SEQ of {} steps exceeds the limit of {} generated lines", steps,
                                options_.limits.generated_lines));
    return;
  }

  std::string rest(trim(std::string_view(line).substr(close + 1)));
  long long value = first;
  for (unsigned long long n = 0; n < steps && !aborted_; ++n, value += step) {
    if (!spend_line(location)) return;
    definitions_[var] = Definition{{hex ? fmt::format("{:x}", value) : std::to_string(value)}, false};
    feed(rest, location);
  }
}

void LineEngine::emit(std::string_view line, const Location& location) {
  // A '{' or '}' outside double quotes splits the line, so `track_script { chk }` is three lines.
  // `{{ NAME }}` template placeholders (Jinja, Mustache) are kept whole so the converter can name them.
  while (!aborted_) {
    line = trim(line);
    if (line.empty()) return;
    std::size_t split = std::string_view::npos;
    if ((line[0] == '{' && line.substr(0, 2) != "{{") || line[0] == '}') {
      split = 0;
    } else {
      for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == '"') {
          const auto close = line.find('"', i + 1);
          if (close == std::string_view::npos) break;
          i = close;
          continue;
        }
        if (c == '$' && line.substr(i, 2) == "${") {  // an unexpanded ${NAME} stays one word
          const auto close = line.find('}', i + 2);
          if (close != std::string_view::npos) {
            i = close;
            continue;
          }
        }
        if (c == '{' && line.substr(i, 2) == "{{") {
          const auto close = line.find("}}", i + 2);
          if (close != std::string_view::npos) {
            i = close + 1;
            continue;
          }
        }
        if (c == '{' || c == '}') {
          split = i;
          break;
        }
      }
    }
    if (!spend_line(location)) return;
    if (split == std::string_view::npos) {
      sink_(line, location);
      return;
    }
    if (split == 0) {
      sink_(line.substr(0, 1), location);
      line.remove_prefix(1);
    } else {
      sink_(trim(line.substr(0, split)), location);
      line.remove_prefix(split);
    }
  }
}

}  // namespace vigil::kconf
