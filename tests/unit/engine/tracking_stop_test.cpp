// Tracking's stop with a vrrp_script run in flight: the run is cancelled, which kills the script's
// process group and reaps it, instead of waiting for the script's own timeout or leaving it behind.
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

#include "config/loader.hpp"
#include "engine/tracking.hpp"

using namespace std::chrono_literals;
namespace fs = std::filesystem;

namespace {

struct TempDir {
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "vigil-tracking-XXXXXX").string();
    path = ::mkdtemp(pattern.data());
  }
  ~TempDir() { fs::remove_all(path); }
  fs::path path;
};

pid_t read_pid(const fs::path& file) {
  std::ifstream in(file);
  std::string text;
  if (!std::getline(in, text) || text.empty()) return 0;
  return std::stoi(text);
}

}  // namespace

TEST_CASE("tracking: stop kills and reaps a vrrp_script run in flight") {
  TempDir dir;
  const fs::path ready = dir.path / "ready";
  // The script writes its pid (the process group sys::run started), then outlasts any test.
  const std::string text = R"(
[vrrp_script.chk]
script = "echo $$ > )" + ready.string() +
                           R"(.tmp; mv )" + ready.string() + R"(.tmp )" + ready.string() +
                           R"(; sleep 60"
interval = "100s"

[vrrp_instance.VI_1]
interface = "lo"
virtual_router_id = 51
priority = 100
virtual_ipaddress = ["192.0.2.1/24"]
track_script = ["chk"]
)";
  auto loaded = vigil::config::load_string(text, vigil::config::Syntax::kToml, "t.toml");
  for (const auto& d : loaded.diagnostics) MESSAGE(d.message);
  REQUIRE(loaded.ok());

  asio::io_context context(1);
  vigil::engine::Tracking tracking(*loaded.config, context.get_executor(), context.get_executor(), {},
                                   [](const vigil::engine::TrackerChange&) {});
  tracking.start();
  for (int i = 0; i < 1000 && read_pid(ready) == 0; ++i) context.run_for(10ms);
  const pid_t script = read_pid(ready);
  REQUIRE(script > 0);

  std::exception_ptr failure;
  bool stopped = false;
  asio::co_spawn(context, tracking.stop(), [&](std::exception_ptr e) {
    failure = e;
    stopped = true;
  });
  context.run();
  if (failure) std::rethrow_exception(failure);
  CHECK(stopped);
  // Reaped: not even a zombie is left.
  CHECK(::kill(script, 0) != 0);
  CHECK(errno == ESRCH);
}
