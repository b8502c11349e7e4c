#pragma once
// Instance states (RFC 5798 §6.4) and the reasons an instance sits in FAULT (keepalived's extra state).
#include <cstdint>

namespace vigil::vrrp {

enum class State : std::uint8_t { kInit, kBackup, kMaster, kFault, kStop };
[[nodiscard]] const char* to_string(State state);

enum class FaultReason : std::uint8_t {
  kInterfaceDown,  // the instance's interface (or a tracked unweighted one) is down
  kTracker,        // an unweighted tracker failed
  kVipsFailed,     // the kernel refused the VIPs; retried after a master-down interval
  kSyncGroup,      // another member of the sync group is in FAULT
};
[[nodiscard]] const char* to_string(FaultReason reason);

// A small set of FaultReason.
class FaultSet {
 public:
  void set(FaultReason reason, bool on) {
    const auto bit = static_cast<std::uint8_t>(1U << static_cast<unsigned>(reason));
    bits_ = static_cast<std::uint8_t>(on ? (bits_ | bit) : (bits_ & ~bit));
  }
  [[nodiscard]] bool has(FaultReason reason) const { return (bits_ >> static_cast<unsigned>(reason)) & 1U; }
  [[nodiscard]] bool any() const { return bits_ != 0; }
  [[nodiscard]] bool any_except(FaultReason reason) const {
    FaultSet others = *this;
    others.set(reason, false);
    return others.any();
  }
  friend bool operator==(const FaultSet&, const FaultSet&) = default;

 private:
  std::uint8_t bits_ = 0;
};

}  // namespace vigil::vrrp
