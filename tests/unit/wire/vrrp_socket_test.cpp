#include "net/wire/vrrp_socket.hpp"

#include <doctest/doctest.h>

#include <asio/io_context.hpp>
#include <vector>

#include "coroutine_runner.hpp"
#include "lab_case.hpp"
#include "rt/with_timeout.hpp"

using vigil::Family;
using vigil::IpAddress;
using vigil::net::wire::AdvertMode;
using vigil::net::wire::ReceivedPacket;
using vigil::net::wire::VrrpSocket;
using vigil::net::wire::VrrpSocketOptions;
using vigil::test::run_bounded;
using vigil::test::Side;

namespace {

IpAddress address(const char* text) { return *IpAddress::parse(text); }

// Spelled out: designated initializers that skip members trip -Wmissing-field-initializers.
VrrpSocketOptions options(const char* interface, Family family, AdvertMode mode,
                          std::optional<IpAddress> source = std::nullopt) {
  VrrpSocketOptions result;
  result.interface = interface;
  result.family = family;
  result.mode = mode;
  result.source = source;
  return result;
}

// Advert-shaped payloads: what the codec would build. The socket does not look inside.
const std::vector<std::uint8_t> kV2Advert = {0x21, 51, 100, 1, 0, 1, 0xb8, 0x97, 192, 0, 2, 50, 0, 0, 0, 0, 0, 0, 0, 0};
const std::vector<std::uint8_t> kV3Advert = {0x31, 52, 100, 1, 0, 100, 0, 0, 0x20, 0x01, 0x0d, 0xb8,
                                             0,    0,  0,   0, 0, 0,   0, 0, 0,    0,    0,    0x50};

VrrpSocket open_socket(asio::io_context& io, VrrpSocketOptions options) {
  auto socket = VrrpSocket::open(io.get_executor(), std::move(options));
  if (!socket) FAIL("open: " << socket.error().to_string());
  return std::move(*socket);
}

// A sends one message, B receives it. Every received datagram also carries when the kernel
// received it (SO_TIMESTAMPNS, moved to the steady clock): after the send began, before the read.
ReceivedPacket send_and_receive(asio::io_context& io, VrrpSocket& sender, VrrpSocket& receiver,
                                const std::vector<std::uint8_t>& message, const IpAddress& destination) {
  const auto before_send = vigil::Clock::now();
  auto exchanged = run_bounded(io, [&]() -> asio::awaitable<vigil::Result<ReceivedPacket>> {
    auto sent = co_await sender.send(message, destination);
    if (!sent) co_return vigil::fail(sent.error());
    co_return co_await receiver.receive();
  }());
  REQUIRE_MESSAGE(exchanged, "nothing arrived");
  REQUIRE_MESSAGE(*exchanged, exchanged->error().to_string());
  const auto after_read = vigil::Clock::now();
  const auto& arrived = (*exchanged)->arrived;
  REQUIRE(arrived.has_value());
  // (A millisecond's slack for the two clocks being read at slightly different moments.)
  CHECK(*arrived >= before_send - std::chrono::milliseconds(1));
  CHECK(*arrived <= after_read);
  return std::move(**exchanged);
}

}  // namespace

TEST_CASE("a v2/IPv4 multicast advert arrives with TTL 255, the primary address as source and the group") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  lab.enter(Side::kB);
  auto b = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  CHECK(a.source_address() == address("192.0.2.1"));
  CHECK(a.multicast_group() == address("224.0.0.18"));

  const auto packet = send_and_receive(io, a, b, kV2Advert, a.multicast_group());
  CHECK(packet.hop_limit == 255);
  CHECK(packet.source == address("192.0.2.1"));
  CHECK(packet.destination == address("224.0.0.18"));
  CHECK(packet.interface_index == b.interface_index());
  CHECK(packet.payload_offset == 20);
  CHECK(std::vector<std::uint8_t>(packet.payload().begin(), packet.payload().end()) == kV2Advert);
  CHECK(packet.bytes[1] == 0xc0);        // TOS: internetwork control, as keepalived sends
  CHECK((packet.bytes[6] & 0x40) == 0);  // no DF
  CHECK(packet.bytes[9] == 112);
  CHECK_FALSE(packet.truncated);
}

