// include: globs, {a,b} braces, relative paths, missing files, cycles, depth.
#include <doctest/doctest.h>

#include "kconf_test_support.hpp"

using namespace kconf_test;
using vigil::kconf::MemoryFileSource;

TEST_CASE("include resolves relative to the including file, with globs and braces") {
  MemoryFileSource files({{"/etc/keepalived/conf.d/a.conf", "vrrp_script a {\n}\n"},
                          {"/etc/keepalived/conf.d/b.conf", "vrrp_script b {\n}\ninclude ../more/x.conf\n"},
                          {"/etc/keepalived/conf.d/c.txt", "vrrp_script c {\n}\n"},
                          {"/etc/keepalived/more/x.conf", "vrrp_script x {\n}\n"},
                          {"/etc/keepalived/one.conf", "vrrp_script one {\n}\n"},
                          {"/etc/keepalived/two.conf", "vrrp_script two {\n}\n"}});
  auto r = parse("include conf.d/*.conf\ninclude {two,one}.conf\n", "", files);
  CHECK(r.ok());
  CHECK(flatten(r.nodes) == std::vector<std::string>{"vrrp_script a", "vrrp_script b", "vrrp_script x",
                                                     "vrrp_script two", "vrrp_script one"});
  CHECK(r.nodes[2].location.file == "/etc/keepalived/more/x.conf");
  CHECK(r.nodes[2].location.line == 1);
}

TEST_CASE("a missing include is not an error, as in keepalived") {
  auto r = parse("include /nowhere/*.conf\nvrrp_script s {\n}\n");
  CHECK(r.ok());
  CHECK(r.nodes.size() == 1);
  CHECK(has_diagnostic(r.diagnostics, Severity::kNote, "matches no file", 1));
}

TEST_CASE("include cycles are detected and reported at the include line") {
  MemoryFileSource files({{"/etc/keepalived/a.conf", "include b.conf\nvrrp_script a {\n}\n"},
                          {"/etc/keepalived/b.conf", "include a.conf\nvrrp_script b {\n}\n"}});
  auto r = parse("include a.conf\n", "", files);
  CHECK_FALSE(r.ok());
  CHECK(has_diagnostic(r.diagnostics, Severity::kError, "include cycle"));
  CHECK(flatten(r.nodes) == std::vector<std::string>{"vrrp_script b", "vrrp_script a"});
}

TEST_CASE("a file including itself through a glob is a cycle, not a hang") {
  MemoryFileSource files;
  files.add("/etc/keepalived/keepalived.conf", "include *.conf\n");
  auto r = parse("include *.conf\n", "", files);
  CHECK_FALSE(r.ok());
}

TEST_CASE("include is recognised before conditionals and macros") {
  MemoryFileSource files;
  files.add("/etc/keepalived/x.conf", "vrrp_script x {\n}\n");
  auto r = parse("$F=x.conf\ninclude $F\n@a include x.conf\n", "a", files);
  // As in keepalived: `include $F` looks for a file literally named "$F", and the conditional line is
  // an ordinary (unknown) keyword line after the @a is removed.
  CHECK(flatten(r.nodes) == std::vector<std::string>{"include x.conf"});
  CHECK(has_diagnostic(r.diagnostics, Severity::kNote, "'$F' matches no file", 2));
}
