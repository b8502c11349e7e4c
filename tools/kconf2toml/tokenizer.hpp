#pragma once
// keepalived's lexical rules for one line: comments, quotes and word splitting.
#include <string>
#include <string_view>
#include <vector>

namespace vigil::kconf {

struct DecommentedLine {
  std::string text;  // without comment, leading and trailing blanks; a continuation '\' is kept last
  bool unterminated_quote = false;
};

// `#` and `!` start a comment anywhere outside "double quotes" (single quotes do not protect them);
// `\#` and `\!` outside quotes stand for the character itself.
[[nodiscard]] DecommentedLine decomment(std::string_view line);

struct Tokens {
  std::vector<std::string> words;
  bool unmatched_quote = false;
};

// Words split on blanks; "a quoted string" is one word without its quotes; a word that does not
// start with a quote ends at the next blank or quote (keepalived's normal tokeniser).
[[nodiscard]] Tokens tokenize(std::string_view line);

// Script and notify command lines: 'single' and "double" quotes and shell-like backslash escapes
// (\n \t \xHH \NNN \cC ...), as keepalived splits them into argv. `error` is set on a missing quote.
[[nodiscard]] std::vector<std::string> split_command(std::string_view line, std::string& error);

// The blanks keepalived splits on.
[[nodiscard]] constexpr bool is_blank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
[[nodiscard]] std::string_view trim(std::string_view text);

}  // namespace vigil::kconf
