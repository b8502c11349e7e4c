// The notifier's stop: notify scripts that finish within the grace run to their end; one still
// running after it is killed and reaped, and what was queued behind it is dropped.
#include <doctest/doctest.h>

#include <errno.h>
#include <signal.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>

#include "engine/notifier.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vigil-notifier-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

vigil::config::Command shell(std::string line) {
  vigil::config::Command command;
  command.kind = vigil::config::CommandKind::kShell;
  command.shell = "/bin/sh";
  command.line = std::move(line);
  return command;
}

vigil::engine::NotifyRequest request(std::string name, std::string line) {
  vigil::engine::NotifyRequest out;
  out.name = std::move(name);
  out.state = "STOP";
  out.state_command = shell(std::move(line));
  return out;
}

}  // namespace

TEST_CASE("notifier: finish lets quick scripts end, then kills and reaps one that hangs") {
  TempDir dir;
  const fs::path log = dir.path / "log";
  const fs::path hung = dir.path / "hung";
  asio::io_context context(1);
  vigil::engine::Notifier notifier(context.get_executor(), {}, {});
  notifier.submit(request("VI_1", "echo quick >> " + log.string()));
  notifier.submit(request("VI_2", "echo $$ > " + hung.string() + "; sleep 60"));
  notifier.submit(request("VI_2", "echo after-the-hung-one >> " + log.string()));  // queued behind it
  std::size_t killed = 99;
  std::exception_ptr failure;
  // Long enough for the quick script on a busy machine; the hung one outlasts any grace.
  auto stop = [&]() -> vigil::rt::Task<void> { killed = co_await notifier.finish(3s); };
  asio::co_spawn(context, stop(), [&](std::exception_ptr e) { failure = e; });
  context.run();
  if (failure) std::rethrow_exception(failure);
  CHECK(killed == 1);
  CHECK(read_file(log) == "quick\n");
  const std::string pid_text = read_file(hung);
  REQUIRE_FALSE(pid_text.empty());
  // Reaped: not even a zombie is left.
  CHECK(::kill(std::stoi(pid_text), 0) != 0);
  CHECK(errno == ESRCH);
}
