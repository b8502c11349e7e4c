#pragma once
// An email as SMTP's DATA phase carries it (RFC 5322 headers, CRLF lines, RFC 5321 §4.5.2
// dot-stuffing). Pure: the time and the unique part of the Message-ID are arguments.
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::net::smtp {

struct MailMessage {
  std::string from;             // bare address: vigil@lb1.example.com
  std::vector<std::string> to;  // bare addresses
  std::string subject;
  std::string body;  // lines end in '\n' or "\r\n"; both go out as CRLF
};

// RFC 5322 §3.3 date in UTC: "Thu, 26 Nov 2026 03:49:00 +0000".
[[nodiscard]] std::string rfc5322_date(std::time_t utc);

// "<1732593000.42.7@lb1.example.com>": unique per sender host as long as (seconds, pid, sequence) is.
[[nodiscard]] std::string message_id(std::time_t utc, std::uint64_t pid, std::uint64_t sequence, std::string_view host);

// The domain part of an address ("lb1.example.com"), or the whole string without '@'.
[[nodiscard]] std::string_view domain_of(std::string_view address);

// Headers, blank line and body, every line ending in CRLF, header values stripped of CR/LF (no
// header injection from an instance name).
[[nodiscard]] std::string render(const MailMessage& message, std::string_view date, std::string_view id);

// The DATA payload: a line starting with '.' gets a second one, and the terminating
// "CRLF . CRLF" is appended. `text` must already use CRLF line ends (render() does).
[[nodiscard]] std::string dot_stuff(std::string_view text);

}  // namespace vigil::net::smtp
