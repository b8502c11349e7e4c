// The keepalived language: tokens, blocks, comments, quotes and line handling.
#include <doctest/doctest.h>

#include "kconf2toml/tokenizer.hpp"
#include "kconf_test_support.hpp"

using namespace kconf_test;
using vigil::kconf::decomment;
using vigil::kconf::split_command;
using vigil::kconf::tokenize;

TEST_CASE("blocks nest and keywords keep their arguments") {
  auto r = parse("vrrp_instance VI_1 {\n  state MASTER\n  virtual_ipaddress {\n    10.0.0.1/24 dev eth0\n  }\n}\n");
  CHECK(r.ok());
  CHECK(flatten(r.nodes) == std::vector<std::string>{"vrrp_instance VI_1", "  state MASTER", "  virtual_ipaddress",
                                                     "    10.0.0.1/24 dev eth0"});
  CHECK(r.nodes[0].has_block);
  CHECK(r.nodes[0].children[1].children[0].location.line == 4);
}

TEST_CASE("an inline block is split at its braces: track_script { chk }") {
  auto r = parse("vrrp_instance VI_1 { track_script { chk_a chk_b } }");
  CHECK(r.ok());
  CHECK(flatten(r.nodes) == std::vector<std::string>{"vrrp_instance VI_1", "  track_script", "    chk_a chk_b"});
}

TEST_CASE("a brace on the next line opens the block of the keyword before it") {
  auto r = parse("global_defs\n{\n  router_id A\n}\n");
  CHECK(r.ok());
  CHECK(flatten(r.nodes) == std::vector<std::string>{"global_defs", "  router_id A"});
}

TEST_CASE("# and ! start comments anywhere outside double quotes, single quotes do not protect") {
  auto r = parse("a 1 # c\nb 2 ! c\nc \"x # y\"\nd 'x # y'\n! whole line\n# whole line\ne \\# f\n");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a 1", "b 2", "c x # y", "d 'x", "e # f"});
  CHECK(decomment("x \"a!b\" !c").text == "x \"a!b\"");
}

TEST_CASE("double-quoted strings are one word without their quotes") {
  auto t = tokenize("script \"/bin/check --fast\" 2");
  CHECK(t.words == std::vector<std::string>{"script", "/bin/check --fast", "2"});
  CHECK(tokenize("a\t\tb").words.size() == 2);
  CHECK(tokenize("x \"open").unmatched_quote);
}

TEST_CASE("tabs, CRLF, a BOM, trailing blanks and no final newline are all fine") {
  auto r = parse("\xEF\xBB\xBFglobal_defs {\r\n\trouter_id\tR1   \r\n}\t \r\nvrrp_script s {\r\n  interval 2\r\n}");
  CHECK(r.ok());
  CHECK(flatten(r.nodes) == std::vector<std::string>{"global_defs", "  router_id R1", "vrrp_script s", "  interval 2"});
  CHECK(r.nodes[1].children[0].location.line == 5);
}

TEST_CASE("lines longer than keepalived's limit are ignored with a warning") {
  const std::string long_line = "router_id " + std::string(1100, 'x');
  auto r = parse("global_defs {\n" + long_line + "\n}\n");
  CHECK(r.ok());
  CHECK(r.nodes[0].children.empty());
  CHECK(has_diagnostic(r.diagnostics, Severity::kWarning, "longer than keepalived's limit", 2));
}

TEST_CASE("unbalanced braces are errors that name the line") {
  auto missing = parse("vrrp_instance VI_1 {\n  state MASTER\n");
  CHECK_FALSE(missing.ok());
  CHECK(has_diagnostic(missing.diagnostics, Severity::kError, "never closed", 1));
  auto extra = parse("a 1\n}\n");
  CHECK_FALSE(extra.ok());
  CHECK(has_diagnostic(extra.diagnostics, Severity::kError, "'}' without a block", 2));
}

TEST_CASE("git merge conflict markers are errors naming the line") {
  auto r = parse("vrrp_instance V {\n<<<<<<< HEAD\n state MASTER\n=======\n state BACKUP\n>>>>>>> abc\n}\n");
  CHECK_FALSE(r.ok());
  CHECK(has_diagnostic(r.diagnostics, Severity::kError, "merge conflict marker", 2));
  CHECK(has_diagnostic(r.diagnostics, Severity::kError, "merge conflict marker", 4));
  CHECK(has_diagnostic(r.diagnostics, Severity::kError, "merge conflict marker", 6));
}

TEST_CASE("template placeholders stay one word") {
  auto r = parse("vrrp_instance V {\n  state {{ STATE }}\n  {{ NOTIFY }}\n}\n");
  CHECK(r.ok());
  CHECK(flatten(r.nodes) == std::vector<std::string>{"vrrp_instance V", "  state {{ STATE }}", "  {{ NOTIFY }}"});
}

TEST_CASE("script strings split like keepalived's argv: quotes and escapes") {
  std::string error;
  CHECK(split_command("/bin/x 'a b' \"c d\" e\\ f \\x41\\t", error) ==
        std::vector<std::string>{"/bin/x", "a b", "c d", "e f", "A\t"});
  CHECK(error.empty());
  CHECK(split_command("/bin/x 'open", error).size() == 1);
  CHECK_FALSE(error.empty());
}

TEST_CASE("raw arguments keep the quotes as written, for command lines") {
  auto r = parse("vrrp_instance V {\n notify_master \"/bin/n.sh\" 'a b'\n}\n");
  CHECK(r.nodes[0].children[0].raw_args == "\"/bin/n.sh\" 'a b'");
}

TEST_CASE("a line with a NUL byte is ignored with a warning, as keepalived rejects it") {
  auto r = parse(std::string("a 1\nb \0 2\nc 3\n", 13));
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a 1", "c 3"});
  CHECK(has_diagnostic(r.diagnostics, Severity::kWarning, "NUL", 2));
}

TEST_CASE("an unterminated double quote is an error naming the line") {
  auto r = parse("a 1\nb \"open\n");
  CHECK_FALSE(r.ok());
  CHECK(has_diagnostic(r.diagnostics, Severity::kError, "quote", 2));
}

TEST_CASE("a '{' with no keyword before it is an error, and the braces stay balanced") {
  auto r = parse("{\n a 1\n}\nb 2\n");
  CHECK_FALSE(r.ok());
  CHECK(has_diagnostic(r.diagnostics, Severity::kError, "without a keyword", 1));
  CHECK(r.nodes.back().keyword == "b");
}
