// advert_floor: what the kernel alone charges for sending (or receiving) N VRRP adverts a second,
// the floor under any VRRP daemon's CPU in the same lab (issue 3). No event loop, no state
// machine: the adverts are encoded once by the project's codec (src/vrrp) and re-sent as they are.
//
//   advert_floor send    --interfaces eth0:4,eth3:6 [--count 1000] [--per-interface 250]
//                        [--interval-ms 1000] [--grid-ms 5] [--batch] [--seconds S]
//   advert_floor receive --interfaces eth0:4,eth3:6 [--grid-ms 0] [--seconds S]
//
// send: instance i (VRID i % per-interface + 1 on interface i / per-interface) starts at
// i × interval / count and is rounded up to a grid of --grid-ms, as vigild spreads and slots its
// units: one wake-up per grid slot, then one sendmsg per advert (or, --batch, one sendmmsg per
// socket and slot). --grid-ms 0: one wake-up per advert, as keepalived's one timer per instance.
// receive: blocks in poll() on every socket and reads what is queued with recvmsg (the hop
// limit and destination ancillary data the daemon asks for included), or with --grid-ms N wakes
// every N ms and drains every socket with recvmmsg.
//
// Sockets get the daemon's settings (net/wire/vrrp_socket.cpp): raw protocol 112 bound to the
// interface, TTL / hop limit 255, multicast loop off, TOS / traffic class 0xc0, no DF, group
// joined, the source as IP_PKTINFO / IPV6_PKTINFO. tools/ does not link the runtime (see
// tools/check-layering.sh), so those options are set here again.
//
// Runs until --seconds pass or SIGTERM/SIGINT; then prints one line on stdout:
//   adverts=N wakeups=W cpu_user_s=U cpu_system_s=S
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vrrp/packet.hpp"

namespace {

using vigil::Family;
using vigil::IpAddress;

volatile sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

constexpr int kVrrpProtocol = 112;
constexpr int kHopLimit = 255;
constexpr int kTrafficClass = 0xc0;

[[noreturn]] void die(const std::string& what) {
  std::fprintf(stderr, "advert_floor: %s: %s\n", what.c_str(), std::strerror(errno));
  std::exit(1);
}

[[noreturn]] void usage(const char* why) {
  std::fprintf(stderr,
               "advert_floor: %s\nusage: advert_floor send|receive --interfaces IF:4|6[,...] [--count N] "
               "[--per-interface N] [--interval-ms MS] [--grid-ms MS] [--batch] [--seconds S]\n",
               why);
  std::exit(2);
}

void set_int(int fd, int level, int name, int value, const char* what) {
  if (::setsockopt(fd, level, name, &value, sizeof value) != 0) die(what);
}

struct Endpoint {
  std::string interface;
  Family family = Family::kIPv4;
  int index = 0;
  int fd = -1;
  IpAddress source;
  IpAddress group;
};

// The interface's first IPv4 address, or its IPv6 link-local (the daemon's default source).
IpAddress source_address(const std::string& interface, Family family) {
  ifaddrs* list = nullptr;
  if (::getifaddrs(&list) != 0) die("getifaddrs");
  std::optional<IpAddress> found;
  for (const ifaddrs* entry = list; entry != nullptr && !found; entry = entry->ifa_next) {
    if (entry->ifa_addr == nullptr || interface != entry->ifa_name) continue;
    if (family == Family::kIPv4 && entry->ifa_addr->sa_family == AF_INET) {
      std::array<std::uint8_t, 4> bytes{};
      std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in*>(entry->ifa_addr)->sin_addr, 4);
      found = IpAddress::v4(bytes);
    } else if (family == Family::kIPv6 && entry->ifa_addr->sa_family == AF_INET6) {
      std::array<std::uint8_t, 16> bytes{};
      std::memcpy(bytes.data(), &reinterpret_cast<const sockaddr_in6*>(entry->ifa_addr)->sin6_addr, 16);
      const auto address = IpAddress::v6(bytes);
      if (address.is_link_local()) found = address;
    }
  }
  ::freeifaddrs(list);
  if (!found) {
    errno = EADDRNOTAVAIL;
    die("no source address on " + interface);
  }
  return *found;
}