TEST_CASE("a v2/IPv4 unicast advert leaves from unicast_src_ip and reaches the peer with TTL 255") {
  VIGIL_BUILD_LAB(lab);
  REQUIRE(lab.run(Side::kA, "ip addr add 192.0.2.11/24 dev eth0"));
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kUnicast, address("192.0.2.11")));
  lab.enter(Side::kB);
  auto b = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kUnicast));
  CHECK(a.source_address() == address("192.0.2.11"));

  const auto packet = send_and_receive(io, a, b, kV2Advert, address("192.0.2.2"));
  CHECK(packet.hop_limit == 255);
  CHECK(packet.source == address("192.0.2.11"));
  CHECK(packet.destination == address("192.0.2.2"));
  CHECK(std::vector<std::uint8_t>(packet.payload().begin(), packet.payload().end()) == kV2Advert);
}

TEST_CASE("a v3/IPv6 multicast advert leaves from the link-local and arrives with hop limit 255 at ff02::12") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kMulticast));
  lab.enter(Side::kB);
  auto b = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kMulticast));
  CHECK(a.source_address().is_link_local());
  CHECK(a.multicast_group() == address("ff02::12"));

  const auto packet = send_and_receive(io, a, b, kV3Advert, a.multicast_group());
  CHECK(packet.hop_limit == 255);
  CHECK(packet.source == a.source_address());
  CHECK(packet.destination == address("ff02::12"));
  CHECK(packet.interface_index == b.interface_index());
  CHECK(packet.payload_offset == 0);
  // No IPV6_CHECKSUM: the kernel neither fills nor checks the checksum, the codec owns it.
  CHECK(packet.bytes == kV3Advert);
}

TEST_CASE("a v3/IPv6 unicast advert leaves from the given source and arrives with hop limit 255") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kUnicast, address("2001:db8::1")));
  lab.enter(Side::kB);
  auto b = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kUnicast));

  const auto packet = send_and_receive(io, a, b, kV3Advert, address("2001:db8::2"));
  CHECK(packet.hop_limit == 255);
  CHECK(packet.source == address("2001:db8::1"));
  CHECK(packet.destination == address("2001:db8::2"));
  CHECK(packet.bytes == kV3Advert);
}

TEST_CASE("the drain reads every queued advert at once, in order, and never waits") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  lab.enter(Side::kB);
  auto drained = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  // Every raw socket gets its own copy. The witness tells when the marker (sent last) has arrived;
  // packets go through one backlog in order, so by then the five before it are queued on `drained`.
  auto witness = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));

  auto empty = drained.try_receive();
  REQUIRE(empty);
  CHECK_FALSE(*empty);

  constexpr std::uint8_t kMarker = 5;
  auto marker_seen = run_bounded(io, [&]() -> asio::awaitable<bool> {
    for (std::uint8_t n = 0; n <= kMarker; ++n) {
      auto message = kV2Advert;
      message[1] = n;  // VRID field as a sequence number
      if (!co_await a.send(message, a.multicast_group())) co_return false;
    }
    for (;;) {
      auto packet = co_await witness.receive();
      if (!packet) co_return false;
      if (packet->payload()[1] == kMarker) co_return true;
    }
  }());
  REQUIRE(marker_seen);
  REQUIRE(*marker_seen);

  auto batch = drained.try_receive_all();
  REQUIRE(batch);
  REQUIRE(batch->size() >= kMarker);
  for (std::uint8_t n = 0; n < batch->size(); ++n) {
    CHECK((*batch)[n].payload()[1] == n);
    CHECK((*batch)[n].hop_limit == 255);
  }
  auto rest = drained.try_receive_all();
  REQUIRE(rest);
  CHECK(batch->size() + rest->size() <= kMarker + 1U);
}

