#include "sys/runtime_dir.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>

namespace fs = std::filesystem;
using vigil::sys::RuntimeDir;

namespace {

struct TempDir {
  fs::path path;
  TempDir() {
    char pattern[] = "/tmp/vigil-rundir-XXXXXX";
    path = ::mkdtemp(pattern);
  }
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path, ignored);
  }
};

}  // namespace

TEST_CASE("acquire creates the directory, writes our pid and removes it on release") {
  TempDir temp;
  const fs::path directory = temp.path / "nested" / "run";
  {
    auto dir = RuntimeDir::acquire(directory);
    REQUIRE_MESSAGE(dir.has_value(), (dir ? "" : dir.error().to_string()));
    CHECK(dir->pid_file() == directory / "vigild.pid");
    CHECK(dir->file("vigild.sock") == directory / "vigild.sock");
    CHECK(vigil::sys::read_pid_file(dir->pid_file()) == ::getpid());
  }
  CHECK_FALSE(fs::exists(directory / "vigild.pid"));
}

TEST_CASE("a stale pid file from a dead daemon is taken over") {
  TempDir temp;
  std::ofstream(temp.path / "vigild.pid") << "999999\n";
  auto dir = RuntimeDir::acquire(temp.path);
  REQUIRE(dir.has_value());
  CHECK(vigil::sys::read_pid_file(dir->pid_file()) == ::getpid());
}

TEST_CASE("a live daemon's directory is refused with its pid") {
  TempDir temp;
  auto first = RuntimeDir::acquire(temp.path);
  REQUIRE(first.has_value());
  // flock is per open file description: a second open in this process conflicts like another daemon.
  auto second = RuntimeDir::acquire(temp.path);
  REQUIRE_FALSE(second.has_value());
  CHECK(second.error().code == std::make_error_code(std::errc::device_or_resource_busy));
  CHECK(second.error().message.find("in use by another vigild (pid " + std::to_string(::getpid()) + ")") !=
        std::string::npos);
  CHECK(vigil::sys::read_pid_file(first->pid_file()) == ::getpid());
  *first = std::move(*first);  // self-move keeps the lock
  first = vigil::fail(vigil::make_error(std::errc::interrupted, "released"));
  CHECK(RuntimeDir::acquire(temp.path).has_value());
}

TEST_CASE("different runtime directories do not conflict") {
  TempDir temp;
  auto a = RuntimeDir::acquire(temp.path / "a");
  auto b = RuntimeDir::acquire(temp.path / "b");
  CHECK(a.has_value());
  CHECK(b.has_value());
}

TEST_CASE("remove_stale removes a leftover socket file and tolerates none") {
  TempDir temp;
  auto dir = RuntimeDir::acquire(temp.path);
  REQUIRE(dir.has_value());
  std::ofstream(dir->file("vigild.sock")) << "";
  CHECK(dir->remove_stale("vigild.sock").has_value());
  CHECK_FALSE(fs::exists(dir->file("vigild.sock")));
  CHECK(dir->remove_stale("vigild.sock").has_value());
}
