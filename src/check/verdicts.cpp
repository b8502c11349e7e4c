#include "check/verdicts.hpp"

#include <algorithm>
#include <charconv>

namespace vigil::check {

ProbeResult misc_result(std::optional<int> exit_code, bool dynamic) {
  if (!exit_code) return {false, std::nullopt};
  if (*exit_code == 0) return {true, std::nullopt};
  if (dynamic && *exit_code >= 2 && *exit_code <= 255) return {true, *exit_code - 2};
  return {false, std::nullopt};
}

namespace {

int nibble(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

}  // namespace

Result<std::vector<std::uint8_t>> parse_hex(std::string_view hex) {
  if (hex.size() % 2 != 0) return fail(make_error(std::errc::invalid_argument, "hex string of odd length"));
  std::vector<std::uint8_t> out;
  out.reserve(hex.size() / 2);
  for (std::size_t i = 0; i < hex.size(); i += 2) {
    const auto value = [&](char c) { return (c == 'x' || c == 'X') ? 0 : nibble(c); };
    const int high = value(hex[i]);
    const int low = value(hex[i + 1]);
    if (high < 0 || low < 0)
      return fail(make_error(std::errc::invalid_argument, "not a hex digit in " + std::string(hex)));
    out.push_back(static_cast<std::uint8_t>((high << 4) | low));
  }
  return out;
}

std::optional<std::string> judge_udp(const UdpObservation& seen, const UdpExpectation& expect) {
  if (seen.refused) return "port unreachable";
  if (!seen.reply) {
    if (expect.require_reply) return "no reply";
    return std::nullopt;
  }
  const auto& reply = *seen.reply;
  if (reply.size() < expect.min_reply_length || reply.size() > expect.max_reply_length)
    return "reply of " + std::to_string(reply.size()) + " bytes outside " + std::to_string(expect.min_reply_length) +
           ".." + std::to_string(expect.max_reply_length);
  if (expect.require_reply) {
    const std::string& pattern = *expect.require_reply;
    // The pattern's bytes must match the reply's first bytes; an 'X' nibble matches anything.
    if (reply.size() * 2 < pattern.size()) return "reply shorter than the required reply";
    for (std::size_t i = 0; i < pattern.size(); ++i) {
      const char p = pattern[i];
      if (p == 'x' || p == 'X') continue;
      const std::uint8_t byte = reply[i / 2];
      const int got = (i % 2 == 0) ? byte >> 4 : byte & 0xf;
      if (nibble(p) != got) return "reply does not match require_reply";
    }
  }
  return std::nullopt;
}

std::optional<long long> parse_file_value(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t' || text.front() == '\n')) text.remove_prefix(1);
  long long value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (ec != std::errc{} || ptr == text.data()) return std::nullopt;
  return value;
}

ProbeResult file_result(std::optional<long long> value, std::int32_t weight, bool reverse, std::uint32_t base_weight) {
  const long long v = value.value_or(0);
  if (weight == 0) return {v == 0, std::nullopt};
  long long delta = v * weight;
  if (reverse) delta = -delta;
  if (delta == 0) return {true, std::nullopt};
  const long long result = std::clamp<long long>(static_cast<long long>(base_weight) + delta, 0, 2147483647);
  return {true, static_cast<int>(result)};
}

}  // namespace vigil::check
