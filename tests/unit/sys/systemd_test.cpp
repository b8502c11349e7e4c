#include "sys/systemd.hpp"

#include <doctest/doctest.h>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <string>

namespace {

// A NOTIFY_SOCKET listener, as systemd provides one.
struct NotifyListener {
  int fd = -1;
  std::string path;
  NotifyListener() {
    path = "/tmp/vigil-notify-" + std::to_string(::getpid()) + ".sock";
    ::unlink(path.c_str());
    fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof(address.sun_path) - 1);
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    ::setenv("NOTIFY_SOCKET", path.c_str(), 1);
  }
  ~NotifyListener() {
    ::unsetenv("NOTIFY_SOCKET");
    ::close(fd);
    ::unlink(path.c_str());
  }
  std::string receive() const {
    char buffer[4096];
    const ssize_t n = ::recv(fd, buffer, sizeof(buffer), MSG_DONTWAIT);
    return n > 0 ? std::string(buffer, static_cast<std::size_t>(n)) : std::string();
  }
};

}  // namespace

TEST_CASE("without NOTIFY_SOCKET notifications are no-ops") {
  ::unsetenv("NOTIFY_SOCKET");
  auto sent = vigil::sys::notify_ready();
  REQUIRE(sent.has_value());
  CHECK_FALSE(*sent);
}

TEST_CASE("notifications reach a NOTIFY_SOCKET listener") {
  NotifyListener listener;
  CHECK(vigil::sys::notify_ready("running 2 instances").value_or(false));
  CHECK(listener.receive() == "READY=1\nSTATUS=running 2 instances");
  CHECK(vigil::sys::notify_reloading().value_or(false));
  const std::string reloading = listener.receive();
  CHECK(reloading.rfind("RELOADING=1\nMONOTONIC_USEC=", 0) == 0);
  CHECK(vigil::sys::notify_stopping().value_or(false));
  CHECK(listener.receive() == "STOPPING=1");
  CHECK(vigil::sys::notify_status("line one\nREADY=1").value_or(false));
  CHECK(listener.receive() == "STATUS=line one READY=1");
  // systemd unescapes backslashes: an error quoting "\n" must arrive as "\\n" to be shown as "\n".
  CHECK(vigil::sys::notify_status(R"(saw '\n' in C:\x)").value_or(false));
  CHECK(listener.receive() == R"(STATUS=saw '\\n' in C:\\x)");
  CHECK(vigil::sys::notify_watchdog().value_or(false));
  CHECK(listener.receive() == "WATCHDOG=1");
}

TEST_CASE("watchdog_interval reads WATCHDOG_USEC") {
  ::unsetenv("WATCHDOG_USEC");
  CHECK_FALSE(vigil::sys::watchdog_interval().has_value());
  ::setenv("WATCHDOG_USEC", "3000000", 1);
  ::setenv("WATCHDOG_PID", std::to_string(::getpid()).c_str(), 1);
  const auto interval = vigil::sys::watchdog_interval();
  ::unsetenv("WATCHDOG_USEC");
  ::unsetenv("WATCHDOG_PID");
  REQUIRE(interval.has_value());
  CHECK(*interval == std::chrono::seconds(3));
}
