#include "engine/mailer.hpp"

#include <fmt/ranges.h>
#include <unistd.h>

#include <array>
#include <asio/bind_cancellation_slot.hpp>
#include <asio/co_spawn.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <ctime>

#include "net/smtp/dialogue.hpp"
#include "net/smtp/message.hpp"
#include "sys/log.hpp"

namespace vigil::engine {

std::string local_hostname() {
  std::array<char, 256> name{};
  if (::gethostname(name.data(), name.size() - 1) != 0 || name[0] == '\0') return "localhost";
  return name.data();
}

MailerSettings mailer_settings(const config::GlobalConfig& global, const std::string& hostname) {
  MailerSettings settings;
  settings.router_id = global.router_id.value_or(hostname);
  settings.recipients = global.notification_email;
  settings.from = global.notification_email_from.value_or("vigil@" + settings.router_id);
  if (global.smtp_server) {
    settings.server = net::smtp::Server{global.smtp_server->host,
                                        global.smtp_server->port == 0 ? std::uint16_t{25} : global.smtp_server->port};
  }
  settings.helo_name = global.smtp_helo_name.value_or(settings.router_id);
  settings.timeout = global.smtp_connect_timeout;
  return settings;
}

Mailer::Mailer(asio::any_io_executor executor, std::size_t capacity)
    : executor_(std::move(executor)), queue_(capacity) {}

void Mailer::configure(MailerSettings settings) { settings_ = std::move(settings); }

void Mailer::post_vrrp_alert(VrrpAlert alert) {
  asio::post(executor_, [this, alert = std::move(alert)] {
    if (!enabled() || stopping_) return;
    enqueue(vrrp_alert_text(settings_.router_id, alert));
  });
}

void Mailer::post_checker_alert(CheckerAlert alert) {
  asio::post(executor_, [this, alert = std::move(alert)] {
    if (!enabled() || stopping_) return;
    enqueue(checker_alert_text(settings_.router_id, alert));
  });
}

void Mailer::enqueue(AlertText text) {
  queue_.push(std::move(text));
  if (draining_) return;
  draining_ = true;
  asio::co_spawn(executor_, drain(), asio::bind_cancellation_slot(cancel_sending_.slot(), [this](std::exception_ptr) {
                   draining_ = false;
                 }));
}

void Mailer::report_dropped() {
  if (const auto dropped = queue_.take_dropped(); dropped > 0) {
    sys::log_warning("email alerts: queue full ({} waiting), {} alerts dropped ({} since start)", queue_.size(),
                     dropped, queue_.dropped_total());
  }
}

rt::Task<void> Mailer::drain() {
  while (!queue_.empty() && !stopping_) {
    report_dropped();
    const AlertText alert = queue_.front();
    const std::time_t now = std::time(nullptr);
    net::smtp::MailMessage message{settings_.from, settings_.recipients, alert.subject, alert.body};
    const std::string data =
        net::smtp::render(message, net::smtp::rfc5322_date(now),
                          net::smtp::message_id(now, static_cast<std::uint64_t>(::getpid()), ++sequence_,
                                                net::smtp::domain_of(settings_.from)));
    net::smtp::Dialogue dialogue(settings_.helo_name, settings_.from, settings_.recipients, data);
    net::smtp::Server server = *settings_.server;
    const bool v6_literal = server.host.find(':') != std::string::npos;
    const std::string where = (v6_literal ? "[" + server.host + "]" : server.host) + ":" + std::to_string(server.port);
    auto sending = net::smtp::send_mail(std::move(server), std::move(dialogue), settings_.timeout);
    auto sent = co_await std::move(sending);
    queue_.pop();
    if (sent) {
      ++sent_;
      sys::log_info("email alert sent to {} via {}: {}", fmt::join(settings_.recipients, ", "), where, alert.subject);
      for (const auto& refused : sent->refused) sys::log_warning("email alert: recipient refused: {}", refused);
    } else {
      ++failed_;
      sys::log_error("email alert not sent via {}: {} ({})", where, sent.error().to_string(), alert.subject);
    }
  }
  report_dropped();
  draining_ = false;
}

rt::Task<void> Mailer::stop() {
  stopping_ = true;
  if (!queue_.empty()) {
    sys::log_warning("email alerts: {} not sent (stopping)", queue_.size());
  }
  cancel_sending_.emit(asio::cancellation_type::terminal);
  asio::steady_timer poll(executor_);
  while (draining_) {
    poll.expires_after(std::chrono::milliseconds(10));
    co_await poll.async_wait(rt::use_nothrow);
  }
}

}  // namespace vigil::engine
