#pragma once
// Keyword tree -> Vigil's schema (docs/config.md), as a commented document.
#include <vector>

#include "kconf2toml/diagnostic.hpp"
#include "kconf2toml/document.hpp"
#include "kconf2toml/keyword_tree.hpp"

namespace vigil::kconf {

struct MapResult {
  Value document;
  std::vector<Diagnostic> diagnostics;
};

[[nodiscard]] MapResult map_to_vigil(const std::vector<Node>& nodes);

}  // namespace vigil::kconf
