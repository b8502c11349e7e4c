#include "config/schema.hpp"

#include <algorithm>
#include <cmath>

namespace vigil::config::schema {

void BindContext::error(const SourceLocation& where, const std::string& key_path, std::string message) {
  diagnostics_.push_back(Diagnostic{Severity::kError, where, key_path, std::move(message)});
  failed_.insert(key_path);
}

void BindContext::warning(const SourceLocation& where, const std::string& key_path, std::string message) {
  diagnostics_.push_back(Diagnostic{Severity::kWarning, where, key_path, std::move(message)});
}

void BindContext::record(const std::string& key_path, const SourceLocation& where) {
  locations_.by_key_path[key_path] = where;
}

std::string join_path(const std::string& parent, const std::string& key) {
  return parent.empty() ? key : parent + "." + key;
}

std::string index_path(const std::string& parent, std::size_t index) {
  return parent + "[" + std::to_string(index) + "]";
}

std::string quote(const std::string& text) {
  std::string out = "\"";
  for (const char c : text) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string expected(const std::string& what, const Node& node) {
  std::string message = "expected " + what + ", got " + node.describe();
  if (node.kind == NodeKind::kInteger && what.find("string") != std::string::npos) {
    message += "; quote it: " + quote(node.text);
  }
  return message;
}

namespace {

std::size_t edit_distance(const std::string& a, const std::string& b) {
  std::vector<std::size_t> previous(b.size() + 1);
  std::vector<std::size_t> current(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) previous[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    current[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t substitution = previous[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1);
      current[j] = std::min({previous[j] + 1, current[j - 1] + 1, substitution});
    }
    std::swap(previous, current);
  }
  return previous[b.size()];
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return text;
}

}  // namespace

std::optional<std::string> suggest(const std::string& word, const std::vector<std::string>& candidates) {
  std::optional<std::string> best;
  std::size_t best_distance = 0;
  const std::size_t limit = std::max<std::size_t>(2, word.size() / 3);
  for (const auto& candidate : candidates) {
    // Case differences count as one edit, so "master" finds "MASTER".
    std::size_t distance = edit_distance(lower(word), lower(candidate));
    if (word != candidate && lower(word) == lower(candidate)) distance = 1;
    if (distance <= limit && (!best || distance < best_distance)) {
      best = candidate;
      best_distance = distance;
    }
  }
  return best;
}

Spec<bool> boolean() {
  Spec<bool> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, bool& out) {
    if (node.kind != NodeKind::kBool) {
      context.error(node.where, path, expected("true or false", node));
      return false;
    }
    out = node.boolean;
    return true;
  };
  spec.schema = [](SchemaWriter&) { return Json{{"type", "boolean"}}; };
  spec.encode = [](const bool& value) -> std::optional<Json> { return Json(value); };
  return spec;
}

Spec<std::string> string(std::size_t min_length, std::size_t max_length) {
  Spec<std::string> spec;
  spec.bind = [min_length, max_length](const Node& node, const std::string& path, BindContext& context,
                                       std::string& out) {
    if (node.kind != NodeKind::kString) {
      context.error(node.where, path, expected("a string", node));
      return false;
    }
    if (node.text.size() < min_length) {
      context.error(
          node.where, path,
          min_length == 1 ? "must not be empty" : "must be at least " + std::to_string(min_length) + " characters");
      return false;
    }
    if (node.text.size() > max_length) {
      context.error(
          node.where, path,
          "must be at most " + std::to_string(max_length) + " characters, got " + std::to_string(node.text.size()));
      return false;
    }
    out = node.text;
    return true;
  };
  spec.schema = [min_length, max_length](SchemaWriter&) {
    return Json{{"type", "string"}, {"minLength", min_length}, {"maxLength", max_length}};
  };
  spec.encode = [](const std::string& value) -> std::optional<Json> { return Json(value); };
  return spec;
}

Spec<std::string> absolute_path() {
  Spec<std::string> spec = string();
  auto plain = spec.bind;
  spec.bind = [plain](const Node& node, const std::string& path, BindContext& context, std::string& out) {
    if (!plain(node, path, context, out)) return false;
    if (out.front() != '/') {
      context.error(node.where, path, "must be an absolute path, got " + quote(out));
      return false;
    }
    return true;
  };
  spec.schema = [](SchemaWriter&) { return Json{{"type", "string"}, {"pattern", "^/"}}; };
  return spec;
}

Spec<std::string> name_string() {
  Spec<std::string> spec = string(1, 63);
  auto plain = spec.bind;
  spec.bind = [plain](const Node& node, const std::string& path, BindContext& context, std::string& out) {
    if (!plain(node, path, context, out)) return false;
    const bool valid = std::all_of(out.begin(), out.end(), [](unsigned char c) {
      return std::isalnum(c) != 0 || c == '_' || c == '-' || c == '.';
    });
    if (!valid) {
      context.error(node.where, path, "a name may only hold letters, digits, '_', '-' and '.', got " + quote(out));
      return false;
    }
    return true;
  };
  spec.schema = [](SchemaWriter&) { return Json{{"type", "string"}, {"pattern", "^[A-Za-z0-9_.-]{1,63}$"}}; };
  return spec;
}

Spec<Duration> duration(DurationRule rule) {
  Spec<Duration> spec;
  spec.bind = [rule](const Node& node, const std::string& path, BindContext& context, Duration& out) {
    std::optional<Duration> value;
    if (node.kind == NodeKind::kInteger) {
      if (node.integer < 0) {
        context.error(node.where, path, "must not be negative, got " + node.text);
        return false;
      }
      value = duration_from_seconds(static_cast<double>(node.integer));
    } else if (node.kind == NodeKind::kFloat) {
      if (node.real < 0) {
        context.error(node.where, path, "must not be negative, got " + node.text);
        return false;
      }
      value = duration_from_seconds(node.real);
    } else if (node.kind == NodeKind::kString) {
      value = parse_duration(node.text);
      if (!value) {
        context.error(node.where, path,
                      "invalid duration " + quote(node.text) +
                          " (use seconds as a number, or a string with a unit: \"150ms\", \"1.5s\", \"2m\")");
        return false;
      }
    } else {
      context.error(node.where, path, expected("a duration (seconds, or a string like \"1.5s\")", node));
      return false;
    }
    if (!value) {
      context.error(node.where, path, "duration out of range: " + node.text);
      return false;
    }
    if (rule.positive && value->count() == 0) {
      context.error(node.where, path, "must be greater than 0");
      return false;
    }
    if (*value < rule.min || (rule.max && *value > *rule.max)) {
      context.error(node.where, path,
                    "must be " + format_duration(rule.min) + ".." + (rule.max ? format_duration(*rule.max) : "") +
                        ", got " + format_duration(*value));
      return false;
    }
    if (rule.whole_seconds && value->count() % 1'000'000'000 != 0) {
      context.error(node.where, path, "must be a whole number of seconds, got " + format_duration(*value));
      return false;
    }
    out = *value;
    return true;
  };
  spec.schema = [](SchemaWriter& writer) {
    if (!writer.has("duration")) {
      writer.define(
          "duration",
          Json{{"description",
                "A duration: a number is seconds; a string may carry a unit (\"150ms\", \"1.5s\", \"2m\", "
                "\"1h\", \"250us\", \"10ns\")."},
               {"anyOf", Json::array({Json{{"type", "number"}, {"minimum", 0}},
                                      Json{{"type", "string"},
                                           {"pattern", "^([0-9]+\\.?[0-9]*|\\.[0-9]+)(ns|us|ms|s|m|h)?$"}}})}});
    }
    return SchemaWriter::ref("duration");
  };
  spec.encode = [](const Duration& value) -> std::optional<Json> {
    if (value.count() % 1'000'000'000 == 0) return Json(value.count() / 1'000'000'000);
    return Json(format_duration(value));
  };
  return spec;
}

Spec<IpAddress> address() {
  Spec<IpAddress> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, IpAddress& out) {
    if (node.kind != NodeKind::kString) {
      context.error(node.where, path, expected("an IP address string", node));
      return false;
    }
    const auto parsed = IpAddress::parse(node.text);
    if (!parsed) {
      context.error(node.where, path, "invalid IP address " + quote(node.text));
      return false;
    }
    out = *parsed;
    return true;
  };
  spec.schema = [](SchemaWriter&) {
    return Json{{"type", "string"}, {"description", "an IPv4 or IPv6 address"}, {"pattern", "^[0-9A-Fa-f:.]+$"}};
  };
  spec.encode = [](const IpAddress& value) -> std::optional<Json> { return Json(value.to_string()); };
  return spec;
}

