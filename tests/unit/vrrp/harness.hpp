#pragma once
// Helpers for driving an Instance with a virtual clock in tests.
#include <chrono>
#include <vector>

#include "vrrp/instance.hpp"

namespace vigil::test {

using namespace std::chrono_literals;

inline IpAddress ip(const char* text) { return *IpAddress::parse(text); }
inline IpPrefix prefix(const char* text) { return *IpPrefix::parse(text); }

// t(1.5) is 1.5 s after the (arbitrary) epoch of the virtual clock.
inline TimePoint t(double seconds) {
  return TimePoint{} + std::chrono::duration_cast<Duration>(std::chrono::duration<double>(seconds));
}

template <class A>
std::vector<A> all_of(const vrrp::Actions& actions) {
  std::vector<A> out;
  for (const auto& action : actions) {
    if (const auto* a = std::get_if<A>(&action)) out.push_back(*a);
  }
  return out;
}

template <class A>
bool has(const vrrp::Actions& actions) {
  return !all_of<A>(actions).empty();
}

inline std::vector<std::string> names(const vrrp::Actions& actions) {
  std::vector<std::string> out;
  for (const auto& action : actions) out.emplace_back(vrrp::action_name(action));
  return out;
}

inline vrrp::InstanceConfig basic_config(std::uint8_t priority = 100, vrrp::Version version = vrrp::Version::kV2) {
  vrrp::InstanceConfig c;
  c.name = "VI_1";
  c.vrid = 51;
  c.version = version;
  c.priority = priority;
  c.vips = {prefix("192.0.2.50/24")};
  return c;
}

inline vrrp::AdvertReceived advert_from(const char* source, std::uint8_t priority,
                                        vrrp::Version version = vrrp::Version::kV2,
                                        vrrp::Centiseconds interval = vrrp::Centiseconds{100}) {
  vrrp::Advert a;
  a.version = version;
  a.vrid = 51;
  a.priority = priority;
  a.interval = interval;
  a.addresses = {ip("192.0.2.50")};
  return {a, ip(source), std::nullopt};
}

// Our own primary address in these tests is 192.0.2.2.
inline vrrp::InterfaceChanged link_up() { return {true, ip("192.0.2.2")}; }

// A started instance with its interface known, in BACKUP at t(0).
inline vrrp::Instance started_backup(vrrp::InstanceConfig config) {
  vrrp::Instance instance(std::move(config));
  (void)instance.on(link_up(), t(0));
  (void)instance.on(vrrp::Started{}, t(0));
  return instance;
}

// Drives a backup to a confirmed master at `when` (master-down fired, VIPs acknowledged).
inline vrrp::Actions make_master(vrrp::Instance& instance, TimePoint when) {
  auto actions = instance.on(vrrp::TimerFired{}, when);
  const auto adds = all_of<vrrp::AddVips>(actions);
  if (adds.empty()) return actions;
  auto confirmed = instance.on(vrrp::VipsAdded{adds.front().request, true, {}}, when);
  actions.insert(actions.end(), confirmed.begin(), confirmed.end());
  return actions;
}

}  // namespace vigil::test
