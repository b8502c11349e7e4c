#include "net/wire/gratuitous_sender.hpp"

#include <doctest/doctest.h>

#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <netinet/icmp6.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <asio/io_context.hpp>
#include <cstring>
#include <optional>
#include <vector>

#include "coroutine_runner.hpp"
#include "lab_case.hpp"
#include "net/wire/interface_info.hpp"

using vigil::IpAddress;
using vigil::MacAddress;
using vigil::net::wire::GratuitousSender;
using vigil::test::run_bounded;
using vigil::test::Side;

namespace {

const MacAddress kVmac = *MacAddress::parse("00:00:5e:00:01:33");

// A plain blocking receiver with a receive timeout, independent of the code under test.
class Receiver {
 public:
  Receiver(int domain, int type, int protocol) : fd_(::socket(domain, type | SOCK_CLOEXEC, protocol)) {
    timeval timeout{5, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }
  Receiver(const Receiver&) = delete;
  Receiver& operator=(const Receiver&) = delete;
  ~Receiver() {
    if (fd_ >= 0) ::close(fd_);
  }
  [[nodiscard]] int fd() const { return fd_; }

 private:
  int fd_;
};

}  // namespace

TEST_CASE("a gratuitous ARP reaches the peer: broadcast, request, sender == target == VIP, from the given MAC") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kB);
  Receiver capture(AF_PACKET, SOCK_RAW, htons(ETH_P_ARP));
  REQUIRE(capture.fd() >= 0);
  sockaddr_ll bind_to{};
  bind_to.sll_family = AF_PACKET;
  bind_to.sll_protocol = htons(ETH_P_ARP);
  bind_to.sll_ifindex = *vigil::net::wire::interface_index("eth0");
  REQUIRE(::bind(capture.fd(), reinterpret_cast<const sockaddr*>(&bind_to), sizeof bind_to) == 0);

  lab.enter(Side::kA);
  auto sender = GratuitousSender::open(io.get_executor(), "eth0", kVmac);
  REQUIRE_MESSAGE(sender, sender.error().to_string());
  const IpAddress vip = *IpAddress::parse("192.0.2.100");
  auto sent = run_bounded(io, sender->send_arp(vip));
  REQUIRE(sent);
  REQUIRE_MESSAGE(*sent, sent->error().to_string());

  std::optional<std::vector<std::uint8_t>> frame;
  for (int attempt = 0; attempt < 20 && !frame; ++attempt) {  // skip unrelated ARP, if any
    std::array<std::uint8_t, 1514> buffer{};
    const ssize_t n = ::recv(capture.fd(), buffer.data(), buffer.size(), 0);
    REQUIRE_MESSAGE(n > 0, "no ARP arrived");
    if (n >= 42 && std::memcmp(&buffer[28], vip.bytes().data(), 4) == 0) {
      frame.emplace(buffer.begin(), buffer.begin() + n);
    }
  }
  REQUIRE(frame);
  const auto& f = *frame;
  CHECK(std::all_of(f.begin(), f.begin() + 6, [](std::uint8_t b) { return b == 0xff; }));
  CHECK(std::equal(kVmac.bytes.begin(), kVmac.bytes.end(), f.begin() + 6));   // Ethernet source
  CHECK((f[12] == 0x08 && f[13] == 0x06));                                    // ARP
  CHECK((f[20] == 0 && f[21] == 1));                                          // request
  CHECK(std::equal(kVmac.bytes.begin(), kVmac.bytes.end(), f.begin() + 22));  // sender MAC
  CHECK(std::equal(vip.bytes().begin(), vip.bytes().end(), f.begin() + 38));  // target IP == VIP
}

