#pragma once
// SMTP_CHECK dialogue: wait for the 220 greeting, send HELO, expect 250, send QUIT. Lines go in,
// what to send (or the verdict) comes out; multi-line replies ("250-...") are followed to their end.
#include <optional>
#include <string>
#include <string_view>

namespace vigil::check {

class SmtpDialogue {
 public:
  enum class Outcome { kContinue, kPassed, kFailed };
  struct Reaction {
    Outcome outcome = Outcome::kContinue;
    std::string send;    // bytes to write now (may be empty)
    std::string reason;  // kFailed: why
  };

  explicit SmtpDialogue(std::string helo_name) : helo_name_(std::move(helo_name)) {}

  // One reply line without its CR LF.
  [[nodiscard]] Reaction on_line(std::string_view line);

 private:
  enum class Stage { kGreeting, kHelo, kDone };
  std::string helo_name_;
  Stage stage_ = Stage::kGreeting;
};

// Splits a byte stream into CR LF (or LF) terminated lines.
class LineSplitter {
 public:
  // Appends bytes; returns the next complete line, if any (call again until nullopt).
  void feed(std::string_view bytes) { buffer_.append(bytes); }
  [[nodiscard]] std::optional<std::string> next_line();
  [[nodiscard]] std::size_t pending() const { return buffer_.size(); }

 private:
  std::string buffer_;
};

}  // namespace vigil::check
