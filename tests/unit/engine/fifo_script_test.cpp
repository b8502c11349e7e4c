// The lvs_notify_fifo_script runner with real processes: the script gets the FIFO's path as its
// last argument and reads the lines written there; at stop it sees end of file once the FIFO is
// closed and leaves by itself, and a script that does not leave is killed after the grace.
#include "engine/fifo_script.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>

#include "engine/notify_fifo.hpp"

using namespace std::chrono_literals;
namespace engine = vigil::engine;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vigil-fifo-script-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

std::string read_file(const fs::path& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

vigil::config::Command exec(std::vector<std::string> argv) {
  vigil::config::Command command;
  command.kind = vigil::config::CommandKind::kExec;
  command.argv = std::move(argv);
  return command;
}

// Polls until `done` or a generous bound (a safety net for a broken build, not a timing check).
vigil::rt::Task<void> wait_until(const std::function<bool()>& done) {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (int i = 0; i < 1000 && !done(); ++i) {
    timer.expires_after(10ms);
    co_await timer.async_wait(vigil::rt::use_nothrow);
  }
}

void run(asio::io_context& context, vigil::rt::Task<void> task) {
  std::exception_ptr failure;
  asio::co_spawn(context, std::move(task), [&](std::exception_ptr e) { failure = e; });
  context.run();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace

TEST_CASE("fifo script: reads the FIFO it is given and leaves at end of file") {
  TempDir dir;
  const std::string fifo = (dir.path / "lvs.fifo").string();
  const fs::path out = dir.path / "out";
  asio::io_context context(1);
  engine::NotifyFifos fifos({fifo});
  REQUIRE_FALSE(fifos.empty());
  engine::FifoScript script(context.get_executor(), "lvs_notify_fifo_script");
  const std::string body = "echo \"arg $1\" > " + out.string() + "; while read -r line; do echo \"$line\" >> " +
                           out.string() + "; done < \"$1\"; echo eof >> " + out.string();
  script.start(exec({"/bin/sh", "-c", body, "reader"}), fifo);
  CHECK(script.running());
  run(context, [&]() -> vigil::rt::Task<void> {
    fifos.write("RS [198.51.100.2]:tcp:80 [192.0.2.10]:tcp:80 DOWN\n");
    co_await wait_until([&] { return read_file(out).find("DOWN") != std::string::npos; });
    fifos = engine::NotifyFifos();  // vigild's end closes: the reader sees end of file
    co_await script.stop(10s);
  }());
  CHECK_FALSE(script.running());
  CHECK(read_file(out) == "arg " + fifo + "\nRS [198.51.100.2]:tcp:80 [192.0.2.10]:tcp:80 DOWN\neof\n");
}

TEST_CASE("fifo script: one that does not leave is killed after the grace") {
  TempDir dir;
  const std::string fifo = (dir.path / "lvs.fifo").string();
  asio::io_context context(1);
  engine::NotifyFifos fifos({fifo});
  engine::FifoScript script(context.get_executor(), "lvs_notify_fifo_script");
  script.start(exec({"/bin/sh", "-c", "sleep 1000", "reader"}), fifo);  // never reads, never leaves
  run(context, [&]() -> vigil::rt::Task<void> { co_await script.stop(50ms); }());
  CHECK_FALSE(script.running());
}