TEST_CASE("a drain of more adverts than one recvmmsg round keeps their order and each one's addresses") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kMulticast));
  lab.enter(Side::kB);
  auto drained = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kMulticast));
  auto witness = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kMulticast));
  // Two and a half rounds: the drain must go on after a full round and stop after a short one.
  constexpr std::size_t kCount = vigil::net::wire::kReceiveRound * 5 / 2;
  auto all_arrived = run_bounded(io, [&]() -> asio::awaitable<bool> {
    for (std::size_t n = 0; n < kCount; ++n) {
      auto message = kV3Advert;
      message[1] = static_cast<std::uint8_t>(n);  // VRID field as a sequence number
      if (!co_await a.send(message, a.multicast_group())) co_return false;
    }
    for (std::size_t n = 0; n < kCount; ++n) {
      if (!co_await witness.receive()) co_return false;
    }
    co_return true;
  }());
  REQUIRE(all_arrived);
  REQUIRE(*all_arrived);
  auto batch = drained.try_receive_all();
  REQUIRE(batch);
  REQUIRE(batch->size() == kCount);
  for (std::size_t n = 0; n < kCount; ++n) {
    const auto& packet = (*batch)[n];
    CHECK(packet.payload()[1] == n);
    CHECK(packet.hop_limit == 255);
    CHECK(packet.source == a.source_address());
    CHECK(packet.destination == a.multicast_group());
    CHECK_FALSE(packet.truncated);
  }
}

TEST_CASE("a datagram longer than any advert arrives cut, flagged, with no payload to check") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  lab.enter(Side::kB);
  auto b = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  // Sent without DF, so it leaves in fragments and the receiver's kernel reassembles it.
  auto oversized = kV2Advert;
  oversized.resize(vigil::net::wire::kReceiveSlotBytes + 1000, 0xee);
  const auto packet = send_and_receive(io, a, b, oversized, a.multicast_group());
  CHECK(packet.truncated);
  CHECK(packet.payload().empty());
  // The advert after it is whole again (each slot of a round is set up afresh).
  const auto next = send_and_receive(io, a, b, kV2Advert, a.multicast_group());
  CHECK_FALSE(next.truncated);
  CHECK(std::vector<std::uint8_t>(next.payload().begin(), next.payload().end()) == kV2Advert);
}

TEST_CASE("a limit caps one drain and the rest stays queued") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kMulticast));
  lab.enter(Side::kB);
  auto b = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kMulticast));
  auto witness = open_socket(io, options("eth0", Family::kIPv6, AdvertMode::kMulticast));
  auto all_arrived = run_bounded(io, [&]() -> asio::awaitable<bool> {
    for (int n = 0; n < 3; ++n) {
      if (!co_await a.send(kV3Advert, a.multicast_group())) co_return false;
    }
    for (int n = 0; n < 3; ++n) {
      if (!co_await witness.receive()) co_return false;
    }
    co_return true;
  }());
  REQUIRE(all_arrived);
  REQUIRE(*all_arrived);
  for (int round = 0; round < 3; ++round) {
    auto batch = b.try_receive_all(1);
    REQUIRE(batch);
    CHECK(batch->size() == 1);
  }
  auto rest = b.try_receive_all(1);
  REQUIRE(rest);
  CHECK(rest->empty());
}

