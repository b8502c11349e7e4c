// Any bytes through the keepalived parser and the whole conversion: no crash, no hang.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "kconf2toml/converter.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const vigil::kconf::MemoryFileSource files({
      {"/etc/keepalived/a.conf", "vrrp_script a {\n script \"/bin/true && x\"\n}\ninclude b.conf\n"},
      {"/etc/keepalived/b.conf", "$B= \\\nglobal_defs { \\\n router_id ${N} \\\n}\n\n"},
      {"/etc/keepalived/loop.conf", "include loop.conf\n"},
  });
  vigil::kconf::ConvertOptions options;
  options.parse.config_id = "a";
  // Small bounds keep each input fast; the production bounds only scale these up.
  options.parse.limits.generated_lines = 20000;
  options.parse.limits.expansions_per_line = 256;
  options.parse.limits.expanded_line_length = 4096;
  options.parse.limits.nesting = 16;
  options.parse.limits.include_depth = 8;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)vigil::kconf::convert_text(text, "/etc/keepalived/keepalived.conf", files, options);
  options.format = vigil::kconf::Format::kYaml;
  options.strict = true;
  (void)vigil::kconf::convert_text(text, "/etc/keepalived/keepalived.conf", files, options);
  return 0;
}
