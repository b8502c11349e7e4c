#pragma once
// The schema as C++ data. An ObjectSchema<S> lists the fields of one model struct (name, doc,
// required, value spec); a Spec<T> says which values a T accepts (type, range, units) and how to
// write that as JSON Schema. The same descriptors drive the binder (located tree -> model) and the
// JSON Schema generator, so the loader and docs/vigil.schema.json cannot drift apart.
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <type_traits>
#include <unordered_set>
#include <utility>
#include <vector>

#include "config/diagnostic.hpp"
#include "config/model.hpp"
#include "config/tree.hpp"

namespace vigil::config::schema {

using Json = nlohmann::ordered_json;

// Collects diagnostics, the location of every bound key, and which keys failed to bind (so the
// validator does not pile follow-up errors on a value that was already reported).
class BindContext {
 public:
  BindContext(std::vector<Diagnostic>& diagnostics, LocationIndex& locations)
      : diagnostics_(diagnostics), locations_(locations) {}

  void error(const SourceLocation& where, const std::string& key_path, std::string message);
  void warning(const SourceLocation& where, const std::string& key_path, std::string message);
  void record(const std::string& key_path, const SourceLocation& where);
  [[nodiscard]] bool failed(const std::string& key_path) const { return failed_.contains(key_path); }
  [[nodiscard]] std::vector<Diagnostic>& diagnostics() { return diagnostics_; }

 private:
  std::vector<Diagnostic>& diagnostics_;
  LocationIndex& locations_;
  std::unordered_set<std::string> failed_;
};

// JSON Schema output state: shared definitions ("#/definitions/NAME").
class SchemaWriter {
 public:
  [[nodiscard]] bool has(const std::string& name) const { return definitions_.contains(name); }
  void define(const std::string& name, Json definition) { definitions_[name] = std::move(definition); }
  void reserve(const std::string& name) { definitions_[name] = Json::object(); }
  [[nodiscard]] const Json& definitions() const { return definitions_; }
  static Json ref(const std::string& name) { return Json{{"$ref", "#/definitions/" + name}}; }

 private:
  Json definitions_ = Json::object();
};

template <class T>
struct Spec {
  // Binds `node` into `out`; on failure reports why and returns false (`out` is then unspecified).
  std::function<bool(const Node& node, const std::string& key_path, BindContext& context, T& out)> bind;
  std::function<Json(SchemaWriter&)> schema;
  // JSON spelling of a value, for "default" in the JSON Schema; empty when not expressible.
  std::function<std::optional<Json>(const T&)> encode;
  // Containers and tables keep what did bind when a part failed, so the validator still sees the
  // rest (without it, one bad priority would hide every reference check of the file).
  bool partial = false;
};

template <class S>
struct Field {
  std::string name;
  std::string doc;
  bool required = false;
  std::function<bool(S&, const Node&, const std::string&, BindContext&)> bind;
  std::function<Json(SchemaWriter&)> schema;
  std::function<std::optional<Json>()> default_value;
};

template <class S>
struct ObjectSchema {
  std::string name;  // definition name in the JSON Schema
  std::string doc;
  std::vector<Field<S>> fields;
  // Optional shorthand: a scalar standing for the whole object ("192.0.2.1/24" for an address entry).
  std::optional<Spec<S>> shorthand;

