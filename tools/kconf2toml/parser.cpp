#include "kconf2toml/parser.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "kconf2toml/tokenizer.hpp"

namespace vigil::kconf {

std::vector<std::string> Node::words() const {
  std::vector<std::string> all;
  all.reserve(args.size() + 1);
  all.push_back(keyword);
  all.insert(all.end(), args.begin(), args.end());
  return all;
}

bool ParseResult::ok() const {
  return std::none_of(diagnostics.begin(), diagnostics.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::kError; });
}

namespace {

// Builds the tree from logical lines: "{" opens a block for the statement just before it, "}" closes it.
class TreeBuilder {
 public:
  explicit TreeBuilder(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  void line(std::string_view text, const Location& location) {
    if (text == "{") {
      open(location);
      return;
    }
    if (text == "}") {
      close(location);
      return;
    }
    auto tokens = tokenize(text);
    if (tokens.unmatched_quote) diagnostics_.error(location, "unmatched double quote");
    if (tokens.words.empty()) return;
    Node node;
    node.keyword = std::move(tokens.words.front());
    node.args.assign(std::make_move_iterator(tokens.words.begin() + 1), std::make_move_iterator(tokens.words.end()));
    node.raw_args = raw_args(text);
    node.location = location;
    current().push_back(std::move(node));
    block_may_open_ = true;
  }

  std::vector<Node> finish() {
    for (auto it = open_.rbegin(); it != open_.rend(); ++it) {
      diagnostics_.error((*it)->location,
                         fmt::format("block '{}' opened here is never closed (missing '}}')", (*it)->keyword));
    }
    open_.clear();
    return std::move(root_);
  }

 private:
  std::vector<Node>& current() { return open_.empty() ? root_ : open_.back()->children; }

  void open(const Location& location) {
    auto& level = current();
    if (!block_may_open_ || level.empty() || level.back().has_block) {
      diagnostics_.error(location, "'{' without a keyword before it");
      // Keep the braces balanced: an anonymous block, reported and otherwise ignored.
      Node orphan;
      orphan.keyword = "{";
      orphan.location = location;
      level.push_back(std::move(orphan));
    }
    level.back().has_block = true;
    // Children are appended to this node only; vector growth happens one level up, which is closed.
    open_.push_back(&level.back());
    block_may_open_ = false;
  }

  void close(const Location& location) {
    block_may_open_ = false;
    if (open_.empty()) {
      diagnostics_.error(location, "'}' without a block to close");
      return;
    }
    open_.pop_back();
  }

  static std::string raw_args(std::string_view text) {
    std::size_t i = 0;
    if (text.substr(0, 2) == "{{" && text.find("}}") != std::string_view::npos) {
      i = text.find("}}") + 2;  // a template placeholder is one word (see tokenize())
    } else if (!text.empty() && text[0] == '"') {
      const auto close = text.find('"', 1);
      i = close == std::string_view::npos ? text.size() : close + 1;
    } else {
      while (i < text.size() && !is_blank(text[i]) && text[i] != '"') ++i;
    }
    return std::string(trim(text.substr(i)));
  }

  Diagnostics& diagnostics_;
  std::vector<Node> root_;
  std::vector<Node*> open_;
  bool block_may_open_ = false;
};

ParseResult finish(TreeBuilder& builder, Diagnostics& diagnostics) {
  ParseResult result;
  result.nodes = builder.finish();
  result.diagnostics = diagnostics.take();
  return result;
}

}  // namespace

ParseResult parse_file(const std::string& path, const FileSource& files, const ParseOptions& options) {
  Diagnostics diagnostics;
  TreeBuilder builder(diagnostics);
  LineEngine engine(files, options, diagnostics,
                    [&](std::string_view line, const Location& location) { builder.line(line, location); });
  engine.run_file(path);
  auto result = finish(builder, diagnostics);
  result.used_conditionals = engine.used_conditionals();
  return result;
}

ParseResult parse_text(std::string_view text, const std::string& name, const FileSource& files,
                       const ParseOptions& options) {
  Diagnostics diagnostics;
  TreeBuilder builder(diagnostics);
  LineEngine engine(files, options, diagnostics,
                    [&](std::string_view line, const Location& location) { builder.line(line, location); });
  engine.run_text(text, name);
  auto result = finish(builder, diagnostics);
  result.used_conditionals = engine.used_conditionals();
  return result;
}

}  // namespace vigil::kconf