TEST_CASE("a batch of adverts leaves in one call, in order, each with hop limit 255 from the socket's source") {
  for (const auto family : {Family::kIPv4, Family::kIPv6}) {
    CAPTURE(to_string(family));
    VIGIL_BUILD_LAB(lab);
    asio::io_context io(1);
    lab.enter(Side::kA);
    auto a = open_socket(io, options("eth0", family, AdvertMode::kMulticast));
    lab.enter(Side::kB);
    auto b = open_socket(io, options("eth0", family, AdvertMode::kMulticast));
    constexpr std::uint8_t kCount = 5;
    std::vector<std::vector<std::uint8_t>> messages;
    std::vector<VrrpSocket::OutMessage> batch;
    for (std::uint8_t n = 0; n < kCount; ++n) {
      auto message = family == Family::kIPv4 ? kV2Advert : kV3Advert;
      message[1] = n;  // VRID field as a sequence number
      messages.emplace_back(message.begin(), message.end());
    }
    for (const auto& message : messages) batch.push_back({message, a.multicast_group()});
    const auto sent = a.try_send_batch(batch);
    REQUIRE(sent);
    CHECK(*sent == kCount);
    auto received = run_bounded(io, [&]() -> asio::awaitable<std::vector<ReceivedPacket>> {
      std::vector<ReceivedPacket> out;
      while (out.size() < kCount) {
        auto packet = co_await b.receive();
        if (!packet) break;
        out.push_back(std::move(*packet));
      }
      co_return out;
    }());
    REQUIRE(received);
    REQUIRE(received->size() == kCount);
    for (std::uint8_t n = 0; n < kCount; ++n) {
      CHECK((*received)[n].payload()[1] == n);
      CHECK((*received)[n].hop_limit == 255);
      CHECK((*received)[n].source == a.source_address());
    }
    const std::array wrong{VrrpSocket::OutMessage{
        messages.front(),
        vigil::net::wire::vrrp_multicast_group(family == Family::kIPv4 ? Family::kIPv6 : Family::kIPv4)}};
    CHECK_FALSE(a.try_send_batch(wrong));
  }
}

TEST_CASE("cancel ends a pending receive with operation_aborted instead of an exception") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kB);
  auto b = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  auto outcome = run_bounded(io, [&]() -> asio::awaitable<vigil::Result<ReceivedPacket>> {
    asio::post(io, [&b] { b.cancel(); });
    co_return co_await b.receive();
  }());
  REQUIRE(outcome);
  REQUIRE_FALSE(*outcome);
  CHECK(outcome->error().code == std::errc::operation_canceled);  // std::errc, not asio.system
}

TEST_CASE("rt::with_timeout bounds a receive: it ends as timed_out and the socket still works") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto a = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  lab.enter(Side::kB);
  auto b = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  auto silent = run_bounded(io, vigil::rt::with_timeout(b.receive(), std::chrono::milliseconds(20)));
  REQUIRE(silent);
  REQUIRE_FALSE(*silent);
  CHECK(silent->error().code == std::errc::timed_out);
  const auto packet = send_and_receive(io, a, b, kV2Advert, a.multicast_group());
  CHECK(packet.hop_limit == 255);
}

TEST_CASE("opening fails with a reason for a missing interface, a missing address or a wrong family") {
  VIGIL_BUILD_LAB(lab);
  asio::io_context io(1);
  lab.enter(Side::kA);
  auto missing = VrrpSocket::open(io.get_executor(), options("nosuch0", Family::kIPv4, AdvertMode::kMulticast));
  REQUIRE_FALSE(missing);
  CHECK(missing.error().to_string().find("nosuch0") != std::string::npos);

  auto no_link_local = VrrpSocket::open(io.get_executor(), options("lo", Family::kIPv6, AdvertMode::kMulticast));
  REQUIRE_FALSE(no_link_local);
  CHECK(no_link_local.error().to_string().find("link-local") != std::string::npos);
  auto wrong_family = VrrpSocket::open(io.get_executor(),
                                       options("eth0", Family::kIPv4, AdvertMode::kMulticast, address("2001:db8::1")));
  CHECK_FALSE(wrong_family);
  auto socket = open_socket(io, options("eth0", Family::kIPv4, AdvertMode::kMulticast));
  auto sent = run_bounded(io, socket.send(kV2Advert, address("2001:db8::2")));
  REQUIRE(sent);
  CHECK_FALSE(*sent);
}
