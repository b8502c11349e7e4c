#pragma once
// How the simple checkers turn what they observed into a probe result: MISC_CHECK exit codes,
// UDP_CHECK replies, FILE_CHECK file values.
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "check/schedule.hpp"

namespace vigil::check {

// MISC_CHECK: exit 0 passes, anything else fails; with misc_dynamic, exit 1 fails and 2..255
// passes with weight status-2 (exit 0 restores the configured weight). `exit_code` nullopt: the
// script did not exit (signal, timeout).
[[nodiscard]] ProbeResult misc_result(std::optional<int> exit_code, bool dynamic);

// UDP_CHECK expectation: `require_reply` is hex where an 'X' nibble matches anything.
struct UdpExpectation {
  std::optional<std::string> require_reply;
  std::uint32_t min_reply_length = 0;
  std::uint32_t max_reply_length = 255;
  friend bool operator==(const UdpExpectation&, const UdpExpectation&) = default;
};

// What a UDP probe saw within connect_timeout: a reply, an ICMP error (ECONNREFUSED), or silence.
struct UdpObservation {
  std::optional<std::vector<std::uint8_t>> reply;
  bool refused = false;
};

// nullopt = pass. Silence passes unless a reply is required (UDP has no handshake: only an ICMP
// error proves the port closed).
[[nodiscard]] std::optional<std::string> judge_udp(const UdpObservation& seen, const UdpExpectation& expect);

// "0a0bXX" -> bytes; 'X' nibbles become 0 (for payloads). Error on odd length or bad digits.
[[nodiscard]] Result<std::vector<std::uint8_t>> parse_hex(std::string_view hex);

// FILE_CHECK: the file holds an integer (missing or unparsable reads as 0). With weight 0 the
// server is up only while the value is 0; otherwise it stays up and its weight becomes
// `base_weight + value * weight` (negated with reverse), never below 0.
[[nodiscard]] ProbeResult file_result(std::optional<long long> value, std::int32_t weight, bool reverse,
                                      std::uint32_t base_weight);
// The integer at the start of a file's text, as track_file reads it.
[[nodiscard]] std::optional<long long> parse_file_value(std::string_view text);

}  // namespace vigil::check
