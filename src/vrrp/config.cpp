#include "vrrp/config.hpp"

#include <algorithm>

namespace vigil::vrrp {

const char* to_string(InitialState state) {
  switch (state) {
    case InitialState::kBackup: return "BACKUP";
    case InitialState::kMaster: return "MASTER";
  }
  return "?";
}

const char* to_string(ReconfigureKind kind) {
  switch (kind) {
    case ReconfigureKind::kUnchanged: return "unchanged";
    case ReconfigureKind::kInPlace: return "in-place";
    case ReconfigureKind::kRebind: return "rebind";
    case ReconfigureKind::kRestart: return "restart";
  }
  return "?";
}

std::uint8_t InstanceConfig::base_priority() const {
  if (priority) return *priority;
  return initial_state == InitialState::kMaster ? kPriorityOwner : kPriorityDefault;
}

NormalizedConfig normalize(InstanceConfig config) {
  NormalizedConfig out;
  auto adjust = [&](std::string field, std::string message) {
    out.problems.push_back({std::move(field), std::move(message), false});
  };
  auto reject = [&](std::string field, std::string message) {
    out.problems.push_back({std::move(field), std::move(message), true});
  };
  if (config.vrid == 0) reject("vrid", "must be 1-255");  // RFC 5798 §5.2.3
  if (config.priority && *config.priority == 0) reject("priority", "must be 1-255 (0 is reserved for stopping)");
  if (config.version == Version::kV2 && config.family == Family::kIPv6) {
    adjust("version", "IPv6 needs VRRPv3; using v3");  // RFC 3768 is IPv4 only
    config.version = Version::kV3;
  }
  if (config.advert_interval <= Centiseconds::zero()) {
    reject("advert_interval", "must be positive");
  } else if (config.version == Version::kV2) {
    // RFC 3768 §5.3.7: whole seconds in one byte.
    const auto seconds = std::clamp<std::int64_t>((config.advert_interval.count() + 50) / 100, 1, 255);
    if (seconds * 100 != config.advert_interval.count()) {
      adjust("advert_interval", "VRRPv2 counts whole seconds; rounded to " + std::to_string(seconds) + "s");
      config.advert_interval = Centiseconds{seconds * 100};
    }
  } else if (config.advert_interval > kMaxV3Interval) {
    adjust("advert_interval", "VRRPv3 allows at most 40.95s");  // RFC 5798 §5.2.7
    config.advert_interval = kMaxV3Interval;
  }
  if (config.auth_type != AuthType::kNone && (config.version != Version::kV2 || config.family != Family::kIPv4)) {
    adjust("auth_type", "authentication exists only in VRRPv2 over IPv4; ignored");  // RFC 5798 §9
    config.auth_type = AuthType::kNone;
  }
  if (config.auth_type == AuthType::kAh) reject("auth_type", "AH authentication is not supported");
  if (config.auth_type == AuthType::kPass && config.auth_pass.size() > kAuthDataLength) {
    adjust("auth_pass", "longer than 8 characters; truncated");
    config.auth_pass.resize(kAuthDataLength);
  }
  if (config.auth_type == AuthType::kPass && config.auth_pass.empty()) reject("auth_pass", "PASS needs a password");
  if (config.owner() && !config.preempt) {
    adjust("preempt", "an address owner (priority 255) always preempts");
    config.preempt = true;
  }
  if (config.initial_state == InitialState::kMaster && (!config.preempt || config.preempt_delay > Duration::zero())) {
    adjust("preempt", "nopreempt and preempt_delay do not work with initial state MASTER; reset");
    config.preempt = true;
    config.preempt_delay = Duration::zero();
  }
  if (!config.preempt && config.preempt_delay > Duration::zero()) {
    adjust("preempt_delay", "has no effect with nopreempt; reset");
    config.preempt_delay = Duration::zero();
  }
  if (config.down_timer_adverts < 1 || config.down_timer_adverts > 100) {
    reject("down_timer_adverts", "must be 1-100");
  }
  auto family_matches = [&](const IpAddress& a) { return a.family() == config.family; };
  for (const auto& vip : config.vips) {
    if (!family_matches(vip.address)) reject("vips", vip.to_string() + " is not of the instance's family");
  }
  if (config.vips.size() > kMaxAddresses) {
    // keepalived moves the overflow to the excluded list rather than failing.
    adjust("vips", "more than 255 addresses; the rest are not advertised");
    config.excluded.insert(config.excluded.begin(), config.vips.begin() + kMaxAddresses, config.vips.end());
    config.vips.resize(kMaxAddresses);
  }
  for (const auto& peer : config.unicast_peers) {
    if (!family_matches(peer)) reject("unicast_peers", peer.to_string() + " is not of the instance's family");
  }
  if (config.unicast_source && !family_matches(*config.unicast_source)) {
    reject("unicast_source", "not of the instance's family");
  }
  out.config = std::move(config);
  return out;
}

ReconfigureKind classify(const InstanceConfig& old_config, const InstanceConfig& new_config) {
  if (old_config == new_config) return ReconfigureKind::kUnchanged;
  if (old_config.vrid != new_config.vrid || old_config.version != new_config.version ||
      old_config.family != new_config.family) {
    return ReconfigureKind::kRestart;
  }
  if (old_config.unicast_peers != new_config.unicast_peers || old_config.unicast_source != new_config.unicast_source) {
    return ReconfigureKind::kRebind;
  }
  return ReconfigureKind::kInPlace;
}

}  // namespace vigil::vrrp
