#include "rt/io_context.hpp"

#include <doctest/doctest.h>

#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <asio/co_spawn.hpp>
#include <asio/detached.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/this_coro.hpp>
#include <chrono>
#include <exception>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "rt/io_uring_ring.hpp"
#include "rt/tokens.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;

TEST_CASE("backend_name matches the build") {
#if VIGIL_IO_URING
  CHECK(vigil::rt::backend_name() == "io_uring");
#else
  CHECK(vigil::rt::backend_name() == "epoll");
#endif
}

TEST_CASE("make_io_context runs a coroutine timer on the built backend") {
  auto context = vigil::rt::make_io_context();
  REQUIRE_MESSAGE(context.has_value(), (context ? "" : context.error().to_string()));
  int ticks = 0;
  std::exception_ptr failure;
  asio::co_spawn(
      **context,
      [&]() -> vigil::rt::Task<void> {
        asio::steady_timer timer(co_await asio::this_coro::executor);
        for (int i = 0; i < 3; ++i) {
          timer.expires_after(1ms);
          auto [ec] = co_await timer.async_wait(vigil::rt::use_nothrow);
          if (!ec) ++ticks;
        }
      },
      [&](std::exception_ptr e) { failure = e; });
  (*context)->run();
  CHECK_FALSE(failure);
  CHECK(ticks == 3);
  MESSAGE("backend: " << vigil::rt::backend_name());
}

TEST_CASE("co_spawn from a handler runs the coroutine up to its first wait before it returns") {
  // The takeover path relies on it: a new master's VIP transaction (whose netlink ACK is read
  // without waiting) and its first gratuitous ARP both happen inside the step that spawned them.
  auto context = vigil::rt::make_io_context();
  REQUIRE_MESSAGE(context.has_value(), (context ? "" : context.error().to_string()));
  std::vector<std::string> events;
  asio::post(**context, [&] {
    asio::co_spawn(
        **context,
        [&]() -> vigil::rt::Task<void> {
          events.emplace_back("coroutine before its first wait");
          asio::steady_timer timer(co_await asio::this_coro::executor);
          timer.expires_after(1ms);
          (void)co_await timer.async_wait(vigil::rt::use_nothrow);
          events.emplace_back("coroutine after its wait");
        },
        asio::detached);
    events.emplace_back("co_spawn returned");
  });
  (*context)->run();
  CHECK(events ==
        std::vector<std::string>{"coroutine before its first wait", "co_spawn returned", "coroutine after its wait"});
}

#if VIGIL_IO_URING
namespace {

// What a Docker-style seccomp profile does: io_uring_setup fails with EPERM.
bool forbid_io_uring() {
  sock_filter filter[] = {
      {BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(seccomp_data, nr)},
      {BPF_JMP | BPF_JEQ | BPF_K, 0, 1, __NR_io_uring_setup},
      {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ERRNO | EPERM},
      {BPF_RET | BPF_K, 0, 0, SECCOMP_RET_ALLOW},
  };
  sock_fprog program{static_cast<unsigned short>(std::size(filter)), filter};
  return ::prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0 &&
         ::prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &program, 0, 0) == 0;
}

}  // namespace
#endif

TEST_CASE("without io_uring the factory explains why and how to rebuild") {
#if !VIGIL_IO_URING
  VIGIL_SKIP("built on epoll");
#else
  int pipe_fds[2];
  REQUIRE(::pipe(pipe_fds) == 0);
  const pid_t child = ::fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    ::close(pipe_fds[0]);
    if (!forbid_io_uring()) ::_exit(2);
    auto context = vigil::rt::make_io_context();
    const std::string text = context ? std::string("created") : context.error().to_string();
    [[maybe_unused]] auto written = ::write(pipe_fds[1], text.data(), text.size());
    ::_exit(context ? 1 : 0);
  }
  ::close(pipe_fds[1]);
  std::string text;
  char buffer[512];
  for (ssize_t n; (n = ::read(pipe_fds[0], buffer, sizeof buffer)) > 0;)
    text.append(buffer, static_cast<std::size_t>(n));
  ::close(pipe_fds[0]);
  int status = 0;
  ::waitpid(child, &status, 0);
  REQUIRE(WIFEXITED(status));
  if (WEXITSTATUS(status) == 2) VIGIL_SKIP("cannot install a seccomp filter here");
  CHECK(WEXITSTATUS(status) == 0);
  CHECK(text.find("io_uring is unavailable") != std::string::npos);
  CHECK(text.find("cmake -DVIGIL_IO_URING=OFF") != std::string::npos);
  MESSAGE(text);
#endif
}

#if VIGIL_IO_URING
namespace {

// The submission-queue size of every io_uring this process holds, from /proc/self/fdinfo.
std::vector<unsigned> io_uring_sq_sizes() {
  std::vector<unsigned> sizes;
  for (const auto& entry : std::filesystem::directory_iterator("/proc/self/fd")) {
    std::error_code error;
    const auto target = std::filesystem::read_symlink(entry.path(), error);
    if (error || target.string() != "anon_inode:[io_uring]") continue;
    std::ifstream info("/proc/self/fdinfo/" + entry.path().filename().string());
    for (std::string line; std::getline(info, line);) {
      if (line.rfind("SqMask:", 0) == 0) sizes.push_back(std::stoul(line.substr(7), nullptr, 16) + 1);
    }
  }
  return sizes;
}

}  // namespace
#endif

TEST_CASE("the io_uring is vigil's size, not Asio's 16384 entries") {
#if !VIGIL_IO_URING
  VIGIL_SKIP("built on epoll");
#else
  auto context = vigil::rt::make_io_context();
  REQUIRE(context.has_value());
  const auto sizes = io_uring_sq_sizes();
  REQUIRE_FALSE(sizes.empty());
  for (const unsigned size : sizes) CHECK(size == vigil::rt::kIoUringEntries);
#endif
}
