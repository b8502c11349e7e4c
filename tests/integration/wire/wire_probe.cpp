// wire_probe: drives src/net/wire from the integration tests (lab_test.py runs it inside lab nodes).
//   wire_probe advert  IFACE v2|v3 ipv4|ipv6 VIP COUNT   send COUNT adverts (codec-built) to the group
//   wire_probe receive IFACE v2|v3 ipv4|ipv6 COUNT       print COUNT received adverts as JSON lines
//   wire_probe garp    IFACE VIP                          one gratuitous ARP
//   wire_probe na      IFACE VIP                          one unsolicited neighbour advert
// Exit 0 on success, 1 with a message on stderr otherwise.
#include <asio/co_spawn.hpp>
#include <asio/io_context.hpp>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "net/wire/gratuitous_sender.hpp"
#include "net/wire/vrrp_socket.hpp"
#include "rt/tokens.hpp"
#include "vrrp/packet.hpp"

namespace {

using vigil::Family;
using vigil::IpAddress;
using vigil::Result;
namespace wire = vigil::net::wire;
namespace vrrp = vigil::vrrp;

struct Arguments {
  std::vector<std::string> words;
  [[nodiscard]] const std::string& at(std::size_t i) const {
    static const std::string kMissing;
    return i < words.size() ? words[i] : kMissing;
  }
};

Family family_of(const std::string& word) { return word == "ipv6" ? Family::kIPv6 : Family::kIPv4; }
vrrp::Version version_of(const std::string& word) { return word == "v3" ? vrrp::Version::kV3 : vrrp::Version::kV2; }

Result<wire::VrrpSocket> open_socket(asio::io_context& io, const std::string& interface, Family family) {
  wire::VrrpSocketOptions options;
  options.interface = interface;
  options.family = family;
  return wire::VrrpSocket::open(io.get_executor(), options);
}

vigil::rt::Task<Result<void>> send_adverts(asio::io_context& io, Arguments args) {
  const Family family = family_of(args.at(3));
  auto socket = open_socket(io, args.at(1), family);
  if (!socket) co_return vigil::fail(socket.error());
  vrrp::Advert advert;
  advert.version = version_of(args.at(2));
  advert.family = family;
  advert.vrid = 51;
  advert.priority = 100;
  advert.addresses.push_back(*IpAddress::parse(args.at(4)));
  const auto message =
      vrrp::encode(advert, {.source = socket->source_address(), .destination = socket->multicast_group()});
  for (int n = 0; n < std::atoi(args.at(5).c_str()); ++n) {
    if (auto sent = co_await socket->send(message, socket->multicast_group()); !sent) co_return sent;
  }
  co_return Result<void>{};
}

vigil::rt::Task<Result<void>> receive_adverts(asio::io_context& io, Arguments args) {
  const Family family = family_of(args.at(3));
  auto socket = open_socket(io, args.at(1), family);
  if (!socket) co_return vigil::fail(socket.error());
  std::cout << "{\"listening\": true}" << std::endl;
  for (int n = 0; n < std::atoi(args.at(4).c_str()); ++n) {
    auto packet = co_await socket->receive();
    if (!packet) co_return vigil::fail(packet.error());
    vrrp::DecodeContext context;
    context.family = family;
    context.source = packet->source;
    context.destination = packet->destination;
    auto advert = vrrp::decode(packet->payload(), context);
    std::cout << "{\"source\": \"" << packet->source.to_string() << "\", \"destination\": \""
              << packet->destination.to_string() << "\", \"hop_limit\": " << int{packet->hop_limit}
              << ", \"decoded\": " << (advert ? "true" : "false") << ", \"error\": \""
              << (advert ? "" : vrrp::to_string(advert.error()))
              << "\", \"vrid\": " << (advert ? int{advert->vrid} : -1)
              << ", \"priority\": " << (advert ? int{advert->priority} : -1) << "}" << std::endl;
  }
  co_return Result<void>{};
}

vigil::rt::Task<Result<void>> announce(asio::io_context& io, Arguments args) {
  auto sender = wire::GratuitousSender::open(io.get_executor(), args.at(1));
  if (!sender) co_return vigil::fail(sender.error());
  const auto vip = IpAddress::parse(args.at(2));
  if (!vip) co_return vigil::fail(vigil::make_error(std::errc::invalid_argument, "bad VIP " + args.at(2)));
  if (args.at(0) == "garp") co_return co_await sender->send_arp(*vip);
  co_return co_await sender->send_neighbour_advert(*vip, /*router=*/false);
}

}  // namespace

int main(int argc, char** argv) {
  Arguments args{std::vector<std::string>(argv + 1, argv + argc)};
  asio::io_context io(1);
  Result<void> outcome;
  auto task = [&]() -> vigil::rt::Task<Result<void>> {
    const std::string& command = args.at(0);
    if (command == "advert") co_return co_await send_adverts(io, args);
    if (command == "receive") co_return co_await receive_adverts(io, args);
    if (command == "garp" || command == "na") co_return co_await announce(io, args);
    co_return vigil::fail(vigil::make_error(std::errc::invalid_argument, "usage: see wire_probe.cpp"));
  };
  asio::co_spawn(io, task(), [&](std::exception_ptr error, Result<void> result) {
    if (error) std::rethrow_exception(error);
    outcome = std::move(result);
  });
  io.run();
  if (!outcome) {
    std::cerr << "wire_probe: " << outcome.error().to_string() << std::endl;
    return 1;
  }
  return 0;
}
