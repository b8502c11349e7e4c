#include "net/netlink/address.hpp"

namespace vigil::net::netlink {

const char* to_string(Scope scope) {
  switch (scope) {
    case Scope::kUniverse: return "universe";
    case Scope::kSite: return "site";
    case Scope::kLink: return "link";
    case Scope::kHost: return "host";
    case Scope::kNowhere: return "nowhere";
  }
  return "?";
}

}  // namespace vigil::net::netlink
