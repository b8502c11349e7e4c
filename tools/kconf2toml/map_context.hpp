#pragma once
// Shared by the section mappers: argument readers that report in keepalived's terms, and the rule
// that nothing is dropped silently (each unconverted line becomes a warning and a comment).
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "kconf2toml/diagnostic.hpp"
#include "kconf2toml/document.hpp"
#include "kconf2toml/keyword_tree.hpp"

namespace vigil::kconf {

class MapContext {
 public:
  explicit MapContext(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  Diagnostics& diagnostics() { return diagnostics_; }

  // A keyword Vigil does not support: warning with the advice, and the lines as comments in `table`.
  void unsupported(const Node& node, Value& table, std::string_view advice);
  // A keyword keepalived does not know here ("Unknown keyword"): it ignored it, so do we, loudly.
  // `hint`: what the operator probably meant (a keyword of another section), or empty.
  void unknown(const Node& node, Value& table, std::string_view section, std::string_view hint = {});
  // A value keepalived would reject or that Vigil cannot express: warning, line kept as a comment.
  void invalid(const Node& node, Value& table, std::string_view why);
  // A semantic change made on purpose (priority 255 for MASTER, rounding...): a note and a comment.
  void note(const Node& node, Value& value, std::string_view what);

  [[nodiscard]] bool need_args(const Node& node, std::size_t count, Value& table);
  [[nodiscard]] std::optional<std::int64_t> integer(const Node& node, std::size_t index, std::int64_t min,
                                                    std::int64_t max, Value& table);
  // keepalived booleans: no argument = true; on/off, true/false, yes/no.
  [[nodiscard]] std::optional<bool> flag(const Node& node, Value& table, std::size_t index = 0);
  // keepalived timers: decimal seconds (micro-second resolution), min..max seconds.
  [[nodiscard]] std::optional<double> seconds(const Node& node, std::size_t index, double min, double max,
                                              Value& table);
  // A command line (script, notify*, misc_path, ...) in the form Vigil runs as keepalived did.
  [[nodiscard]] std::optional<Value> command(const Node& node, Value& table);

 private:
  Diagnostics& diagnostics_;
};

// A duration in the config's one rule: whole seconds as an integer, anything finer as "150ms".
[[nodiscard]] Value duration_value(double seconds);
// "from FILE:LINE" comment text for a converted block.
[[nodiscard]] std::string origin(const Node& node);
// The keepalived lines of a node (and its block) as they would be written, for comments.
[[nodiscard]] std::vector<std::string> render(const Node& node);
[[nodiscard]] inline bool is_one_of(std::string_view word, std::initializer_list<std::string_view> words) {
  for (const auto candidate : words) {
    if (word == candidate) return true;
  }
  return false;
}

// A template placeholder ({{ X }}, ${X}) left in a value: the file is a template, not a config.
[[nodiscard]] bool is_placeholder(std::string_view word);

}  // namespace vigil::kconf
