#include "kconf2toml/tokenizer.hpp"

#include <cctype>

namespace vigil::kconf {

std::string_view trim(std::string_view text) {
  while (!text.empty() && is_blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && is_blank(text.back())) text.remove_suffix(1);
  return text;
}

DecommentedLine decomment(std::string_view line) {
  DecommentedLine out;
  line = trim(line);
  out.text.reserve(line.size());
  bool quoted = false;
  bool continued = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char c = line[i];
    if (c == '"') {
      quoted = !quoted;
      out.text += c;
      continue;
    }
    if (c == '\\') {
      if (i + 1 == line.size()) {
        continued = true;
        break;
      }
      const char next = line[i + 1];
      if (!quoted && (next == '#' || next == '!')) {
        out.text += next;
      } else {
        out.text += c;
        out.text += next;
      }
      ++i;
      continue;
    }
    if (!quoted && (c == '#' || c == '!')) break;
    out.text += c;
  }
  out.unterminated_quote = quoted;
  while (!out.text.empty() && is_blank(out.text.back())) out.text.pop_back();
  if (continued) out.text += '\\';
  return out;
}

Tokens tokenize(std::string_view line) {
  Tokens out;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i >= line.size()) break;
    if (line[i] == '"') {
      const auto close = line.find('"', i + 1);
      if (close == std::string_view::npos) {
        out.unmatched_quote = true;
        break;
      }
      out.words.emplace_back(line.substr(i + 1, close - i - 1));
      i = close + 1;
      continue;
    }
    const std::size_t start = i;
    if (line.substr(i, 2) == "{{") {
      // A template placeholder "{{ NAME }}" is one word, so the converter can name it.
      const auto close = line.find("}}", i + 2);
      if (close != std::string_view::npos) {
        i = close + 2;
        out.words.emplace_back(line.substr(start, i - start));
        continue;
      }
    }
    while (i < line.size() && !is_blank(line[i]) && line[i] != '"') ++i;
    out.words.emplace_back(line.substr(start, i - start));
  }
  return out;
}

namespace {

// One backslash escape starting after the '\' at line[i]; advances i past it.
char unescape(std::string_view line, std::size_t& i) {
  const char c = line[i];
  auto is_hex = [](char h) { return std::isxdigit(static_cast<unsigned char>(h)) != 0; };
  if (c == 'x' && i + 1 < line.size() && is_hex(line[i + 1])) {
    unsigned value = 0;
    ++i;
    for (int n = 0; n < 2 && i < line.size() && is_hex(line[i]); ++n, ++i) {
      const char h = line[i];
      value = value * 16 + static_cast<unsigned>(
                               std::isdigit(static_cast<unsigned char>(h)) ? h - '0' : (std::tolower(h) - 'a' + 10));
    }
    return static_cast<char>(value);
  }
  if (c == 'c' && i + 1 < line.size()) {
    const char control = static_cast<char>(line[i + 1] & 0x1f);
    i += 2;
    return control;
  }
  if (c >= '0' && c <= '7') {
    unsigned value = 0;
    for (int n = 0; n < 3 && i < line.size() && line[i] >= '0' && line[i] <= '7'; ++n, ++i) {
      value = value * 8 + static_cast<unsigned>(line[i] - '0');
    }
    return static_cast<char>(value);
  }
  ++i;
  switch (c) {
    case 'a': return '\a';
    case 'b': return '\b';
    case 'E': return '\x1b';
    case 'f': return '\f';
    case 'n': return '\n';
    case 'r': return '\r';
    case 't': return '\t';
    case 'v': return '\v';
    default: return c;
  }
}

}  // namespace

std::vector<std::string> split_command(std::string_view line, std::string& error) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (true) {
    while (i < line.size() && is_blank(line[i])) ++i;
    if (i >= line.size()) break;
    std::string word;
    char quote = 0;
    while (i < line.size()) {
      const char c = line[i];
      if (c == '\\') {
        ++i;
        if (i >= line.size()) {
          error = "missing character after '\\' at the end";
          return words;
        }
        word += unescape(line, i);
        continue;
      }
      if (quote != 0) {
        if (c == quote)
          quote = 0;
        else
          word += c;
        ++i;
        continue;
      }
      if (c == '"' || c == '\'') {
        quote = c;
        ++i;
        continue;
      }
      if (is_blank(c)) break;
      word += c;
      ++i;
    }
    if (quote != 0) {
      error = std::string("missing closing ") + quote;
      return words;
    }
    words.push_back(std::move(word));
  }
  return words;
}

}  // namespace vigil::kconf
