#include "net/netlink/route.hpp"

namespace vigil::net::netlink {

const char* to_string(RouteType type) {
  switch (type) {
    case RouteType::kUnicast: return "unicast";
    case RouteType::kBlackhole: return "blackhole";
    case RouteType::kUnreachable: return "unreachable";
    case RouteType::kProhibit: return "prohibit";
  }
  return "?";
}

const char* to_string(RuleAction action) {
  switch (action) {
    case RuleAction::kLookup: return "lookup";
    case RuleAction::kBlackhole: return "blackhole";
    case RuleAction::kUnreachable: return "unreachable";
    case RuleAction::kProhibit: return "prohibit";
  }
  return "?";
}

}  // namespace vigil::net::netlink
