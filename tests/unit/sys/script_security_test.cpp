#include "sys/script_security.hpp"

#include <doctest/doctest.h>

#include <sys/stat.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include "test_support.hpp"

namespace fs = std::filesystem;

namespace {

// A root-owned 0755 directory under /tmp (root-owned and sticky) with a 0755 script in it.
struct ScriptTree {
  fs::path root;
  fs::path script;
  ScriptTree() {
    char pattern[] = "/tmp/vigil-security-XXXXXX";
    root = ::mkdtemp(pattern);
    ::chmod(root.c_str(), 0755);
    fs::create_directory(root / "bin");
    ::chmod((root / "bin").c_str(), 0755);
    script = root / "bin" / "check.sh";
    std::ofstream(script) << "#!/bin/sh\nexit 0\n";
    ::chmod(script.c_str(), 0755);
  }
  ~ScriptTree() {
    std::error_code ignored;
    fs::remove_all(root, ignored);
  }
};

}  // namespace

TEST_CASE("a root-owned 0755 script on a root-owned path is accepted") {
  VIGIL_REQUIRE_ROOT();
  ScriptTree tree;
  auto checked = vigil::sys::check_script_security(tree.script);
  CHECK_MESSAGE(checked.has_value(), (checked ? "" : checked.error().to_string()));
  CHECK(vigil::sys::check_script_security("/bin/sh").has_value());
}

TEST_CASE("a world-writable directory on the path is refused and named") {
  VIGIL_REQUIRE_ROOT();
  ScriptTree tree;
  ::chmod((tree.root / "bin").c_str(), 0777);
  auto checked = vigil::sys::check_script_security(tree.script);
  REQUIRE_FALSE(checked.has_value());
  const std::string text = checked.error().message;
  CHECK(text.find("directory " + (tree.root / "bin").string() + " is writable by everyone (mode 0777)") !=
        std::string::npos);
}

TEST_CASE("a group-writable script of a non-root group is refused") {
  VIGIL_REQUIRE_ROOT();
  ScriptTree tree;
  REQUIRE(::chown(tree.script.c_str(), 0, 65534) == 0);
  ::chmod(tree.script.c_str(), 0775);
  auto checked = vigil::sys::check_script_security(tree.script);
  REQUIRE_FALSE(checked.has_value());
  CHECK(checked.error().message.find("writable by group gid 65534") != std::string::npos);
  // Group root may write: root already can.
  REQUIRE(::chown(tree.script.c_str(), 0, 0) == 0);
  CHECK(vigil::sys::check_script_security(tree.script).has_value());
}

TEST_CASE("a script owned by a non-root user is refused") {
  VIGIL_REQUIRE_ROOT();
  ScriptTree tree;
  REQUIRE(::chown(tree.script.c_str(), 65534, 0) == 0);
  auto checked = vigil::sys::check_script_security(tree.script);
  REQUIRE_FALSE(checked.has_value());
  CHECK(checked.error().message.find("is owned by uid 65534") != std::string::npos);
}

TEST_CASE("a symlink is checked through to its target") {
  VIGIL_REQUIRE_ROOT();
  ScriptTree tree;
  fs::create_directory(tree.root / "open");
  ::chmod((tree.root / "open").c_str(), 0777);
  const fs::path target = tree.root / "open" / "real.sh";
  std::ofstream(target) << "#!/bin/sh\n";
  ::chmod(target.c_str(), 0755);
  const fs::path link = tree.root / "bin" / "link.sh";
  fs::create_symlink(target, link);
  auto checked = vigil::sys::check_script_security(link);
  REQUIRE_FALSE(checked.has_value());
  CHECK(checked.error().message.find((tree.root / "open").string()) != std::string::npos);
}

TEST_CASE("relative, missing and non-regular scripts are refused") {
  CHECK_FALSE(vigil::sys::check_script_security("bin/check.sh").has_value());
  CHECK_FALSE(vigil::sys::check_script_security("/nonexistent/check.sh").has_value());
  CHECK_FALSE(vigil::sys::check_script_security("/tmp").has_value());
}
