#include "veth_lab.hpp"

#include <fcntl.h>
#include <sched.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <thread>

#include "net/wire/interface_info.hpp"
#include "net/wire/sysctl.hpp"

namespace vigil::test {
namespace {

int open_current_namespace() { return ::open("/proc/thread-self/ns/net", O_RDONLY); }

std::string disable_dad() {
  for (const char* key : {"net/ipv6/conf/all/accept_dad", "net/ipv6/conf/default/accept_dad"}) {
    if (auto written = net::wire::write_sysctl(key, "0"); !written) return written.error().to_string();
  }
  return {};
}

// Readiness, not a timed assertion: veth carrier and link-local appear asynchronously.
bool wait_until_ready(const std::string& interface) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    auto info = net::wire::query_interface(interface);
    if (info && info->running && info->link_local_v6) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return false;
}

}  // namespace

VethLab::~VethLab() {
  if (host_ >= 0) ::setns(host_, CLONE_NEWNET);
  for (int fd : {a_, b_, host_}) {
    if (fd >= 0) ::close(fd);
  }
}

std::string VethLab::build() {
  host_ = open_current_namespace();
  if (host_ < 0) return "cannot open the current network namespace";
  if (::unshare(CLONE_NEWNET) != 0) return "unshare(CLONE_NEWNET) failed";
  // Not O_CLOEXEC: `ip` (run through the shell) moves the veth peer into A by this descriptor.
  a_ = open_current_namespace();
  if (auto error = disable_dad(); !error.empty()) return error;
  if (::unshare(CLONE_NEWNET) != 0) return "unshare(CLONE_NEWNET) failed";
  b_ = open_current_namespace();
  if (auto error = disable_dad(); !error.empty()) return error;

  const std::string a_path = "/proc/" + std::to_string(::getpid()) + "/fd/" + std::to_string(a_);
  if (!run(Side::kB, "ip link set lo up && ip link add eth0 type veth peer name eth0 netns " + a_path)) {
    return "cannot create the veth pair";
  }
  if (!run(Side::kA,
           "ip link set lo up && ip addr add 192.0.2.1/24 dev eth0 && "
           "ip addr add 2001:db8::1/64 dev eth0 nodad && ip link set eth0 up")) {
    return "cannot configure eth0 in namespace A";
  }
  if (!run(Side::kB,
           "ip addr add 192.0.2.2/24 dev eth0 && ip addr add 2001:db8::2/64 dev eth0 nodad && "
           "ip link set eth0 up")) {
    return "cannot configure eth0 in namespace B";
  }
  for (Side side : {Side::kA, Side::kB}) {
    enter(side);
    if (!wait_until_ready("eth0")) return "eth0 did not come up with a link-local address";
  }
  return {};
}

void VethLab::enter(Side side) const { ::setns(side == Side::kA ? a_ : b_, CLONE_NEWNET); }

bool VethLab::run(Side side, const std::string& command) const {
  enter(side);
  const std::string quiet = "(" + command + ") >/dev/null";
  // std::system is fine here: one thread, commands built from constants.
  return std::system(quiet.c_str()) == 0;  // NOLINT(concurrency-mt-unsafe,cert-env33-c)
}

}  // namespace vigil::test
