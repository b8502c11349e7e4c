#pragma once
// The client side of one SMTP transaction (RFC 5321 §3, §4.1) as a pure state machine: it is fed
// the server's replies and says what to send next. The Asio driver (client.hpp) only moves bytes
// and bounds each step by the connect timeout.
//
//   greeting 220 -> EHLO; 250 -> MAIL FROM (EHLO refused with 5xx -> HELO; 250 -> MAIL FROM)
//   MAIL 250 -> RCPT TO per recipient (251 counts as accepted; a refused recipient is skipped)
//   last RCPT -> DATA if any recipient was accepted; 354 -> the dot-stuffed message; 250 -> QUIT
// Any other reply fails the transaction: the dialogue sends QUIT and reports the reply.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::net::smtp {

struct Reply {
  int code = 0;
  std::vector<std::string> lines;          // text after "NNN-" / "NNN "
  [[nodiscard]] std::string text() const;  // "550 mailbox unavailable" (lines joined by " / ")
};

// Splits the byte stream into replies (multi-line "250-..." continuations end at "250 ...").
class ReplyReader {
 public:
  void feed(std::string_view bytes);
  // The next complete reply; nullopt while more bytes are needed. A malformed line yields a
  // reply with code 0.
  [[nodiscard]] std::optional<Reply> next();
  // A reply line longer than RFC 5321's 512 octets, with room for lax servers: a hostile or
  // broken peer cannot grow the buffer without bound.
  [[nodiscard]] bool overflowed() const { return overflowed_; }

 private:
  std::string buffer_;
  Reply partial_;
  bool overflowed_ = false;
};

enum class Phase { kGreeting, kEhlo, kHelo, kMailFrom, kRcptTo, kData, kBody, kQuit, kDone };
[[nodiscard]] const char* to_string(Phase phase);

class Dialogue {
 public:
  // `data` is the rendered message (message.hpp render()); it is dot-stuffed here.
  Dialogue(std::string helo_name, std::string from, std::vector<std::string> recipients, std::string_view data);

  // What to send after `reply`: empty when nothing (finished). Call until finished().
  [[nodiscard]] std::string on_reply(const Reply& reply);

  [[nodiscard]] Phase phase() const { return phase_; }
  [[nodiscard]] bool finished() const { return phase_ == Phase::kDone; }
  // Whether the message was accepted (the 250 after the body); QUIT's reply does not matter.
  [[nodiscard]] bool delivered() const { return delivered_; }
  // Why the message was not delivered ("RCPT TO <a@b>: 550 no such user"), empty if delivered.
  [[nodiscard]] const std::string& failure() const { return failure_; }
  // Recipients the server refused (the mail still went to the others).
  [[nodiscard]] const std::vector<std::string>& refused() const { return refused_; }

 private:
  std::string fail(std::string why);
  std::string next_recipient_or_data();

  std::string helo_name_;
  std::string from_;
  std::vector<std::string> recipients_;
  std::string payload_;
  Phase phase_ = Phase::kGreeting;
  std::size_t recipient_ = 0;
  std::size_t accepted_ = 0;
  bool delivered_ = false;
  std::string failure_;
  std::vector<std::string> refused_;
};

}  // namespace vigil::net::smtp
