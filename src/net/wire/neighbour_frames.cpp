#include "net/wire/neighbour_frames.hpp"

#include <algorithm>

namespace vigil::net::wire {
namespace {

template <std::size_t N>
void put16(std::array<std::uint8_t, N>& out, std::size_t offset, std::uint16_t value) {
  out[offset] = static_cast<std::uint8_t>(value >> 8);
  out[offset + 1] = static_cast<std::uint8_t>(value & 0xff);
}

template <std::size_t N>
void put_bytes(std::array<std::uint8_t, N>& out, std::size_t offset, std::span<const std::uint8_t> bytes) {
  std::copy(bytes.begin(), bytes.end(), out.begin() + static_cast<std::ptrdiff_t>(offset));
}

constexpr std::uint16_t kEtherTypeArp = 0x0806;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint16_t kArpHardwareEthernet = 1;
constexpr std::uint16_t kArpOpRequest = 1;
constexpr std::uint8_t kIcmpv6NeighbourAdvert = 136;
constexpr std::uint8_t kOptionTargetLinkLayer = 2;

}  // namespace

std::array<std::uint8_t, kGratuitousArpFrameLength> build_gratuitous_arp(const MacAddress& mac, const IpAddress& vip) {
  std::array<std::uint8_t, kGratuitousArpFrameLength> frame{};
  std::fill_n(frame.begin(), 6, 0xff);  // Ethernet destination: broadcast
  put_bytes(frame, 6, mac.bytes);
  put16(frame, 12, kEtherTypeArp);
  put16(frame, 14, kArpHardwareEthernet);
  put16(frame, 16, kEtherTypeIpv4);
  frame[18] = 6;  // hardware address length
  frame[19] = 4;  // protocol address length
  put16(frame, 20, kArpOpRequest);
  put_bytes(frame, 22, mac.bytes);    // sender hardware address
  put_bytes(frame, 28, vip.bytes());  // sender protocol address
  std::fill_n(frame.begin() + 32, 6, 0xff);
  put_bytes(frame, 38, vip.bytes());  // target protocol address == sender: gratuitous
  return frame;
}

std::array<std::uint8_t, kUnsolicitedAdvertLength> build_unsolicited_advert(const MacAddress& mac, const IpAddress& vip,
                                                                            bool router) {
  std::array<std::uint8_t, kUnsolicitedAdvertLength> message{};
  message[0] = kIcmpv6NeighbourAdvert;
  // code and checksum stay 0: the kernel computes the ICMPv6 checksum on raw ICMPv6 sockets
  const std::uint32_t flags = kAdvertFlagOverride | (router ? kAdvertFlagRouter : 0U);
  message[4] = static_cast<std::uint8_t>(flags >> 24);
  put_bytes(message, 8, vip.bytes());
  message[24] = kOptionTargetLinkLayer;
  message[25] = 1;  // option length in units of 8 bytes
  put_bytes(message, 26, mac.bytes);
  return message;
}

}  // namespace vigil::net::wire
