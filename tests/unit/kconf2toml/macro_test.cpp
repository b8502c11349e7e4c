// @conditionals, $definitions (lazy, recursive, multi-line), ~SEQ and their limits.
#include <doctest/doctest.h>

#include <optional>

#include "kconf_test_support.hpp"

using namespace kconf_test;

TEST_CASE("@ID lines are kept only for the matching config id, @^ID for the others") {
  const std::string text =
      "@lb1 router_id one\n@lb2 router_id two\n@^lb1 notification_email_from x\n  @lb1\tsmtp_server s\n";
  CHECK(flatten(parse(text, "lb1").nodes) == std::vector<std::string>{"router_id one", "smtp_server s"});
  CHECK(flatten(parse(text, "lb2").nodes) == std::vector<std::string>{"router_id two", "notification_email_from x"});
  CHECK(flatten(parse(text, "").nodes) == std::vector<std::string>{"notification_email_from x"});
}

TEST_CASE("conditionals apply inside blocks") {
  auto r = parse("vrrp_instance V {\n@a priority 150\n@^a priority 100\n}\n", "a");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"vrrp_instance V", "  priority 150"});
}

TEST_CASE("$NAME and ${NAME} expand, definitions are lazy and may be redefined") {
  auto r = parse("$BASE=10.2.${SUB}\n$SUB=0\na ${BASE}.1 $SUB\n$SUB=10\nb ${BASE}.1,$SUB)\n");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a 10.2.0.1 0", "b 10.2.10.1,10)"});
}

TEST_CASE("$NAME must end at a blank, ',' or ')' to be a reference") {
  auto r = parse("$X=1\na $X.2 $X\n");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a $X.2 1"});
}

TEST_CASE("an undefined name is left as written, with a warning naming the line") {
  auto r = parse("a $NOPE ${ALSO_NOPE}\n");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a $NOPE ${ALSO_NOPE}"});
  CHECK(has_diagnostic(r.diagnostics, Severity::kWarning, "$NOPE is not defined", 1));
  CHECK(has_diagnostic(r.diagnostics, Severity::kWarning, "$ALSO_NOPE is not defined", 1));
}

TEST_CASE("definitions made by a conditional line") {
  auto r = parse("@a $P=200\n@b $P=100\npriority $P\n", "b");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"priority 100"});
}

TEST_CASE("multi-line definitions expand into several lines at the use site") {
  auto r = parse("$BLOCK= \\\nvrrp_script s_${N} { \\\n  interval ${N} \\\n}\n$N=3\n$BLOCK\n");
  CHECK(r.ok());
  CHECK(flatten(r.nodes) == std::vector<std::string>{"vrrp_script s_3", "  interval 3"});
  CHECK(r.nodes[0].location.line == 6);
  CHECK(r.nodes[0].children[0].location.line == 6);
}

TEST_CASE("a blank line ends a multi-line definition, comment lines do not") {
  auto r = parse("$M= \\\na 1 \\\n# comment\nb 2\n\n$M\n");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a 1", "b 2"});
}

TEST_CASE("built-in definitions: _HASH, _BANG, _INSTANCE, _PWD") {
  auto r = parse("a ${_HASH}x ${_BANG} ${_INSTANCE}\nb ${_PWD}/s.sh\n", "node1");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a #x ! node1", "b /etc/keepalived/s.sh"});
}

TEST_CASE("~SEQ repeats the rest of the line with the variable set") {
  auto r = parse("~SEQ(I,1,3) a $I\n~SEQ(J,10,-5,0) b $J\n~SEQx(K,9,11) c $K\n~SEQ(L,2) d $L\n");
  CHECK(r.ok());
  CHECK(flatten(r.nodes) ==
        std::vector<std::string>{"a 1", "a 2", "a 3", "b 10", "b 5", "b 0", "c 9", "c a", "c b", "d 1", "d 2"});
}

TEST_CASE("~SEQ with multi-line definitions and nesting (keepalived's seq.conf pattern)") {
  auto r = parse(
      "$VI= \\\nvrrp_instance v${IF}_${ID} { \\\n  virtual_router_id ${ID} \\\n}\n\n"
      "$ROW= ~SEQ(ID,1,2) $VI\n~SEQ(IF,0,1) $ROW\n");
  CHECK(r.ok());
  CHECK(flatten(r.nodes) == std::vector<std::string>{"vrrp_instance v0_1", "  virtual_router_id 1",
                                                     "vrrp_instance v0_2", "  virtual_router_id 2",
                                                     "vrrp_instance v1_1", "  virtual_router_id 1",
                                                     "vrrp_instance v1_2", "  virtual_router_id 2"});
}

TEST_CASE("invalid ~SEQ is an error naming the line") {
  auto r = parse("a 1\n~SEQ(I,1,-1,5) x\n");
  CHECK(has_diagnostic(r.diagnostics, Severity::kError, "invalid ~SEQ", 2));
}

TEST_CASE("runaway expansion is bounded: self-reference, huge ~SEQ, deep nesting") {
  auto self = parse("$A=$A\na $A\n");
  CHECK_FALSE(self.ok());
  auto grow = parse("$A=$A$A\na $A\n");
  CHECK_FALSE(grow.ok());
  auto huge = parse("~SEQ(I,1,1000000000) a\n");
  CHECK_FALSE(huge.ok());
  auto deep = parse("$M= \\\n$M\n\n$M\n");
  CHECK_FALSE(deep.ok());
}

TEST_CASE("${_ENV NAME} reads the environment through the caller, ${_RANDOM} is made deterministic") {
  vigil::kconf::ParseOptions options;
  options.environment = [](const std::string& name) -> std::optional<std::string> {
    if (name == "SITE") return std::string("paris");
    return std::nullopt;
  };
  vigil::kconf::MemoryFileSource files;
  auto r = vigil::kconf::parse_text("a ${_ENV SITE} ${_ENV NONE}x\nb ${_RANDOM 5 9}\n", "/k.conf", files, options);
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a paris x", "b 5"});
  CHECK(has_diagnostic(r.diagnostics, Severity::kWarning, "_RANDOM", 2));
}

TEST_CASE("a definition may override a built-in") {
  auto r = parse("$_HASH=hash\na ${_HASH}\n");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a hash"});
}

TEST_CASE("~SEQ parameters may be definitions") {
  auto r = parse("$N=3\n~SEQ(I,1,$N) a $I\n");
  CHECK(flatten(r.nodes) == std::vector<std::string>{"a 1", "a 2", "a 3"});
}

TEST_CASE("diagnostics inside included files name the included file and line") {
  vigil::kconf::MemoryFileSource files;
  files.add("/etc/keepalived/inc.conf", "vrrp_script s {\n  script $UNDEFINED_X\n}\n");
  auto r = parse("include inc.conf\n", "", files);
  REQUIRE(r.diagnostics.size() == 1);
  CHECK(r.diagnostics[0].location.file == "/etc/keepalived/inc.conf");
  CHECK(r.diagnostics[0].location.line == 2);
}

TEST_CASE("include depth is bounded") {
  vigil::kconf::MemoryFileSource files;
  for (int i = 0; i < 40; ++i) {
    files.add("/etc/keepalived/d" + std::to_string(i) + ".conf", "include d" + std::to_string(i + 1) + ".conf\n");
  }
  auto r = parse("include d0.conf\n", "", files);
  CHECK(has_diagnostic(r.diagnostics, Severity::kError, "nested too deeply"));
}
