#include "net/smtp/message.hpp"

#include <array>

namespace vigil::net::smtp {

namespace {

std::string header_value(std::string_view value) {
  std::string clean;
  clean.reserve(value.size());
  for (const char c : value) clean.push_back(c == '\r' || c == '\n' ? ' ' : c);
  return clean;
}

std::string two_digits(int value) {
  std::string text = std::to_string(value);
  return text.size() < 2 ? "0" + text : text;
}

}  // namespace

std::string rfc5322_date(std::time_t utc) {
  static constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                          "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  std::tm parts{};
  ::gmtime_r(&utc, &parts);
  return std::string(kDays.at(static_cast<std::size_t>(parts.tm_wday))) + ", " + two_digits(parts.tm_mday) + " " +
         kMonths.at(static_cast<std::size_t>(parts.tm_mon)) + " " + std::to_string(parts.tm_year + 1900) + " " +
         two_digits(parts.tm_hour) + ":" + two_digits(parts.tm_min) + ":" + two_digits(parts.tm_sec) + " +0000";
}

std::string message_id(std::time_t utc, std::uint64_t pid, std::uint64_t sequence, std::string_view host) {
  return "<" + std::to_string(utc) + "." + std::to_string(pid) + "." + std::to_string(sequence) + "@" +
         std::string(host.empty() ? std::string_view("localhost") : host) + ">";
}

std::string_view domain_of(std::string_view address) {
  const auto at = address.rfind('@');
  return at == std::string_view::npos ? address : address.substr(at + 1);
}

std::string render(const MailMessage& message, std::string_view date, std::string_view id) {
  std::string text;
  text += "From: " + header_value(message.from) + "\r\n";
  std::string to;
  for (const auto& recipient : message.to) to += (to.empty() ? "" : ", ") + header_value(recipient);
  text += "To: " + to + "\r\n";
  text += "Subject: " + header_value(message.subject) + "\r\n";
  text += "Date: " + header_value(date) + "\r\n";
  text += "Message-ID: " + header_value(id) + "\r\n";
  text += "MIME-Version: 1.0\r\n";
  text += "Content-Type: text/plain; charset=UTF-8\r\n";
  text += "Content-Transfer-Encoding: 8bit\r\n";
  text += "\r\n";
  std::string_view body = message.body;
  while (!body.empty()) {
    const auto end = body.find('\n');
    std::string_view line = body.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    text.append(line);
    text += "\r\n";
    if (end == std::string_view::npos) break;
    body.remove_prefix(end + 1);
  }
  return text;
}

std::string dot_stuff(std::string_view text) {
  std::string stuffed;
  stuffed.reserve(text.size() + 8);
  bool line_start = true;
  for (const char c : text) {
    if (line_start && c == '.') stuffed.push_back('.');
    stuffed.push_back(c);
    line_start = c == '\n';
  }
  if (!stuffed.empty() && !(stuffed.size() >= 2 && stuffed.ends_with("\r\n"))) stuffed += "\r\n";
  stuffed += ".\r\n";
  return stuffed;
}

}  // namespace vigil::net::smtp