  [[nodiscard]] const Field<S>* find(const std::string& key) const {
    for (const auto& field : fields) {
      if (field.name == key) return &field;
    }
    return nullptr;
  }
};

// ---------------------------------------------------------------------------------------------
// Helpers shared by the spec builders.

std::string join_path(const std::string& parent, const std::string& key);
std::string index_path(const std::string& parent, std::size_t index);
// "expected an integer, got a string (\"100\")"
std::string expected(const std::string& what, const Node& node);
// The closest candidate within a small edit distance, for "did you mean" hints.
std::optional<std::string> suggest(const std::string& word, const std::vector<std::string>& candidates);
std::string quote(const std::string& text);

// ---------------------------------------------------------------------------------------------
// Value specs

Spec<bool> boolean();
// Whole numbers in [min, max], stored as T.
template <class T>
Spec<T> integer(std::int64_t min, std::int64_t max);
Spec<std::string> string(std::size_t min_length = 1, std::size_t max_length = 4096);
Spec<std::string> absolute_path();
Spec<std::string> name_string();  // object names: 1..63 of [A-Za-z0-9_.-]
struct DurationRule {
  Duration min{0};
  std::optional<Duration> max;
  bool positive = false;  // > 0
  bool whole_seconds = false;
};
Spec<Duration> duration(DurationRule rule = {});
Spec<IpAddress> address();
Spec<IpPrefix> prefix();
Spec<Command> command();
Spec<Family> family();

template <class E>
Spec<E> enumeration(std::vector<std::pair<std::string, E>> names);

template <class T>
Spec<std::vector<T>> array_of(Spec<T> element, std::size_t min_items = 0);

// A table of objects keyed by name; each object's `name` (if it has one) is set from its key.
template <class S>
Spec<std::map<std::string, S>> named_map(const ObjectSchema<S>& schema);

template <class S>
Spec<S> object(const ObjectSchema<S>& schema);

// ---------------------------------------------------------------------------------------------
// Field builders

template <class S>
class Fields {
 public:
  explicit Fields(ObjectSchema<S>& schema) : schema_(schema) {}

  // `member` is T or std::optional<T>.
  template <class M, class T>
  Fields& add(std::string name, M S::*member, Spec<T> spec, std::string doc) {
    return add_via(
        std::move(name), [member](S& s) -> M& { return s.*member; }, std::move(spec), std::move(doc));
  }
  template <class M, class T>
  Fields& required(std::string name, M S::*member, Spec<T> spec, std::string doc) {
    add(std::move(name), member, std::move(spec), std::move(doc));
    schema_.fields.back().required = true;
    return *this;
  }
  // For members reached through another member (checker common options).
  template <class Access, class T>
  Fields& add_via(std::string name, Access access, Spec<T> spec, std::string doc) {
    using M = std::remove_reference_t<decltype(access(std::declval<S&>()))>;
    Field<S> field;
    field.name = std::move(name);
    field.doc = std::move(doc);
    field.bind = [access, bind = spec.bind, partial = spec.partial](S& s, const Node& node, const std::string& path,
                                                                    BindContext& context) {
      T value{};
      const bool ok = bind(node, path, context, value);
      if (ok || partial) access(s) = std::move(value);
      return ok;
    };
    field.schema = spec.schema;
    field.default_value = [access, encode = spec.encode]() -> std::optional<Json> {
      if constexpr (std::is_same_v<M, T>) {
        if (!encode) return std::nullopt;
        S defaults{};
        return encode(access(defaults));
      } else {
        return std::nullopt;  // optional members have no default
      }
    };
    schema_.fields.push_back(std::move(field));
    return *this;
  }

