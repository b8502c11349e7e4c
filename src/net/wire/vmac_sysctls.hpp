#pragma once
// The IPv4 interface settings keepalived makes for a VMAC (a private-mode macvlan, created by the
// netlink driver) and its parent, undone on exit (keepalived-behaviour.md §2.10):
//   VMAC:   arp_ignore=1    answer ARP only for addresses on the VMAC itself, never the parent's
//           accept_local=1  hear adverts from another local instance whose source is a local address
//           rp_filter=0     receive on a VMAC that has no address of its own
//           promote_secondaries=1
//   parent: arp_ignore=1, arp_filter=1  the parent must not answer ARP for the VIPs (refcounted
//           across the VMACs of one parent, restored when the last one goes)
//   all:    rp_filter is the max of conf/all and the interface's value, so a VMAC only gets 0 when
//           conf/all is 0. When it is not, every other interface (and default) is raised to the old
//           conf/all value first, so nothing loses filtering, then conf/all becomes 0. Undone when
//           the last VMAC goes.
// Every write remembers the old value; release()/restore_all() put them back newest first.
// Values that belong to an interface deleted meanwhile (the VMAC itself) are skipped on restore.
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/result.hpp"
#include "net/wire/sysctl.hpp"

namespace vigil::net::wire {

class VmacSysctls {
 public:
  explicit VmacSysctls(std::string sysctl_root = std::string(kProcSys));
  VmacSysctls(const VmacSysctls&) = delete;
  VmacSysctls& operator=(const VmacSysctls&) = delete;
  ~VmacSysctls();  // restore_all(), best effort

  [[nodiscard]] Result<void> configure(std::string_view vmac, std::string_view parent);
  [[nodiscard]] Result<void> release(std::string_view vmac, std::string_view parent);
  // Everything this object changed, newest first. Returns the first failure but keeps going.
  [[nodiscard]] Result<void> restore_all();

  [[nodiscard]] bool changed_anything() const;

 private:
  struct Change {
    std::string key;
    std::string old_value;
  };
  struct Shared {
    int users = 0;
    std::vector<Change> changes;
  };

  [[nodiscard]] Result<void> set(std::vector<Change>& ledger, const std::string& key, std::string_view value);
  [[nodiscard]] Result<void> configure_counted(std::string_view vmac, std::string_view parent);
  [[nodiscard]] Result<void> relax_rp_filter(std::string_view vmac);
  [[nodiscard]] Result<void> restore(std::vector<Change>& ledger);

  std::string root_;
  std::map<std::string, std::vector<Change>, std::less<>> vmacs_;
  std::map<std::string, Shared, std::less<>> parents_;
  Shared global_;
};

}  // namespace vigil::net::wire