Endpoint open_endpoint(const std::string& interface, Family family) {
  Endpoint endpoint;
  endpoint.interface = interface;
  endpoint.family = family;
  endpoint.index = static_cast<int>(::if_nametoindex(interface.c_str()));
  if (endpoint.index == 0) die("interface " + interface);
  endpoint.source = source_address(interface, family);
  const bool v4 = family == Family::kIPv4;
  endpoint.group =
      v4 ? IpAddress::v4({224, 0, 0, 18}) : IpAddress::v6({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12});
  const int fd = ::socket(v4 ? AF_INET : AF_INET6, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, kVrrpProtocol);
  if (fd < 0) die("raw socket on " + interface);
  if (::setsockopt(fd, SOL_SOCKET, SO_BINDTODEVICE, interface.c_str(), static_cast<socklen_t>(interface.size())) != 0) {
    die("SO_BINDTODEVICE " + interface);
  }
  if (v4) {
    set_int(fd, IPPROTO_IP, IP_TTL, kHopLimit, "IP_TTL");
    set_int(fd, IPPROTO_IP, IP_MULTICAST_TTL, kHopLimit, "IP_MULTICAST_TTL");
    set_int(fd, IPPROTO_IP, IP_MULTICAST_LOOP, 0, "IP_MULTICAST_LOOP");
    set_int(fd, IPPROTO_IP, IP_TOS, kTrafficClass, "IP_TOS");
    set_int(fd, IPPROTO_IP, IP_MTU_DISCOVER, IP_PMTUDISC_DONT, "IP_MTU_DISCOVER");
    set_int(fd, IPPROTO_IP, IP_PKTINFO, 1, "IP_PKTINFO");
    ip_mreqn request{};
    request.imr_ifindex = endpoint.index;
    if (::setsockopt(fd, IPPROTO_IP, IP_MULTICAST_IF, &request, sizeof request) != 0) die("IP_MULTICAST_IF");
    std::memcpy(&request.imr_multiaddr, endpoint.group.bytes().data(), 4);
    if (::setsockopt(fd, IPPROTO_IP, IP_ADD_MEMBERSHIP, &request, sizeof request) != 0) die("IP_ADD_MEMBERSHIP");
  } else {
    set_int(fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, kHopLimit, "IPV6_UNICAST_HOPS");
    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_HOPS, kHopLimit, "IPV6_MULTICAST_HOPS");
    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_LOOP, 0, "IPV6_MULTICAST_LOOP");
    set_int(fd, IPPROTO_IPV6, IPV6_MULTICAST_IF, endpoint.index, "IPV6_MULTICAST_IF");
    set_int(fd, IPPROTO_IPV6, IPV6_TCLASS, kTrafficClass, "IPV6_TCLASS");
    set_int(fd, IPPROTO_IPV6, IPV6_RECVHOPLIMIT, 1, "IPV6_RECVHOPLIMIT");
    set_int(fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, 1, "IPV6_RECVPKTINFO");
    ipv6_mreq request{};
    std::memcpy(&request.ipv6mr_multiaddr, endpoint.group.bytes().data(), 16);
    request.ipv6mr_interface = static_cast<unsigned>(endpoint.index);
    if (::setsockopt(fd, IPPROTO_IPV6, IPV6_ADD_MEMBERSHIP, &request, sizeof request) != 0) die("IPV6_ADD_MEMBERSHIP");
  }
  endpoint.fd = fd;
  return endpoint;
}

// One prepared sendmsg: destination, PKTINFO and the encoded advert, built once.
struct Prepared {
  std::vector<std::uint8_t> bytes;
  sockaddr_storage to{};
  socklen_t to_length = 0;
  alignas(cmsghdr) std::array<std::byte, CMSG_SPACE(sizeof(in6_pktinfo))> control{};
  std::size_t control_length = 0;
  iovec vector{};
  int fd = -1;
  std::int64_t phase_ns = 0;  // wake-up time within the interval

