// YAML front-end: yaml-cpp text -> generic located tree. yaml-cpp's traps are handled here:
// marks are 0-based (we report 1-based), duplicate keys are accepted silently (we detect them),
// and scalars are untyped strings, so plain scalars are resolved with the YAML 1.2 core rules
// (yes/no/on/off stay strings, 010 is decimal) instead of as<T>(), whose fallback hides errors.
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <map>
#include <regex>
#include <string>
#include <yaml-cpp/yaml.h>

#include "config/tree.hpp"

namespace vigil::config {
namespace {

SourceLocation location_of(const YAML::Mark& mark, const std::string& file) {
  if (mark.line < 0) return SourceLocation{file, 0, 0};
  return SourceLocation{file, mark.line + 1, mark.column + 1};
}

class Converter {
 public:
  Converter(const std::string& file, std::vector<Diagnostic>& diagnostics) : file_(file), diagnostics_(diagnostics) {}

  Node convert(const YAML::Node& value, const SourceLocation& fallback, const std::string& path) {
    Node out;
    out.where = location_of(value.Mark(), file_);
    if (out.where.line == 0) out.where = fallback;
    switch (value.Type()) {
      case YAML::NodeType::Undefined:
      case YAML::NodeType::Null: out.kind = NodeKind::kNull; break;
      case YAML::NodeType::Scalar: resolve_scalar(value, out, path); break;
      case YAML::NodeType::Sequence: {
        out.kind = NodeKind::kArray;
        std::size_t index = 0;
        for (const YAML::Node& child : value) {
          out.items.push_back(convert(child, out.where, path + "[" + std::to_string(index) + "]"));
          ++index;
        }
        break;
      }
      case YAML::NodeType::Map: {
        out.kind = NodeKind::kTable;
        std::map<std::string, int> first_line;
        for (auto it = value.begin(); it != value.end(); ++it) {
          // Copies: the iterator's pair is a temporary, a reference into it dangles.
          const YAML::Node key = it->first;
          const YAML::Node child = it->second;
          const SourceLocation key_where = location_of(key.Mark(), file_);
          if (!key.IsScalar()) {
            error(key_where, path, "a key must be a string, not a " + std::string(key.IsMap() ? "map" : "list"));
            continue;
          }
          const std::string& name = key.Scalar();
          const std::string child_path = path.empty() ? name : path + "." + name;
          if (const auto seen = first_line.find(name); seen != first_line.end()) {
            error(key_where, child_path,
                  "duplicate key \"" + name + "\" (first defined at line " + std::to_string(seen->second) + ")");
            continue;
          }
          first_line.emplace(name, key_where.line);
          out.keys.push_back(name);
          out.key_locations.push_back(key_where);
          out.items.push_back(convert(child, key_where, child_path));
        }
        break;
      }
    }
    return out;
  }

 private:
  void error(const SourceLocation& where, const std::string& path, std::string message) {
    diagnostics_.push_back(Diagnostic{Severity::kError, where, path, std::move(message)});
  }

  void resolve_scalar(const YAML::Node& value, Node& out, const std::string& path) {
    const std::string& text = value.Scalar();
    const std::string& tag = value.Tag();
    out.text = text;
    out.kind = NodeKind::kString;
    if (tag == "!" || tag == "tag:yaml.org,2002:str") return;  // quoted or !!str: always a string
    if (tag != "?" && tag != "tag:yaml.org,2002:int" && tag != "tag:yaml.org,2002:float" &&
        tag != "tag:yaml.org,2002:bool" && tag != "tag:yaml.org,2002:null") {
      error(out.where, path, "unsupported YAML tag \"" + tag + "\"");
      return;
    }
    static const std::regex kNull("~|null|Null|NULL|");
    static const std::regex kBool("true|True|TRUE|false|False|FALSE");
    static const std::regex kDecimal("[-+]?[0-9]+");
    static const std::regex kOctal("0o[0-7]+");
    static const std::regex kHex("0x[0-9a-fA-F]+");
    static const std::regex kFloat("[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
    static const std::regex kInfinity("[-+]?\\.(inf|Inf|INF)");
    static const std::regex kNan("\\.(nan|NaN|NAN)");
    if (std::regex_match(text, kNull)) {
      out.kind = NodeKind::kNull;
    } else if (std::regex_match(text, kBool)) {
      out.kind = NodeKind::kBool;
      out.boolean = text[0] == 't' || text[0] == 'T';
    } else if (std::regex_match(text, kDecimal)) {
      set_integer(out, text, 10, 0, path);
    } else if (std::regex_match(text, kOctal)) {
      set_integer(out, text, 8, 2, path);
    } else if (std::regex_match(text, kHex)) {
      set_integer(out, text, 16, 2, path);
    } else if (std::regex_match(text, kFloat)) {
      out.kind = NodeKind::kFloat;
      out.real = std::strtod(text.c_str(), nullptr);
    } else if (std::regex_match(text, kInfinity)) {
      out.kind = NodeKind::kFloat;
      out.real = text[0] == '-' ? -std::numeric_limits<double>::infinity() : std::numeric_limits<double>::infinity();
    } else if (std::regex_match(text, kNan)) {
      out.kind = NodeKind::kFloat;
      out.real = std::numeric_limits<double>::quiet_NaN();
    }
  }

  void set_integer(Node& out, const std::string& text, int base, std::size_t skip, const std::string& path) {
    errno = 0;
    const long long value = std::strtoll(text.c_str() + skip, nullptr, base);
    if (errno == ERANGE) {
      error(out.where, path, "integer " + text + " is too large");
      return;
    }
    out.kind = NodeKind::kInteger;
    out.integer = value;
  }

  const std::string& file_;
  std::vector<Diagnostic>& diagnostics_;
};

}  // namespace

ParsedTree parse_yaml(std::string_view text, const std::string& file_name) {
  ParsedTree out;
  std::vector<YAML::Node> documents;
  try {
    documents = YAML::LoadAll(std::string(text));
  } catch (const YAML::Exception& error) {
    out.diagnostics.push_back(Diagnostic{Severity::kError, location_of(error.mark, file_name), "", error.msg});
    return out;
  }
  if (documents.size() > 1) {
    out.diagnostics.push_back(
        Diagnostic{Severity::kError, location_of(documents[1].Mark(), file_name), "",
                   "a config file holds one YAML document, found " + std::to_string(documents.size())});
    return out;
  }
  Converter converter(file_name, out.diagnostics);
  if (documents.empty()) {
    out.root.kind = NodeKind::kTable;
    out.root.where = SourceLocation{file_name, 1, 1};
    return out;
  }
  try {
    out.root = converter.convert(documents[0], SourceLocation{file_name, 1, 1}, "");
  } catch (const YAML::Exception& error) {  // yaml-cpp's node API throws on nodes it considers invalid
    out.diagnostics.push_back(Diagnostic{Severity::kError, location_of(error.mark, file_name), "", error.msg});
    out.root = Node{};
    return out;
  }
  if (out.root.kind == NodeKind::kNull) out.root.kind = NodeKind::kTable;  // an empty document
  return out;
}

}  // namespace vigil::config
