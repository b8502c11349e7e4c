#include "engine/alert_text.hpp"

#include <doctest/doctest.h>

#include "engine/mailer.hpp"
#include "engine/notifier.hpp"

using namespace vigil::engine;

TEST_CASE("a VRRP alert names router, instance, state, priority and time") {
  const auto text = vrrp_alert_text("lb1", VrrpAlert{false, "VI_1", "MASTER", 150, 1795665540});
  CHECK(text.subject == "[lb1] VRRP Instance VI_1 - Entering MASTER state");
  CHECK(text.body.find("router_id: lb1\n") != std::string::npos);
  CHECK(text.body.find("instance: VI_1\n") != std::string::npos);
  CHECK(text.body.find("new state: MASTER\n") != std::string::npos);
  CHECK(text.body.find("priority: 150\n") != std::string::npos);
  CHECK(text.body.find("time: Thu, 26 Nov 2026 03:59:00 +0000\n") != std::string::npos);

  const auto group = vrrp_alert_text("lb1", VrrpAlert{true, "G1", "BACKUP", 0, 0});
  CHECK(group.subject == "[lb1] VRRP Group G1 - Entering BACKUP state");
  CHECK(group.body.find("priority") == std::string::npos);
}

TEST_CASE("a checker alert names the real and virtual server") {
  const auto text = checker_alert_text(
      "lb1", CheckerAlert{"192.0.2.100:80 TCP", "198.51.100.11:8080", false, "connect timed out", 0});
  CHECK(text.subject == "[lb1] Realserver 198.51.100.11:8080 of 192.0.2.100:80 TCP - DOWN");
  CHECK(text.body.find("reason: connect timed out\n") != std::string::npos);
}

TEST_CASE("the alert queue keeps order, refuses when full and counts what it dropped") {
  AlertQueue queue(2);
  CHECK(queue.push({"1", ""}));
  CHECK(queue.push({"2", ""}));
  CHECK_FALSE(queue.push({"3", ""}));
  CHECK_FALSE(queue.push({"4", ""}));
  CHECK(queue.take_dropped() == 2);
  CHECK(queue.take_dropped() == 0);
  CHECK(queue.front().subject == "1");
  queue.pop();
  CHECK(queue.push({"5", ""}));
  CHECK(queue.front().subject == "2");
  queue.pop();
  CHECK(queue.front().subject == "5");
  CHECK(queue.dropped_total() == 2);
}

TEST_CASE("mailer settings: defaults from router_id, port 25") {
  vigil::config::GlobalConfig global;
  global.notification_email = {"ops@example.com"};
  global.smtp_server = vigil::config::HostPort{"192.0.2.25", 0};
  auto settings = mailer_settings(global, "host1");
  CHECK(settings.router_id == "host1");
  CHECK(settings.from == "vigil@host1");
  CHECK(settings.helo_name == "host1");
  REQUIRE(settings.server);
  CHECK(settings.server->port == 25);
  global.router_id = "lb1";
  global.smtp_helo_name = "mx-client.example.com";
  global.notification_email_from = "keepalived@example.com";
  settings = mailer_settings(global, "host1");
  CHECK(settings.router_id == "lb1");
  CHECK(settings.from == "keepalived@example.com");
  CHECK(settings.helo_name == "mx-client.example.com");
}

TEST_CASE("the notifier mails only MASTER, BACKUP and FAULT, and only with smtp_alert") {
  NotifyRequest request;
  request.state = "MASTER";
  CHECK_FALSE(Notifier::wants_alert(request));
  request.smtp_alert = true;
  CHECK(Notifier::wants_alert(request));
  request.state = "FAULT";
  CHECK(Notifier::wants_alert(request));
  request.state = "STOP";
  CHECK_FALSE(Notifier::wants_alert(request));
  request.state = "MASTER_RX_LOWER_PRI";
  CHECK_FALSE(Notifier::wants_alert(request));
}
