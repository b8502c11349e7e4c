#include "net/netlink/link.hpp"

namespace vigil::net::netlink {

const char* to_string(MacvlanMode mode) {
  switch (mode) {
    case MacvlanMode::kPrivate: return "private";
    case MacvlanMode::kVepa: return "vepa";
    case MacvlanMode::kBridge: return "bridge";
    case MacvlanMode::kPassthru: return "passthru";
  }
  return "?";
}

}  // namespace vigil::net::netlink
