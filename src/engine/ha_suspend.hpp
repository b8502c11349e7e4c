#pragma once
// ha_suspend: a virtual server with `ha_suspend` has its checkers suspended while this node does
// not hold its address. keepalived watches the address itself on the host; Vigil asks the VRRP
// instances that carry it (the address in their virtual_ipaddress or virtual_ipaddress_excluded):
// the virtual server is active while at least one of them is MASTER, suspended otherwise. A
// virtual server whose address no instance carries (a fwmark service, an address configured by
// other means) is never suspended, and lb_warnings-style warnings() says so. Pure: no I/O.
#include <cstddef>
#include <map>
#include <string>
#include <vector>

#include "config/model.hpp"

namespace vigil::engine {

class HaSuspend {
 public:
  explicit HaSuspend(const config::Config& config);

  // Per virtual server (config indexes): suspended, given each instance's last reported state
  // ("MASTER", "BACKUP", "FAULT", "STOP"; an instance that has not reported yet is not MASTER).
  [[nodiscard]] std::vector<bool> suspended(const std::map<std::string, std::string>& instance_states) const;
  // The instances whose state decides virtual server `index` (empty: never suspended).
  [[nodiscard]] const std::vector<std::string>& owners(std::size_t index) const { return owners_.at(index); }
  // Whether any virtual server follows a VRRP state at all.
  [[nodiscard]] bool any() const;
  // ha_suspend set where no instance carries the address: it has no effect there.
  [[nodiscard]] const std::vector<std::string>& warnings() const { return warnings_; }

 private:
  std::vector<std::vector<std::string>> owners_;
  std::vector<std::string> warnings_;
};

}  // namespace vigil::engine