  void fill(msghdr& header) {
    vector = {bytes.data(), bytes.size()};
    header = {};
    header.msg_name = &to;
    header.msg_namelen = to_length;
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = control.data();
    header.msg_controllen = control_length;
  }
};

Prepared prepare(const Endpoint& endpoint, std::uint8_t vrid, std::int64_t phase_ns) {
  Prepared out;
  out.fd = endpoint.fd;
  out.phase_ns = phase_ns;
  vigil::vrrp::Advert advert;
  advert.version = vigil::vrrp::Version::kV3;
  advert.family = endpoint.family;
  advert.vrid = vrid;
  advert.priority = 100;
  advert.addresses = {endpoint.source};  // one address, as one VIP per instance
  out.bytes = vigil::vrrp::encode(advert, {endpoint.source, endpoint.group, false});
  msghdr header{};
  header.msg_control = out.control.data();
  if (endpoint.family == Family::kIPv4) {
    sockaddr_in in{};
    in.sin_family = AF_INET;
    std::memcpy(&in.sin_addr, endpoint.group.bytes().data(), 4);
    std::memcpy(&out.to, &in, sizeof in);
    out.to_length = sizeof in;
    header.msg_controllen = out.control_length = CMSG_SPACE(sizeof(in_pktinfo));
    cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
    cmsg->cmsg_level = IPPROTO_IP;
    cmsg->cmsg_type = IP_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(in_pktinfo));
    in_pktinfo info{};
    info.ipi_ifindex = endpoint.index;
    std::memcpy(&info.ipi_spec_dst, endpoint.source.bytes().data(), 4);
    std::memcpy(CMSG_DATA(cmsg), &info, sizeof info);
  } else {
    sockaddr_in6 in6{};
    in6.sin6_family = AF_INET6;
    std::memcpy(&in6.sin6_addr, endpoint.group.bytes().data(), 16);
    in6.sin6_scope_id = static_cast<std::uint32_t>(endpoint.index);
    std::memcpy(&out.to, &in6, sizeof in6);
    out.to_length = sizeof in6;
    header.msg_controllen = out.control_length = CMSG_SPACE(sizeof(in6_pktinfo));
    cmsghdr* cmsg = CMSG_FIRSTHDR(&header);
    cmsg->cmsg_level = IPPROTO_IPV6;
    cmsg->cmsg_type = IPV6_PKTINFO;
    cmsg->cmsg_len = CMSG_LEN(sizeof(in6_pktinfo));
    in6_pktinfo info{};
    info.ipi6_ifindex = static_cast<unsigned>(endpoint.index);
    std::memcpy(&info.ipi6_addr, endpoint.source.bytes().data(), 16);
    std::memcpy(CMSG_DATA(cmsg), &info, sizeof info);
  }
  return out;
}

