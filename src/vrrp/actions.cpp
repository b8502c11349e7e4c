#include "vrrp/actions.hpp"

#include "vrrp/overloaded.hpp"

namespace vigil::vrrp {

const char* to_string(GratuitousReason reason) {
  switch (reason) {
    case GratuitousReason::kBecameMaster: return "became-master";
    case GratuitousReason::kSecondBurst: return "second-burst";
    case GratuitousReason::kRefresh: return "refresh";
    case GratuitousReason::kLowerPriorityMaster: return "lower-priority-master";
    case GratuitousReason::kVipsAdded: return "vips-added";
  }
  return "?";
}

const char* action_name(const Action& action) {
  return std::visit(Overloaded{
                        [](const SendAdvert&) { return "SendAdvert"; },
                        [](const AddVips&) { return "AddVips"; },
                        [](const RemoveVips&) { return "RemoveVips"; },
                        [](const SendGratuitous&) { return "SendGratuitous"; },
                        [](const RunNotify&) { return "RunNotify"; },
                    },
                    action);
}

}  // namespace vigil::vrrp
