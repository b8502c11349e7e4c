// Asio 1.22's io_uring backend fills a cancel request into a reused submission slot without clearing
// the slot's user data, so the cancel's own completion was delivered to whichever operation used
// that slot one ring-length earlier: a wait completed without its descriptor being ready, or a
// pidfd poll failed with ENOENT. src/rt/asio_impl.cpp clears it; this test recreates the pattern.
#include <doctest/doctest.h>

#include <sys/socket.h>
#include <unistd.h>

#include <asio/io_context.hpp>
#include <asio/posix/stream_descriptor.hpp>
#include <cstddef>
#include <optional>

namespace {

using asio::posix::stream_descriptor;

// More than one ring length of submissions (Asio 1.22 uses a fixed 16384-entry ring), so every slot
// has carried the same stale user data before the cancel is filled in.
constexpr int kRounds = 16384 + 64;

struct SocketPair {
  int ends[2] = {-1, -1};
  SocketPair() { REQUIRE(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, ends) == 0); }
  ~SocketPair() {
    for (const int end : ends)
      if (end >= 0) ::close(end);
  }
  int release(int index) {
    const int fd = ends[index];
    ends[index] = -1;
    return fd;
  }
};

}  // namespace

TEST_CASE("io_uring: cancelling one wait never completes another descriptor's wait") {
  asio::io_context context(1);
  SocketPair watched_pair;
  SocketPair cancelled_pair;
  stream_descriptor watched(context, watched_pair.release(0));
  stream_descriptor cancelled(context, cancelled_pair.release(0));
  const int watched_peer = watched_pair.ends[1];

  // Every round is one poll submission carrying the watched descriptor's queue as user data.
  char byte = 'x';
  for (int round = 0; round < kRounds; ++round) {
    REQUIRE(::write(watched_peer, &byte, 1) == 1);
    bool ready = false;
    watched.async_wait(stream_descriptor::wait_read, [&](const asio::error_code& ec) { ready = !ec; });
    context.restart();
    while (!ready && context.run_one() > 0) {
    }
    REQUIRE(ready);
    REQUIRE(::read(watched.native_handle(), &byte, 1) == 1);
  }

  // The watched descriptor now waits with nothing to read; the other one waits and is cancelled.
  std::optional<asio::error_code> watched_result;
  std::optional<asio::error_code> cancelled_result;
  watched.async_wait(stream_descriptor::wait_read, [&](const asio::error_code& ec) { watched_result = ec; });
  cancelled.async_wait(stream_descriptor::wait_read, [&](const asio::error_code& ec) { cancelled_result = ec; });
  context.restart();
  context.poll();
  cancelled.cancel();
  context.restart();
  while (!cancelled_result && context.run_one() > 0) {
  }
  // Let any stray completion arrive.
  context.restart();
  context.poll();
  REQUIRE(cancelled_result.has_value());
  CHECK(*cancelled_result == asio::error::operation_aborted);
  CHECK_MESSAGE(!watched_result.has_value(), "the wait on a descriptor with nothing to read completed: "
                                                 << (watched_result ? watched_result->message() : ""));

  // The watched wait still works when data does arrive.
  REQUIRE(::write(watched_peer, &byte, 1) == 1);
  context.restart();
  while (!watched_result && context.run_one() > 0) {
  }
  REQUIRE(watched_result.has_value());
  CHECK(!*watched_result);
}