TEST_CASE("an unsolicited NA reaches ff02::1 with hop limit 255, target VIP, O and R flags, the MAC option") {
  VIGIL_BUILD_LAB(lab);
  REQUIRE(lab.run(Side::kA, "ip addr add 2001:db8::100/64 dev eth0 nodad"));
  asio::io_context io(1);
  lab.enter(Side::kB);
  Receiver capture(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6);
  REQUIRE(capture.fd() >= 0);
  icmp6_filter filter{};
  ICMP6_FILTER_SETBLOCKALL(&filter);
  ICMP6_FILTER_SETPASS(ND_NEIGHBOR_ADVERT, &filter);
  const int on = 1;
  REQUIRE(::setsockopt(capture.fd(), IPPROTO_ICMPV6, ICMP6_FILTER, &filter, sizeof filter) == 0);
  REQUIRE(::setsockopt(capture.fd(), IPPROTO_IPV6, IPV6_RECVHOPLIMIT, &on, sizeof on) == 0);
  REQUIRE(::setsockopt(capture.fd(), IPPROTO_IPV6, IPV6_RECVPKTINFO, &on, sizeof on) == 0);

  lab.enter(Side::kA);
  auto sender = GratuitousSender::open(io.get_executor(), "eth0", kVmac);
  REQUIRE(sender);
  const IpAddress vip = *IpAddress::parse("2001:db8::100");
  auto sent = run_bounded(io, sender->send_neighbour_advert(vip, /*router=*/true));
  REQUIRE(sent);
  REQUIRE_MESSAGE(*sent, sent->error().to_string());

  bool found = false;
  for (int attempt = 0; attempt < 20 && !found; ++attempt) {  // B's own kernel may announce too
    std::array<std::uint8_t, 1500> buffer{};
    alignas(cmsghdr) std::array<std::byte, 256> control{};
    sockaddr_in6 from{};
    iovec vector{buffer.data(), buffer.size()};
    msghdr header{};
    header.msg_name = &from;
    header.msg_namelen = sizeof from;
    header.msg_iov = &vector;
    header.msg_iovlen = 1;
    header.msg_control = control.data();
    header.msg_controllen = control.size();
    const ssize_t n = ::recvmsg(capture.fd(), &header, 0);
    REQUIRE_MESSAGE(n > 0, "no neighbour advert arrived");
    if (n < 32 || std::memcmp(&buffer[8], vip.bytes().data(), 16) != 0) continue;
    found = true;
    int hops = -1;
    in6_pktinfo info{};
    for (cmsghdr* c = CMSG_FIRSTHDR(&header); c != nullptr; c = CMSG_NXTHDR(&header, c)) {
      if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_HOPLIMIT) std::memcpy(&hops, CMSG_DATA(c), sizeof hops);
      if (c->cmsg_level == IPPROTO_IPV6 && c->cmsg_type == IPV6_PKTINFO) std::memcpy(&info, CMSG_DATA(c), sizeof info);
    }
    CHECK(hops == 255);
    CHECK(info.ipi6_addr.s6_addr[0] == 0xff);  // ff02::1
    CHECK(info.ipi6_addr.s6_addr[1] == 0x02);
    CHECK(info.ipi6_addr.s6_addr[15] == 0x01);
    CHECK(std::memcmp(&from.sin6_addr, vip.bytes().data(), 16) == 0);  // from the VIP, as keepalived
    CHECK(buffer[0] == ND_NEIGHBOR_ADVERT);
    CHECK(buffer[4] == 0xa0);  // Router + Override, not Solicited
    CHECK(buffer[24] == ND_OPT_TARGET_LINKADDR);
    CHECK(buffer[25] == 1);
    CHECK(std::equal(kVmac.bytes.begin(), kVmac.bytes.end(), buffer.begin() + 26));
  }
  CHECK(found);
}

TEST_CASE("the sender refuses the wrong family and uses the interface MAC by default") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto sender = GratuitousSender::open(io.get_executor(), "eth0");
  REQUIRE(sender);
  CHECK(sender->source_mac() == *vigil::net::wire::query_interface("eth0")->mac);
  auto arp_for_v6 = run_bounded(io, sender->send_arp(*IpAddress::parse("2001:db8::100")));
  REQUIRE(arp_for_v6);
  CHECK_FALSE(*arp_for_v6);
  auto na_for_v4 = run_bounded(io, sender->send_neighbour_advert(*IpAddress::parse("192.0.2.100"), false));
  REQUIRE(na_for_v4);
  CHECK_FALSE(*na_for_v4);
  CHECK_FALSE(GratuitousSender::open(io.get_executor(), "nosuch0"));
}