Spec<IpPrefix> prefix() {
  Spec<IpPrefix> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, IpPrefix& out) {
    if (node.kind != NodeKind::kString) {
      context.error(node.where, path, expected("an IP prefix string", node));
      return false;
    }
    const auto parsed = IpPrefix::parse(node.text);
    if (!parsed) {
      context.error(node.where, path,
                    "invalid IP prefix " + quote(node.text) + " (expected ADDRESS or ADDRESS/LENGTH)");
      return false;
    }
    out = *parsed;
    return true;
  };
  spec.schema = [](SchemaWriter&) {
    return Json{{"type", "string"},
                {"description", "an IPv4 or IPv6 address with an optional /LENGTH"},
                {"pattern", "^[0-9A-Fa-f:.]+(/[0-9]{1,3})?$"}};
  };
  spec.encode = [](const IpPrefix& value) -> std::optional<Json> { return Json(value.to_string()); };
  return spec;
}

Spec<Family> family() { return enumeration<Family>({{"inet", Family::kIPv4}, {"inet6", Family::kIPv6}}); }

Spec<Command> command() {
  Spec<Command> spec;
  spec.bind = [](const Node& node, const std::string& path, BindContext& context, Command& out) {
    out = Command{};
    if (node.kind == NodeKind::kString) {
      if (node.text.find_first_not_of(" \t") == std::string::npos) {
        context.error(node.where, path, "must not be empty");
        return false;
      }
      out.kind = CommandKind::kShell;
      out.line = node.text;
      return true;
    }
    if (node.kind == NodeKind::kArray) {
      if (node.items.empty()) {
        context.error(node.where, path, "an argv needs at least the program");
        return false;
      }
      out.kind = CommandKind::kExec;
      bool ok = true;
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        const Node& item = node.items[i];
        if (item.kind != NodeKind::kString) {
          context.error(item.where, index_path(path, i), expected("a string", item));
          ok = false;
          continue;
        }
        out.argv.push_back(item.text);
      }
      if (ok && out.argv.front().empty()) {
        context.error(node.items.front().where, index_path(path, 0), "the program must not be empty");
        ok = false;
      }
      return ok;
    }
    if (node.kind == NodeKind::kTable) {
      bool ok = true;
      const Node* line = nullptr;
      for (std::size_t i = 0; i < node.items.size(); ++i) {
        const std::string& key = node.keys[i];
        const std::string key_path = join_path(path, key);
        const Node& value = node.items[i];
        if (key == "command") {
          if (value.kind != NodeKind::kString) {
            context.error(value.where, key_path, expected("a string (a shell command line)", value));
            ok = false;
          } else if (value.text.find_first_not_of(" \t") == std::string::npos) {
            context.error(value.where, key_path, "must not be empty");
            ok = false;
          } else {
            line = &value;
          }
        } else if (key == "shell") {
          if (value.kind != NodeKind::kString) {
            context.error(value.where, key_path, expected("a string (the shell's absolute path)", value));
            ok = false;
          } else if (value.text.empty() || value.text.front() != '/') {
            context.error(value.where, key_path, "must be an absolute path, got " + quote(value.text));
            ok = false;
          } else {
            out.shell = value.text;
          }
        } else {
          std::string message = "unknown key " + quote(key);
          if (const auto hint = suggest(key, {"command", "shell"})) message += " (did you mean " + quote(*hint) + "?)";
          context.error(node.key_locations[i], key_path, std::move(message));
          ok = false;
        }
      }
      if (line == nullptr && node.find("command") == nullptr) {
        context.error(node.where, join_path(path, "command"), "missing required key \"command\"");
        ok = false;
      }
      if (line != nullptr) {
        out.kind = CommandKind::kShell;
        out.line = line->text;
      }
      return ok;
    }
    context.error(node.where, path, expected("a command (a string, an array of strings, or a table)", node));
    return false;
  };
  spec.schema = [](SchemaWriter& writer) {
    if (!writer.has("command")) {
      writer.define(
          "command",
          Json{{"description",
                "A command: a string is a shell command line run by global.script_shell; an array is an argv "
                "exec'ed without a shell; a table { command, shell } runs the line with that shell."},
               {"oneOf", Json::array({Json{{"type", "string"}, {"minLength", 1}},
                                      Json{{"type", "array"}, {"items", {{"type", "string"}}}, {"minItems", 1}},
                                      Json{{"type", "object"},
                                           {"properties",
                                            {{"command", {{"type", "string"}, {"minLength", 1}}},
                                             {"shell", {{"type", "string"}, {"pattern", "^/"}}}}},
                                           {"required", Json::array({"command"})},
                                           {"additionalProperties", false}}})}});
    }
    return SchemaWriter::ref("command");
  };
  return spec;
}

}  // namespace vigil::config::schema
