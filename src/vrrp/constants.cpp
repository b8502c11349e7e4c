#include "vrrp/constants.hpp"

namespace vigil::vrrp {

const char* to_string(Version version) {
  switch (version) {
    case Version::kV2: return "v2";
    case Version::kV3: return "v3";
  }
  return "?";
}

const char* to_string(AuthType type) {
  switch (type) {
    case AuthType::kNone: return "none";
    case AuthType::kPass: return "pass";
    case AuthType::kAh: return "ah";
  }
  return "?";
}

IpAddress multicast_group(Family family) {
  if (family == Family::kIPv4) return IpAddress::v4({224, 0, 0, 18});
  return IpAddress::v6({0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x12});
}

}  // namespace vigil::vrrp
