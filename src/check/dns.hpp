#pragma once
// DNS_CHECK: one question over UDP. A small encoder for the query and a checker for the answer
// (same id, a response, NOERROR, the question echoed, at least one answer record).
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"

namespace vigil::check {

enum class DnsQueryType : std::uint16_t { kA = 1, kNs = 2, kCname = 5, kSoa = 6, kMx = 15, kTxt = 16, kAaaa = 28 };

// A query with recursion desired. Errors: a label longer than 63 bytes, a name longer than 255.
[[nodiscard]] Result<std::vector<std::uint8_t>> build_dns_query(std::uint16_t id, std::string_view name,
                                                                DnsQueryType type);

// nullopt when `reply` answers the query, else why not.
[[nodiscard]] std::optional<std::string> judge_dns_reply(std::span<const std::uint8_t> reply, std::uint16_t id,
                                                         std::string_view name, DnsQueryType type);

}  // namespace vigil::check