std::int64_t now_ns() {
  timespec ts{};
  ::clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Sleeps until `at` (CLOCK_MONOTONIC ns); false when a signal asked us to stop.
bool sleep_until(std::int64_t at) {
  timespec ts{static_cast<time_t>(at / 1'000'000'000), static_cast<long>(at % 1'000'000'000)};
  while (::clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR) {
    if (g_stop) return false;
  }
  return !g_stop;
}

struct Options {
  bool send = false;
  std::vector<std::pair<std::string, Family>> interfaces;
  int count = 1000;
  int per_interface = 250;
  std::int64_t interval_ns = 1'000'000'000;
  std::int64_t grid_ns = 5'000'000;
  bool batch = false;
  double seconds = 0;  // 0: until a signal
};

struct Counters {
  std::uint64_t adverts = 0;
  std::uint64_t wakeups = 0;
};

void run_send(const Options& options, const std::vector<Endpoint>& endpoints, Counters& counters) {
  // Slot start times within the interval, each with its adverts in unit order.
  std::vector<Prepared> adverts;
  adverts.reserve(static_cast<std::size_t>(options.count));
  for (int i = 0; i < options.count; ++i) {
    const auto block = static_cast<std::size_t>(i / options.per_interface);
    if (block >= endpoints.size()) usage("more instances than interfaces × per-interface");
    std::int64_t phase = options.interval_ns * i / options.count;
    if (options.grid_ns > 0) phase = (phase + options.grid_ns - 1) / options.grid_ns * options.grid_ns;
    adverts.push_back(prepare(endpoints[block], static_cast<std::uint8_t>(i % options.per_interface + 1), phase));
  }
  std::vector<msghdr> single(1);
  std::vector<mmsghdr> batch(adverts.size());
  const std::int64_t start = now_ns();
  const std::int64_t end = options.seconds > 0 ? start + static_cast<std::int64_t>(options.seconds * 1e9) : INT64_MAX;
  for (std::int64_t cycle = start;; cycle += options.interval_ns) {
    for (std::size_t i = 0; i < adverts.size();) {
      const std::int64_t at = cycle + adverts[i].phase_ns;
      if (at >= end || !sleep_until(at)) return;
      ++counters.wakeups;
      std::size_t last = i;
      while (last < adverts.size() && adverts[last].phase_ns == adverts[i].phase_ns) ++last;
      if (!options.batch) {
        for (; i < last; ++i) {
          adverts[i].fill(single[0]);
          if (::sendmsg(adverts[i].fd, single.data(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) ++counters.adverts;
        }
        continue;
      }
      // One sendmmsg per run of adverts on the same socket.
      while (i < last) {
        std::size_t n = 0;
        const int fd = adverts[i].fd;
        for (; i < last && adverts[i].fd == fd; ++i, ++n) {
          batch[n] = {};
          adverts[i].fill(batch[n].msg_hdr);
        }
        const int sent = ::sendmmsg(fd, batch.data(), static_cast<unsigned>(n), MSG_DONTWAIT | MSG_NOSIGNAL);
        if (sent > 0) counters.adverts += static_cast<std::uint64_t>(sent);
      }
    }
  }
}

void run_receive(const Options& options, const std::vector<Endpoint>& endpoints, Counters& counters) {
  constexpr std::size_t kBatch = 64;
  struct Slot {
    std::array<std::uint8_t, 1500> bytes{};
    sockaddr_storage from{};
    alignas(cmsghdr) std::array<std::byte, 128> control{};
    iovec vector{};
  };
  std::vector<Slot> slots(kBatch);
  std::vector<mmsghdr> headers(kBatch);
  auto drain = [&](int fd) {
    for (;;) {
      for (std::size_t k = 0; k < kBatch; ++k) {
        auto& slot = slots[k];
        slot.vector = {slot.bytes.data(), slot.bytes.size()};
        headers[k] = {};
        headers[k].msg_hdr.msg_name = &slot.from;
        headers[k].msg_hdr.msg_namelen = sizeof slot.from;
        headers[k].msg_hdr.msg_iov = &slot.vector;
        headers[k].msg_hdr.msg_iovlen = 1;
        headers[k].msg_hdr.msg_control = slot.control.data();
        headers[k].msg_hdr.msg_controllen = slot.control.size();
      }
      // Without a grid, one recvmsg per packet, as an event-driven daemon reads.
      const unsigned want = options.grid_ns > 0 ? kBatch : 1;
      const int got = want == 1 ? static_cast<int>(::recvmsg(fd, &headers[0].msg_hdr, MSG_DONTWAIT) >= 0)
                                : ::recvmmsg(fd, headers.data(), want, MSG_DONTWAIT, nullptr);
      if (got <= 0) return;
      counters.adverts += static_cast<std::uint64_t>(got);
    }
  };
  const std::int64_t start = now_ns();
  const std::int64_t end = options.seconds > 0 ? start + static_cast<std::int64_t>(options.seconds * 1e9) : INT64_MAX;
  if (options.grid_ns > 0) {
    for (std::int64_t at = start + options.grid_ns; at < end && sleep_until(at); at += options.grid_ns) {
      ++counters.wakeups;
      for (const auto& endpoint : endpoints) drain(endpoint.fd);
    }
    return;
  }
  std::vector<pollfd> polled;
  for (const auto& endpoint : endpoints) polled.push_back({endpoint.fd, POLLIN, 0});
  while (!g_stop) {
    const std::int64_t left_ms = (end - now_ns()) / 1'000'000;
    if (left_ms <= 0) return;
    const int ready = ::poll(polled.data(), polled.size(), end == INT64_MAX ? -1 : static_cast<int>(left_ms));
    if (ready < 0 && errno != EINTR) die("poll");
    if (ready <= 0) continue;
    ++counters.wakeups;
    for (const auto& entry : polled) {
      if ((entry.revents & POLLIN) != 0) drain(entry.fd);
    }
  }
}

Options parse(int argc, char** argv) {
  if (argc < 2) usage("no mode");
  Options options;
  const std::string_view mode = argv[1];
  if (mode == "send") {
    options.send = true;
  } else if (mode == "receive") {
    options.grid_ns = 0;
  } else {
    usage("mode must be send or receive");
  }
  for (int i = 2; i < argc; ++i) {
    const std::string_view arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) usage("option without a value");
      return argv[++i];
    };
    if (arg == "--interfaces") {
      std::string list = value();
      for (std::size_t begin = 0; begin <= list.size();) {
        const auto comma = std::min(list.find(',', begin), list.size());
        const std::string item = list.substr(begin, comma - begin);
        const auto colon = item.rfind(':');
        if (colon == std::string::npos) usage("--interfaces takes IF:4 or IF:6");
        const std::string family = item.substr(colon + 1);
        if (family != "4" && family != "6") usage("--interfaces takes IF:4 or IF:6");
        options.interfaces.emplace_back(item.substr(0, colon), family == "4" ? Family::kIPv4 : Family::kIPv6);
        begin = comma + 1;
      }
    } else if (arg == "--count") {
      options.count = std::atoi(value().c_str());
    } else if (arg == "--per-interface") {
      options.per_interface = std::atoi(value().c_str());
    } else if (arg == "--interval-ms") {
      options.interval_ns = std::atoll(value().c_str()) * 1'000'000;
    } else if (arg == "--grid-ms") {
      options.grid_ns = std::atoll(value().c_str()) * 1'000'000;
    } else if (arg == "--batch") {
      options.batch = true;
    } else if (arg == "--seconds") {
      options.seconds = std::atof(value().c_str());
    } else {
      usage("unknown option");
    }
  }
  if (options.interfaces.empty()) usage("--interfaces is required");
  if (options.count <= 0 || options.per_interface <= 0 || options.per_interface > 255 || options.interval_ns <= 0 ||
      options.grid_ns < 0) {
    usage("counts and times must be positive (per-interface at most 255)");
  }
  return options;
}

}  // namespace

