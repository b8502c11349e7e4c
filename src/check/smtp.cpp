#include "check/smtp.hpp"

namespace vigil::check {

namespace {

// "250 ok" -> 250, final; "250-more" -> 250, not final; anything else -> nullopt.
struct ReplyLine {
  int code = 0;
  bool final = true;
};

std::optional<ReplyLine> parse_reply(std::string_view line) {
  if (line.size() < 3) return std::nullopt;
  int code = 0;
  for (int i = 0; i < 3; ++i) {
    const char c = line[static_cast<std::size_t>(i)];
    if (c < '0' || c > '9') return std::nullopt;
    code = code * 10 + (c - '0');
  }
  if (line.size() > 3 && line[3] != ' ' && line[3] != '-') return std::nullopt;
  return ReplyLine{code, line.size() == 3 || line[3] == ' '};
}

}  // namespace

SmtpDialogue::Reaction SmtpDialogue::on_line(std::string_view line) {
  if (stage_ == Stage::kDone) return {};
  const auto reply = parse_reply(line);
  if (!reply) {
    stage_ = Stage::kDone;
    return {Outcome::kFailed, "", "not an SMTP reply: " + std::string(line.substr(0, 80))};
  }
  if (!reply->final) return {};
  switch (stage_) {
    case Stage::kGreeting:
      if (reply->code != 220) {
        stage_ = Stage::kDone;
        return {Outcome::kFailed, "", "greeting " + std::to_string(reply->code) + ", expected 220"};
      }
      stage_ = Stage::kHelo;
      return {Outcome::kContinue, "HELO " + helo_name_ + "\r\n", ""};
    case Stage::kHelo:
      stage_ = Stage::kDone;
      if (reply->code != 250)
        return {Outcome::kFailed, "", "HELO answered " + std::to_string(reply->code) + ", expected 250"};
      return {Outcome::kPassed, "QUIT\r\n", ""};
    case Stage::kDone: break;
  }
  return {};
}

std::optional<std::string> LineSplitter::next_line() {
  const std::size_t end = buffer_.find('\n');
  if (end == std::string::npos) return std::nullopt;
  std::string line = buffer_.substr(0, end);
  if (!line.empty() && line.back() == '\r') line.pop_back();
  buffer_.erase(0, end + 1);
  return line;
}

}  // namespace vigil::check
