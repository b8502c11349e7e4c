// vigil_schema_gen [OUT]: writes the config's JSON Schema to OUT (or stdout).
// Regenerate the committed copy with:
//   cmake --build BUILD --target vigil_schema_gen && BUILD/src/config/vigil_schema_gen docs/vigil.schema.json
#include <fstream>
#include <iostream>

#include "config/loader.hpp"

int main(int argc, char** argv) {
  const std::string text = vigil::config::json_schema();
  if (argc < 2) {
    std::cout << text;
    return 0;
  }
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out << text;
  if (!out) {
    std::cerr << "vigil_schema_gen: cannot write " << argv[1] << '\n';
    return 1;
  }
  return 0;
}
