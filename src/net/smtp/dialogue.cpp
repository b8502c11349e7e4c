#include "net/smtp/dialogue.hpp"

#include <cctype>

#include "net/smtp/message.hpp"

namespace vigil::net::smtp {

namespace {

constexpr std::size_t kMaxLine = 4096;

bool positive(const Reply& reply) { return reply.code >= 200 && reply.code < 300; }

}  // namespace

std::string Reply::text() const {
  std::string joined = std::to_string(code);
  for (std::size_t i = 0; i < lines.size(); ++i) joined += (i == 0 ? " " : " / ") + lines[i];
  return joined;
}

void ReplyReader::feed(std::string_view bytes) {
  buffer_.append(bytes);
  if (buffer_.find('\n') == std::string::npos && buffer_.size() > kMaxLine) overflowed_ = true;
}

std::optional<Reply> ReplyReader::next() {
  for (;;) {
    const auto end = buffer_.find('\n');
    if (end == std::string::npos) return std::nullopt;
    std::string line = buffer_.substr(0, end);
    buffer_.erase(0, end + 1);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    const bool well_formed = line.size() >= 3 && std::isdigit(static_cast<unsigned char>(line[0])) != 0 &&
                             std::isdigit(static_cast<unsigned char>(line[1])) != 0 &&
                             std::isdigit(static_cast<unsigned char>(line[2])) != 0 &&
                             (line.size() == 3 || line[3] == ' ' || line[3] == '-');
    if (!well_formed) {
      partial_ = {};
      return Reply{0, {line}};
    }
    const int code = std::stoi(line.substr(0, 3));
    if (partial_.code != 0 && partial_.code != code) {
      partial_ = {};
      return Reply{0, {line}};
    }
    partial_.code = code;
    partial_.lines.push_back(line.size() > 4 ? line.substr(4) : std::string());
    if (line.size() == 3 || line[3] == ' ') {
      Reply done = std::move(partial_);
      partial_ = {};
      return done;
    }
  }
}

const char* to_string(Phase phase) {
  switch (phase) {
    case Phase::kGreeting: return "greeting";
    case Phase::kEhlo: return "EHLO";
    case Phase::kHelo: return "HELO";
    case Phase::kMailFrom: return "MAIL FROM";
    case Phase::kRcptTo: return "RCPT TO";
    case Phase::kData: return "DATA";
    case Phase::kBody: return "message body";
    case Phase::kQuit: return "QUIT";
    case Phase::kDone: return "done";
  }
  return "?";
}

Dialogue::Dialogue(std::string helo_name, std::string from, std::vector<std::string> recipients, std::string_view data)
    : helo_name_(std::move(helo_name)),
      from_(std::move(from)),
      recipients_(std::move(recipients)),
      payload_(dot_stuff(data)) {}

std::string Dialogue::fail(std::string why) {
  failure_ = std::move(why);
  phase_ = Phase::kQuit;
  return "QUIT\r\n";
}

std::string Dialogue::next_recipient_or_data() {
  if (recipient_ < recipients_.size()) {
    phase_ = Phase::kRcptTo;
    return "RCPT TO:<" + recipients_[recipient_] + ">\r\n";
  }
  if (accepted_ == 0) return fail("every recipient was refused");
  phase_ = Phase::kData;
  return "DATA\r\n";
}

std::string Dialogue::on_reply(const Reply& reply) {
  switch (phase_) {
    case Phase::kGreeting:
      if (reply.code != 220) return fail("greeting: " + reply.text());
      phase_ = Phase::kEhlo;
      return "EHLO " + helo_name_ + "\r\n";
    case Phase::kEhlo:
      if (positive(reply)) {
        phase_ = Phase::kMailFrom;
        return "MAIL FROM:<" + from_ + ">\r\n";
      }
      // An old server that does not know EHLO (RFC 5321 §3.2: fall back to HELO).
      if (reply.code >= 500 && reply.code < 600) {
        phase_ = Phase::kHelo;
        return "HELO " + helo_name_ + "\r\n";
      }
      return fail("EHLO: " + reply.text());
    case Phase::kHelo:
      if (!positive(reply)) return fail("HELO: " + reply.text());
      phase_ = Phase::kMailFrom;
      return "MAIL FROM:<" + from_ + ">\r\n";
    case Phase::kMailFrom:
      if (!positive(reply)) return fail("MAIL FROM <" + from_ + ">: " + reply.text());
      if (recipients_.empty()) return fail("no recipients");
      return next_recipient_or_data();
    case Phase::kRcptTo:
      if (reply.code == 250 || reply.code == 251) {
        ++accepted_;
      } else if (reply.code >= 500 && reply.code < 600) {
        refused_.push_back(recipients_[recipient_] + ": " + reply.text());
      } else {
        return fail("RCPT TO <" + recipients_[recipient_] + ">: " + reply.text());
      }
      ++recipient_;
      return next_recipient_or_data();
    case Phase::kData:
      if (reply.code != 354) return fail("DATA: " + reply.text());
      phase_ = Phase::kBody;
      return payload_;
    case Phase::kBody:
      if (!positive(reply)) return fail("message refused: " + reply.text());
      delivered_ = true;
      phase_ = Phase::kQuit;
      return "QUIT\r\n";
    case Phase::kQuit: phase_ = Phase::kDone; return {};
    case Phase::kDone: return {};
  }
  return {};
}

}  // namespace vigil::net::smtp
