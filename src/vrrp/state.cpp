#include "vrrp/state.hpp"

namespace vigil::vrrp {

const char* to_string(State state) {
  switch (state) {
    case State::kInit: return "INIT";
    case State::kBackup: return "BACKUP";
    case State::kMaster: return "MASTER";
    case State::kFault: return "FAULT";
    case State::kStop: return "STOP";
  }
  return "?";
}

const char* to_string(FaultReason reason) {
  switch (reason) {
    case FaultReason::kInterfaceDown: return "interface-down";
    case FaultReason::kTracker: return "tracker";
    case FaultReason::kVipsFailed: return "vips-failed";
    case FaultReason::kSyncGroup: return "sync-group";
  }
  return "?";
}

}  // namespace vigil::vrrp
