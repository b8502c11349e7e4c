#pragma once
// The located keyword tree: what keepalived's process_stream() walks, before any keyword has meaning.
#include <string>
#include <vector>

#include "kconf2toml/diagnostic.hpp"

namespace vigil::kconf {

struct Node {
  std::string keyword;
  std::vector<std::string> args;  // words after the keyword, quotes removed
  std::string raw_args;           // the text after the keyword as written (quotes kept), for command lines
  std::vector<Node> children;
  bool has_block = false;  // `keyword { ... }`, even when empty
  Location location;

  // Every word of the line: keyword then args (value-block lines such as "10.0.0.1/24 dev eth0").
  [[nodiscard]] std::vector<std::string> words() const;
};

}  // namespace vigil::kconf
