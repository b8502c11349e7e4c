#include "ipvs/types.hpp"

#include <array>
#include <cstring>

namespace vigil::ipvs {

const char* to_string(Protocol protocol) {
  switch (protocol) {
    case Protocol::kTcp: return "TCP";
    case Protocol::kUdp: return "UDP";
    case Protocol::kSctp: return "SCTP";
  }
  return "?";
}

const char* to_string(Forward forward) {
  switch (forward) {
    case Forward::kMasq: return "masq";
    case Forward::kLocal: return "local";
    case Forward::kTunnel: return "tunnel";
    case Forward::kRoute: return "route";
    case Forward::kBypass: return "bypass";
  }
  return "?";
}

ServiceKey ServiceKey::for_address(IpAddress address, std::uint16_t port, Protocol protocol) {
  ServiceKey key;
  key.family = address.family();
  key.protocol = protocol;
  key.address = address;
  key.port = port;
  return key;
}

ServiceKey ServiceKey::for_fwmark(std::uint32_t fwmark, Family family) {
  ServiceKey key;
  key.family = family;
  key.fwmark = fwmark;
  // The kernel reports fwmark services with protocol 0 and the unspecified address; keep the key
  // canonical so a dumped fwmark service compares equal to a configured one.
  key.protocol = Protocol{0};
  key.address = family == Family::kIPv4 ? IpAddress() : IpAddress::v6({});
  key.port = 0;
  return key;
}

namespace {
std::string endpoint(const IpAddress& address, std::uint16_t port) {
  const std::string text = address.to_string();
  return (address.is_v6() ? "[" + text + "]" : text) + ":" + std::to_string(port);
}
}  // namespace

std::string ServiceKey::to_string() const {
  if (is_fwmark()) return "FWM " + std::to_string(fwmark) + (family == Family::kIPv6 ? " (inet6)" : "");
  return std::string(ipvs::to_string(protocol)) + " " + endpoint(address, port);
}

std::uint32_t Service::netmask_for(Family family, unsigned prefix_length) {
  if (family == Family::kIPv6) return prefix_length > 128 ? 128 : prefix_length;
  if (prefix_length == 0) return 0;
  if (prefix_length >= 32) return 0xffffffff;
  const std::uint32_t host_order = ~std::uint32_t{0} << (32 - prefix_length);
  // The kernel keeps the mask in network byte order inside a u32: lay the bytes out in that order.
  const std::array<std::uint8_t, 4> bytes{
      static_cast<std::uint8_t>(host_order >> 24), static_cast<std::uint8_t>(host_order >> 16),
      static_cast<std::uint8_t>(host_order >> 8), static_cast<std::uint8_t>(host_order)};
  std::uint32_t value = 0;
  std::memcpy(&value, bytes.data(), sizeof value);
  return value;
}

std::string Destination::to_string() const {
  return endpoint(address, port) + " (" + ipvs::to_string(forward) + ", weight " + std::to_string(weight) + ")";
}

}  // namespace vigil::ipvs
