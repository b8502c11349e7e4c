#include "check/dns.hpp"

#include <algorithm>
#include <cctype>

namespace vigil::check {

namespace {

constexpr std::size_t kHeaderSize = 12;

// Wire form of `name` ("." or "" is the root; a trailing dot is optional).
Result<std::vector<std::uint8_t>> encode_name(std::string_view name) {
  std::vector<std::uint8_t> out;
  if (!name.empty() && name.back() == '.') name.remove_suffix(1);
  while (!name.empty()) {
    const std::size_t dot = name.find('.');
    const std::string_view label = name.substr(0, dot);
    if (label.empty() || label.size() > 63)
      return fail(make_error(std::errc::invalid_argument, "DNS name has an empty or over-long label"));
    out.push_back(static_cast<std::uint8_t>(label.size()));
    out.insert(out.end(), label.begin(), label.end());
    name = dot == std::string_view::npos ? std::string_view{} : name.substr(dot + 1);
  }
  out.push_back(0);
  if (out.size() > 255) return fail(make_error(std::errc::invalid_argument, "DNS name longer than 255 bytes"));
  return out;
}

std::uint16_t read16(std::span<const std::uint8_t> data, std::size_t at) {
  return static_cast<std::uint16_t>((data[at] << 8) | data[at + 1]);
}

}  // namespace

Result<std::vector<std::uint8_t>> build_dns_query(std::uint16_t id, std::string_view name, DnsQueryType type) {
  auto encoded = encode_name(name);
  if (!encoded) return fail(encoded.error());
  std::vector<std::uint8_t> query = {static_cast<std::uint8_t>(id >> 8),
                                     static_cast<std::uint8_t>(id & 0xff),
                                     0x01,
                                     0x00,  // RD
                                     0,
                                     1,  // QDCOUNT
                                     0,
                                     0,
                                     0,
                                     0,
                                     0,
                                     0};
  query.insert(query.end(), encoded->begin(), encoded->end());
  const auto qtype = static_cast<std::uint16_t>(type);
  query.insert(query.end(), {static_cast<std::uint8_t>(qtype >> 8), static_cast<std::uint8_t>(qtype & 0xff), 0, 1});
  return query;
}

std::optional<std::string> judge_dns_reply(std::span<const std::uint8_t> reply, std::uint16_t id, std::string_view name,
                                           DnsQueryType type) {
  if (reply.size() < kHeaderSize) return "reply shorter than a DNS header";
  if (read16(reply, 0) != id) return "reply id does not match the query";
  const std::uint16_t flags = read16(reply, 2);
  if ((flags & 0x8000) == 0) return "not a response";
  const int rcode = flags & 0x000f;
  if (rcode != 0) return "rcode " + std::to_string(rcode);
  if (read16(reply, 4) != 1) return "reply does not carry exactly one question";
  const auto expected = encode_name(name);
  if (!expected) return expected.error().message;
  const std::size_t qname_end = kHeaderSize + expected->size();
  if (reply.size() < qname_end + 4) return "reply truncated in the question";
  // Names compare case-insensitively (RFC 4343); the question is never compressed.
  const bool same_name = std::equal(expected->begin(), expected->end(), reply.begin() + kHeaderSize,
                                    [](std::uint8_t a, std::uint8_t b) { return std::tolower(a) == std::tolower(b); });
  if (!same_name) return "reply question names another domain";
  if (read16(reply, qname_end) != static_cast<std::uint16_t>(type)) return "reply question has another type";
  if (read16(reply, 6) == 0) return "no answer records";
  return std::nullopt;
}

}  // namespace vigil::check
