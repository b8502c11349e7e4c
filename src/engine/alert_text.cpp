#include "engine/alert_text.hpp"

#include <fmt/format.h>

#include "net/smtp/message.hpp"

namespace vigil::engine {

AlertText vrrp_alert_text(const std::string& router_id, const VrrpAlert& alert) {
  const char* kind = alert.group ? "VRRP Group" : "VRRP Instance";
  AlertText text;
  text.subject = fmt::format("[{}] {} {} - Entering {} state", router_id, kind, alert.name, alert.state);
  text.body = fmt::format(
      "{} {} on {} entered the {} state.\n"
      "\n"
      "router_id: {}\n"
      "{}: {}\n"
      "new state: {}\n"
      "{}"
      "time: {}\n"
      "\n"
      "-- \nvigild\n",
      kind, alert.name, router_id, alert.state, router_id, alert.group ? "sync group" : "instance", alert.name,
      alert.state, alert.group ? std::string() : fmt::format("priority: {}\n", alert.priority),
      net::smtp::rfc5322_date(alert.when));
  return text;
}

AlertText checker_alert_text(const std::string& router_id, const CheckerAlert& alert) {
  const char* state = alert.up ? "UP" : "DOWN";
  AlertText text;
  text.subject =
      fmt::format("[{}] Realserver {} of {} - {}", router_id, alert.real_server, alert.virtual_server, state);
  text.body = fmt::format(
      "Real server {} of virtual server {} is {}.\n"
      "\n"
      "router_id: {}\n"
      "virtual server: {}\n"
      "real server: {}\n"
      "new state: {}\n"
      "{}"
      "time: {}\n"
      "\n"
      "-- \nvigild\n",
      alert.real_server, alert.virtual_server, state, router_id, alert.virtual_server, alert.real_server, state,
      alert.reason.empty() ? std::string() : fmt::format("reason: {}\n", alert.reason),
      net::smtp::rfc5322_date(alert.when));
  return text;
}

bool AlertQueue::push(AlertText alert) {
  if (queue_.size() >= capacity_) {
    ++dropped_;
    ++dropped_total_;
    return false;
  }
  queue_.push_back(std::move(alert));
  return true;
}

std::size_t AlertQueue::take_dropped() {
  const std::size_t dropped = dropped_;
  dropped_ = 0;
  return dropped;
}

}  // namespace vigil::engine