 private:
  ObjectSchema<S>& schema_;
};

// ---------------------------------------------------------------------------------------------
// Template definitions

template <class T>
Spec<T> integer(std::int64_t min, std::int64_t max) {
  Spec<T> spec;
  spec.bind = [min, max](const Node& node, const std::string& path, BindContext& context, T& out) {
    if (node.kind != NodeKind::kInteger) {
      context.error(node.where, path, expected("an integer", node));
      return false;
    }
    if (node.integer < min || node.integer > max) {
      context.error(
          node.where, path,
          "must be " + std::to_string(min) + ".." + std::to_string(max) + ", got " + std::to_string(node.integer));
      return false;
    }
    out = static_cast<T>(node.integer);
    return true;
  };
  spec.schema = [min, max](SchemaWriter&) { return Json{{"type", "integer"}, {"minimum", min}, {"maximum", max}}; };
  spec.encode = [](const T& value) -> std::optional<Json> { return Json(static_cast<std::int64_t>(value)); };
  return spec;
}

template <class E>
Spec<E> enumeration(std::vector<std::pair<std::string, E>> names) {
  Spec<E> spec;
  spec.bind = [names](const Node& node, const std::string& path, BindContext& context, E& out) {
    std::vector<std::string> spellings;
    for (const auto& [spelling, value] : names) {
      if (node.kind == NodeKind::kString && node.text == spelling) {
        out = value;
        return true;
      }
      spellings.push_back(spelling);
    }
    std::string list;
    for (const auto& spelling : spellings) list += (list.empty() ? "" : ", ") + quote(spelling);
    if (node.kind != NodeKind::kString) {
      context.error(node.where, path, expected("one of " + list, node));
      return false;
    }
    std::string message = "must be one of " + list + ", got " + quote(node.text);
    if (const auto hint = suggest(node.text, spellings)) message += " (did you mean " + quote(*hint) + "?)";
    context.error(node.where, path, std::move(message));
    return false;
  };
  spec.schema = [names](SchemaWriter&) {
    Json values = Json::array();
    for (const auto& [spelling, value] : names) values.push_back(spelling);
    return Json{{"type", "string"}, {"enum", values}};
  };
  spec.encode = [names](const E& value) -> std::optional<Json> {
    for (const auto& [spelling, candidate] : names) {
      if (candidate == value) return Json(spelling);
    }
    return std::nullopt;
  };
  return spec;
}

template <class T>
Spec<std::vector<T>> array_of(Spec<T> element, std::size_t min_items) {
  Spec<std::vector<T>> spec;
  spec.bind = [element, min_items](const Node& node, const std::string& path, BindContext& context,
                                   std::vector<T>& out) {
    if (node.kind != NodeKind::kArray) {
      context.error(node.where, path, expected("an array", node));
      return false;
    }
    if (node.items.size() < min_items) {
      context.error(node.where, path,
                    "needs at least " + std::to_string(min_items) + " element" + (min_items == 1 ? "" : "s"));
      return false;
    }
    bool ok = true;
    out.clear();
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string item_path = index_path(path, i);
      context.record(item_path, node.items[i].where);
      // Failed elements stay (as defaults) so indices keep matching key paths.
      T value{};
      if (!element.bind(node.items[i], item_path, context, value)) ok = false;
      out.push_back(std::move(value));
    }
    return ok;
  };
  spec.partial = true;
  spec.schema = [element, min_items](SchemaWriter& writer) {
    Json schema{{"type", "array"}, {"items", element.schema(writer)}};
    if (min_items > 0) schema["minItems"] = min_items;
    return schema;
  };
  spec.encode = [element](const std::vector<T>& values) -> std::optional<Json> {
    if (!element.encode) return std::nullopt;
    Json array = Json::array();
    for (const auto& value : values) {
      auto encoded = element.encode(value);
      if (!encoded) return std::nullopt;
      array.push_back(std::move(*encoded));
    }
    return array;
  };
  return spec;
}

template <class S>
bool bind_table(const ObjectSchema<S>& schema, const Node& node, const std::string& path, BindContext& context,
                S& out) {
  if constexpr (requires { out.origin; }) out.origin.where = node.where;
  if constexpr (requires { out.common.origin; }) out.common.origin.where = node.where;
  if (node.kind != NodeKind::kTable) {
    if (schema.shorthand && node.is_scalar()) return schema.shorthand->bind(node, path, context, out);
    context.error(node.where, path, expected(schema.shorthand ? "a string or a table" : "a table", node));
    return false;
  }
  bool ok = true;
  for (std::size_t i = 0; i < node.items.size(); ++i) {
    const std::string& key = node.keys[i];
    std::string key_path = join_path(path, key);
    const Field<S>* field = schema.find(key);
    if (field == nullptr) {
      // Built only for the message: a 1000-instance file has no unknown key to pay for.
      std::vector<std::string> known;
      for (const auto& candidate : schema.fields) known.push_back(candidate.name);
      std::string message = "unknown key " + quote(key);
      if (const auto hint = suggest(key, known)) message += " (did you mean " + quote(*hint) + "?)";
      context.error(node.key_locations[i], key_path, std::move(message));
      ok = false;
      continue;
    }
    context.record(key_path, node.items[i].where);
    if (!field->bind(out, node.items[i], key_path, context)) ok = false;
  }
  for (const auto& field : schema.fields) {
    if (field.required && node.find(field.name) == nullptr) {
      context.error(node.where, join_path(path, field.name), "missing required key " + quote(field.name));
      ok = false;
    }
  }
  return ok;
}