int main(int argc, char** argv) {
  const Options options = parse(argc, argv);
  struct sigaction action {};
  action.sa_handler = on_signal;  // no SA_RESTART: the sleep or poll returns EINTR
  ::sigaction(SIGTERM, &action, nullptr);
  ::sigaction(SIGINT, &action, nullptr);
  std::vector<Endpoint> endpoints;
  for (const auto& [interface, family] : options.interfaces) endpoints.push_back(open_endpoint(interface, family));
  Counters counters;
  if (options.send) {
    run_send(options, endpoints, counters);
  } else {
    run_receive(options, endpoints, counters);
  }
  rusage usage_now{};
  ::getrusage(RUSAGE_SELF, &usage_now);
  auto seconds = [](const timeval& tv) {
    return static_cast<double>(tv.tv_sec) + static_cast<double>(tv.tv_usec) / 1e6;
  };
  std::printf("adverts=%llu wakeups=%llu cpu_user_s=%.3f cpu_system_s=%.3f\n",
              static_cast<unsigned long long>(counters.adverts), static_cast<unsigned long long>(counters.wakeups),
              seconds(usage_now.ru_utime), seconds(usage_now.ru_stime));
  std::fflush(stdout);
  for (const auto& endpoint : endpoints) ::close(endpoint.fd);
  return 0;
}
