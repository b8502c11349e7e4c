#include "kconf2toml/map_context.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdlib>

#include "base/duration.hpp"
#include "kconf2toml/tokenizer.hpp"

namespace vigil::kconf {
namespace {

void render_into(const Node& node, std::size_t depth, std::vector<std::string>& lines) {
  std::string line(depth * 4, ' ');
  line += node.keyword;
  if (!node.raw_args.empty()) line += " " + node.raw_args;
  if (!node.has_block) {
    lines.push_back(std::move(line));
    return;
  }
  lines.push_back(line + " {");
  for (const auto& child : node.children) render_into(child, depth + 1, lines);
  lines.push_back(std::string(depth * 4, ' ') + "}");
}

void carry(const Node& node, Value& table, std::string_view headline) {
  table.notes.push_back(std::string(headline));
  for (const auto& line : render(node)) table.notes.push_back("  " + line);
}

// Outside quotes, does the line use the shell (operators, redirections, substitutions)?
struct ShellUse {
  bool shell = false;
  bool bash = false;
};

ShellUse shell_use(std::string_view line) {
  ShellUse use;
  char quote = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    const std::string_view rest = line.substr(i);
    if (c == '\\') {
      ++i;
      continue;
    }
    if (quote == '\'') {
      if (c == '\'') quote = 0;
      continue;
    }
    if (rest.substr(0, 2) == "$(" || c == '`') use.shell = true;  // substitution works inside "..." too
    if (quote == '"') {
      if (c == '"') quote = 0;
      continue;
    }
    if (c == '\'' || c == '"') {
      quote = c;
      continue;
    }
    if (c == ';' || c == '|' || c == '&' || c == '>' || c == '<') use.shell = true;
    if (rest.substr(0, 2) == "[[" || rest.substr(0, 2) == "]]" || rest.substr(0, 2) == "<(" ||
        rest.substr(0, 2) == ">(" || rest.substr(0, 2) == "$'" || rest.substr(0, 2) == "&>" ||
        rest.substr(0, 2) == "((") {
      use.shell = true;
      use.bash = true;
    }
  }
  return use;
}

bool is_shell_safe(std::string_view word) {
  if (word.empty()) return false;
  for (const char c : word) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
                    c == '.' || c == '/' || c == ':' || c == '=' || c == '@' || c == '%' || c == '+' || c == ',' ||
                    c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

std::vector<std::string> render(const Node& node) {
  std::vector<std::string> lines;
  render_into(node, 0, lines);
  return lines;
}

std::string origin(const Node& node) { return "from " + node.location.to_string(); }

bool is_placeholder(std::string_view word) {
  return word.find("{{") != std::string_view::npos || word.find("${") != std::string_view::npos ||
         (word.size() > 1 && word[0] == '$');
}

Value duration_value(double seconds) {
  const auto micros = static_cast<long long>(std::llround(seconds * 1e6));
  if (micros % 1000000 == 0) return Value::integer(micros / 1000000);
  return Value::string(format_duration(std::chrono::microseconds(micros)));
}

void MapContext::unsupported(const Node& node, Value& table, std::string_view advice) {
  diagnostics_.warning(node.location, fmt::format("'{}' is not supported by Vigil: {}", node.keyword, advice));
  carry(node, table, fmt::format("kconf2toml: not converted ({}): {}", node.location.to_string(), advice));
}

void MapContext::unknown(const Node& node, Value& table, std::string_view section, std::string_view hint) {
  if (is_placeholder(node.keyword)) {
    invalid(node, table, "a template placeholder stands where a keyword belongs: render the template, then convert");
    return;
  }
  diagnostics_.warning(node.location,
                       fmt::format("unknown keyword '{}' in {}: keepalived reports \"Unknown keyword\" and ignores "
                                   "it, so it is dropped; {}",
                                   node.keyword, section,
                                   hint.empty() ? std::string("check the spelling or remove the line")
                                                : fmt::format("did you mean '{}'?", hint)));
  carry(node, table,
        fmt::format("kconf2toml: unknown keyword, ignored by keepalived ({}):", node.location.to_string()));
}

void MapContext::invalid(const Node& node, Value& table, std::string_view why) {
  const bool says_so = why.find("not converted") != std::string_view::npos;
  diagnostics_.warning(node.location, fmt::format("'{}': {}{}", node.keyword, why, says_so ? "" : "; not converted"));
  carry(node, table, fmt::format("kconf2toml: not converted ({}): {}", node.location.to_string(), why));
}

void MapContext::note(const Node& node, Value& value, std::string_view what) {
  diagnostics_.note(node.location, std::string(what));
  value.comments.push_back(fmt::format("kconf2toml: {} ({})", what, node.location.to_string()));
}

bool MapContext::need_args(const Node& node, std::size_t count, Value& table) {
  if (node.args.size() >= count) return true;
  invalid(node, table, count == 1 ? "a value is missing" : fmt::format("{} values are needed", count));
  return false;
}

std::optional<std::int64_t> MapContext::integer(const Node& node, std::size_t index, std::int64_t min, std::int64_t max,
                                                Value& table) {
  if (!need_args(node, index + 1, table)) return std::nullopt;
  const std::string& text = node.args[index];
  if (is_placeholder(text)) {
    invalid(node, table, fmt::format("'{}' is a template placeholder: render the template, then convert", text));
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const long long value = std::strtoll(text.c_str(), &end, 10);
  if (text.empty() || errno != 0 || *end != '\0') {
    invalid(node, table, fmt::format("'{}' is not a number", text));
    return std::nullopt;
  }
  if (value < min || value > max) {
    invalid(node, table, fmt::format("{} is outside {}..{}", value, min, max));
    return std::nullopt;
  }
  return value;
}

std::optional<bool> MapContext::flag(const Node& node, Value& table, std::size_t index) {
  if (node.args.size() <= index) return true;
  const std::string& word = node.args[index];
  // 1/0 are not keepalived booleans, but old configs use them (`alpha 1`) and the intent is plain.
  if (word == "on" || word == "true" || word == "yes" || word == "1") return true;
  if (word == "off" || word == "false" || word == "no" || word == "0") return false;
  invalid(node, table, fmt::format("'{}' is not on/off, true/false or yes/no", word));
  return std::nullopt;
}

std::optional<double> MapContext::seconds(const Node& node, std::size_t index, double min, double max, Value& table) {
  if (!need_args(node, index + 1, table)) return std::nullopt;
  const std::string& text = node.args[index];
  if (is_placeholder(text)) {
    invalid(node, table, fmt::format("'{}' is a template placeholder: render the template, then convert", text));
    return std::nullopt;
  }
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text.c_str(), &end);
  if (text.empty() || errno != 0 || *end != '\0' || !std::isfinite(value)) {
    invalid(node, table, fmt::format("'{}' is not a number of seconds", text));
    return std::nullopt;
  }
  if (value < min || value > max) {
    invalid(node, table, fmt::format("{} s is outside {}..{} s", text, min, max));
    return std::nullopt;
  }
  return value;
}

std::optional<Value> MapContext::command(const Node& node, Value& table) {
  std::string_view raw = node.raw_args;
  if (raw.empty()) {
    invalid(node, table, "the command is missing");
    return std::nullopt;
  }
  // `script "cmd args"`: keepalived takes the quoted string as the whole command line.
  std::string line(raw);
  if (raw.size() >= 2 && raw.front() == '"' && raw.find('"', 1) == raw.size() - 1) {
    line = std::string(raw.substr(1, raw.size() - 2));
  }
  const auto use = shell_use(line);
  if (use.shell) {
    Value value;
    if (use.bash) {
      value = Value::table();
      value.prefer_inline = true;
      value.set("command", Value::string(line));
      value.set("shell", Value::string("/bin/bash"));
    } else {
      value = Value::string(line);
    }
    note(node, value,
         fmt::format("'{}' uses shell syntax: keepalived 1.x ran it through /bin/sh, 2.x passes the operators to the "
                     "program as arguments; Vigil runs it through {}",
                     node.keyword, use.bash ? "/bin/bash (bash syntax)" : "the shell"));
    return value;
  }
  std::string error;
  auto words = split_command(line, error);
  if (!error.empty() || words.empty()) {
    invalid(node, table, error.empty() ? "the command is empty" : "bad quoting in the command: " + error);
    return std::nullopt;
  }
  if (std::all_of(words.begin(), words.end(), [](const std::string& w) { return is_shell_safe(w); })) {
    std::string joined;
    for (const auto& w : words) joined += (joined.empty() ? "" : " ") + w;
    return Value::string(joined);  // the shell splits it exactly as keepalived did
  }
  Value argv = Value::array();  // exact argv: quotes, escapes or shell characters inside words
  for (auto& w : words) argv.push(Value::string(std::move(w)));
  return argv;
}

}  // namespace vigil::kconf