template <class S>
Json object_schema_json(const ObjectSchema<S>& schema, SchemaWriter& writer) {
  if (!writer.has(schema.name)) {
    writer.reserve(schema.name);
    Json properties = Json::object();
    Json required = Json::array();
    for (const auto& field : schema.fields) {
      Json property = field.schema(writer);
      if (!field.doc.empty()) {
        // Keep "$ref" alone where it is used (draft-07 ignores siblings of $ref): wrap it.
        if (property.contains("$ref")) property = Json{{"allOf", Json::array({property})}};
        property["description"] = field.doc;
      }
      if (auto value = field.default_value()) property["default"] = std::move(*value);
      properties[field.name] = std::move(property);
      if (field.required) required.push_back(field.name);
    }
    Json definition{{"type", "object"}};
    if (!schema.doc.empty()) definition["description"] = schema.doc;
    definition["properties"] = std::move(properties);
    if (!required.empty()) definition["required"] = std::move(required);
    definition["additionalProperties"] = false;
    if (schema.shorthand) {
      Json scalar = schema.shorthand->schema(writer);
      definition = Json{{"anyOf", Json::array({scalar, definition})}};
    }
    writer.define(schema.name, std::move(definition));
  }
  return SchemaWriter::ref(schema.name);
}

template <class S>
Spec<S> object(const ObjectSchema<S>& schema) {
  Spec<S> spec;
  const ObjectSchema<S>* target = &schema;
  spec.bind = [target](const Node& node, const std::string& path, BindContext& context, S& out) {
    return bind_table(*target, node, path, context, out);
  };
  spec.partial = true;
  spec.schema = [target](SchemaWriter& writer) { return object_schema_json(*target, writer); };
  return spec;
}

template <class S>
Spec<std::map<std::string, S>> named_map(const ObjectSchema<S>& schema) {
  Spec<std::map<std::string, S>> spec;
  const ObjectSchema<S>* target = &schema;
  spec.bind = [target](const Node& node, const std::string& path, BindContext& context, std::map<std::string, S>& out) {
    if (node.kind != NodeKind::kTable) {
      context.error(node.where, path, expected("a table of named " + path + " tables", node));
      return false;
    }
    const Spec<std::string> names = name_string();
    bool ok = true;
    for (std::size_t i = 0; i < node.items.size(); ++i) {
      const std::string key_path = join_path(path, node.keys[i]);
      Node key_node;
      key_node.kind = NodeKind::kString;
      key_node.text = node.keys[i];
      key_node.where = node.key_locations[i];
      std::string name;
      if (!names.bind(key_node, key_path, context, name)) {
        ok = false;
        continue;
      }
      context.record(key_path, node.items[i].where);
      S value{};
      if constexpr (requires { value.name; }) value.name = name;
      if (!bind_table(*target, node.items[i], key_path, context, value)) ok = false;
      if constexpr (requires { value.origin; }) value.origin.where = node.key_locations[i];
      out.insert_or_assign(name, std::move(value));
    }
    return ok;
  };
  spec.partial = true;
  spec.schema = [target](SchemaWriter& writer) {
    return Json{{"type", "object"},
                {"propertyNames", {{"pattern", "^[A-Za-z0-9_.-]{1,63}$"}}},
                {"additionalProperties", object_schema_json(*target, writer)}};
  };
  return spec;
}

}  // namespace vigil::config::schema
