#include "check/icmp.hpp"

namespace vigil::check {

namespace {

std::uint16_t internet_checksum(std::span<const std::uint8_t> data) {
  std::uint32_t sum = 0;
  for (std::size_t i = 0; i + 1 < data.size(); i += 2) sum += static_cast<std::uint32_t>((data[i] << 8) | data[i + 1]);
  if (data.size() % 2 != 0) sum += static_cast<std::uint32_t>(data.back() << 8);
  while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
  return static_cast<std::uint16_t>(~sum);
}

}  // namespace

std::vector<std::uint8_t> build_echo_request(bool ipv6, std::uint16_t id, std::uint16_t sequence,
                                             std::span<const std::uint8_t> payload) {
  std::vector<std::uint8_t> packet(8 + payload.size());
  packet[0] = static_cast<std::uint8_t>(ipv6 ? 128 : 8);
  packet[4] = static_cast<std::uint8_t>(id >> 8);
  packet[5] = static_cast<std::uint8_t>(id & 0xff);
  packet[6] = static_cast<std::uint8_t>(sequence >> 8);
  packet[7] = static_cast<std::uint8_t>(sequence & 0xff);
  for (std::size_t i = 0; i < payload.size(); ++i) packet[8 + i] = payload[i];
  if (!ipv6) {
    const std::uint16_t sum = internet_checksum(packet);
    packet[2] = static_cast<std::uint8_t>(sum >> 8);
    packet[3] = static_cast<std::uint8_t>(sum & 0xff);
  }
  return packet;
}

bool is_echo_reply(std::span<const std::uint8_t> packet, bool ipv6, std::uint16_t id, std::uint16_t sequence,
                   bool check_id) {
  if (packet.size() < 8) return false;
  if (packet[0] != (ipv6 ? 129 : 0) || packet[1] != 0) return false;
  const auto got_id = static_cast<std::uint16_t>((packet[4] << 8) | packet[5]);
  const auto got_sequence = static_cast<std::uint16_t>((packet[6] << 8) | packet[7]);
  return got_sequence == sequence && (!check_id || got_id == id);
}

std::span<const std::uint8_t> icmp_payload_of_ipv4(std::span<const std::uint8_t> packet) {
  if (packet.empty() || (packet[0] >> 4) != 4) return {};
  const std::size_t header = static_cast<std::size_t>(packet[0] & 0x0f) * 4;
  if (header < 20 || packet.size() < header) return {};
  return packet.subspan(header);
}

}  // namespace vigil::check
