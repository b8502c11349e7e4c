#pragma once
// A tiny reader for classic little-endian pcap files with Ethernet frames: just enough to pull the
// VRRP adverts out of the golden captures.
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <vector>

#include "base/ip_address.hpp"

namespace vigil::test {

struct CapturedVrrp {
  Family family = Family::kIPv4;
  std::vector<std::uint8_t> ip_packet;  // from the IP header on
  std::vector<std::uint8_t> message;    // the IP payload (VRRP message, padding included)
  IpAddress source;
  IpAddress destination;
  std::uint8_t ttl = 0;
};

inline std::uint32_t read_le32(const std::vector<std::uint8_t>& b, std::size_t at) {
  return static_cast<std::uint32_t>(b[at] | b[at + 1] << 8 | b[at + 2] << 16) | static_cast<std::uint32_t>(b[at + 3])
                                                                                    << 24;
}

// The IP part of an Ethernet frame, if it carries VRRP (IP protocol 112).
inline std::optional<CapturedVrrp> vrrp_from_frame(std::span<const std::uint8_t> frame) {
  if (frame.size() < 14) return std::nullopt;
  const unsigned ethertype = static_cast<unsigned>(frame[12] << 8 | frame[13]);
  const auto ip = frame.subspan(14);
  CapturedVrrp captured;
  if (ethertype == 0x0800 && ip.size() >= 20 && ip[9] == 112) {
    const std::size_t header = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
    const std::size_t total = static_cast<std::size_t>(ip[2] << 8 | ip[3]);
    if (total > ip.size() || total < header) return std::nullopt;
    captured.family = Family::kIPv4;
    captured.ttl = ip[8];
    captured.source = *IpAddress::from_bytes(ip.subspan(12, 4));
    captured.destination = *IpAddress::from_bytes(ip.subspan(16, 4));
    captured.ip_packet.assign(ip.begin(), ip.end());
    captured.message.assign(ip.begin() + static_cast<std::ptrdiff_t>(header),
                            ip.begin() + static_cast<std::ptrdiff_t>(total));
    return captured;
  }
  if (ethertype == 0x86dd && ip.size() >= 40 && ip[6] == 112) {
    const std::size_t payload = static_cast<std::size_t>(ip[4] << 8 | ip[5]);
    if (40 + payload > ip.size()) return std::nullopt;
    captured.family = Family::kIPv6;
    captured.ttl = ip[7];
    captured.source = *IpAddress::from_bytes(ip.subspan(8, 16));
    captured.destination = *IpAddress::from_bytes(ip.subspan(24, 16));
    captured.ip_packet.assign(ip.begin(), ip.end());
    captured.message.assign(ip.begin() + 40, ip.begin() + 40 + static_cast<std::ptrdiff_t>(payload));
    return captured;
  }
  return std::nullopt;
}

// Every VRRP frame of a classic pcap or a pcapng file (little-endian, Ethernet); nullopt when the
// file is neither.
inline std::optional<std::vector<CapturedVrrp>> read_vrrp_frames(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::vector<std::uint8_t> file((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (file.size() < 24) return std::nullopt;
  std::vector<CapturedVrrp> out;
  auto take = [&](std::span<const std::uint8_t> frame) {
    if (auto captured = vrrp_from_frame(frame)) out.push_back(std::move(*captured));
  };
  const std::uint32_t magic = read_le32(file, 0);
  if (magic == 0xa1b2c3d4 || magic == 0xa1b23c4d) {
    if (read_le32(file, 20) != 1) return std::nullopt;  // LINKTYPE_ETHERNET
    std::size_t at = 24;
    while (at + 16 <= file.size()) {
      const std::size_t length = read_le32(file, at + 8);
      at += 16;
      if (at + length > file.size()) break;
      take(std::span<const std::uint8_t>(file.data() + at, length));
      at += length;
    }
    return out;
  }
  if (magic == 0x0a0d0d0a && read_le32(file, 8) == 0x1a2b3c4d) {
    std::size_t at = 0;
    while (at + 12 <= file.size()) {
      const std::uint32_t type = read_le32(file, at);
      const std::size_t length = read_le32(file, at + 4);
      if (length < 12 || at + length > file.size()) break;
      if (type == 1 && (file[at + 8] | file[at + 9] << 8) != 1) return std::nullopt;  // IDB: not Ethernet
      if (type == 6 && length >= 32) {                                                // Enhanced Packet Block
        const std::size_t captured = read_le32(file, at + 20);
        if (28 + captured <= length) take(std::span<const std::uint8_t>(file.data() + at + 28, captured));
      }
      at += length;
    }
    return out;
  }
  return std::nullopt;
}

}  // namespace vigil::test
