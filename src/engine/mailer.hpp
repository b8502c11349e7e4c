#pragma once
// Mailer: the AlertSink the daemon hands to the engine. Alerts are formatted at once
// (alert_text.hpp), wait in a bounded queue and go out one at a time, in order, over SMTP
// (net/smtp/client.hpp) from this object's executor, the daemon's main loop. A server that
// refuses, hangs or is down costs a logged error and, at most, a few smtp_connect_timeouts of
// the queue's time; nothing else waits for it.
#include <asio/any_io_executor.hpp>
#include <asio/cancellation_signal.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/duration.hpp"
#include "config/model.hpp"
#include "engine/alert_sink.hpp"
#include "engine/alert_text.hpp"
#include "net/smtp/client.hpp"
#include "rt/tokens.hpp"

namespace vigil::engine {

struct MailerSettings {
  std::string router_id;
  std::vector<std::string> recipients;
  std::string from;
  std::optional<net::smtp::Server> server;  // nullopt: alerts are not mailed
  std::string helo_name;
  Duration timeout = std::chrono::seconds(30);
  friend bool operator==(const MailerSettings&, const MailerSettings&) = default;
};

// The settings `global` asks for; `hostname` stands in for an unset router_id.
[[nodiscard]] MailerSettings mailer_settings(const config::GlobalConfig& global, const std::string& hostname);
// gethostname(), or "localhost".
[[nodiscard]] std::string local_hostname();

class Mailer final : public AlertSink {
 public:
  static constexpr std::size_t kDefaultCapacity = 64;
  explicit Mailer(asio::any_io_executor executor, std::size_t capacity = kDefaultCapacity);
  Mailer(const Mailer&) = delete;
  Mailer& operator=(const Mailer&) = delete;

  // Executor thread. Alerts already queued go out with the new settings.
  void configure(MailerSettings settings);
  [[nodiscard]] bool enabled() const { return settings_.server.has_value() && !settings_.recipients.empty(); }

  void post_vrrp_alert(VrrpAlert alert) override;
  void post_checker_alert(CheckerAlert alert) override;

  // Executor thread: abandons the mail in flight and what is queued (logged), waits for the sender.
  rt::Task<void> stop();

  [[nodiscard]] std::uint64_t sent() const { return sent_; }
  [[nodiscard]] std::uint64_t failed() const { return failed_; }

 private:
  void enqueue(AlertText text);
  rt::Task<void> drain();
  void report_dropped();

  asio::any_io_executor executor_;
  MailerSettings settings_;
  AlertQueue queue_;
  asio::cancellation_signal cancel_sending_;
  bool draining_ = false;
  bool stopping_ = false;
  std::uint64_t sequence_ = 0;
  std::uint64_t sent_ = 0;
  std::uint64_t failed_ = 0;
};

}  // namespace vigil::engine
