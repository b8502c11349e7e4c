#pragma once
// Two fresh network namespaces, A and B, joined by a veth pair whose ends are both called eth0:
//   A eth0: 192.0.2.1/24, 2001:db8::1/64      B eth0: 192.0.2.2/24, 2001:db8::2/64
// DAD is off, so link-locals are usable at once. The namespaces have no name (no /run/netns
// entry): only this object's file descriptors and the sockets made inside them keep them alive, so
// they vanish with the object or with the process, however it ends. Nothing touches the host's
// interfaces.
#include <string>

namespace vigil::test {

enum class Side { kA, kB };

class VethLab {
 public:
  VethLab() = default;
  VethLab(const VethLab&) = delete;
  VethLab& operator=(const VethLab&) = delete;
  ~VethLab();  // back to the original namespace; the lab's namespaces go with their last socket

  // Empty on success, otherwise why the lab could not be built (the caller skips or fails).
  [[nodiscard]] std::string build();

  // Moves the calling thread into a namespace: sockets opened now live there.
  void enter(Side side) const;
  // Runs a shell command inside a namespace; true when it exits 0.
  [[nodiscard]] bool run(Side side, const std::string& command) const;

 private:
  int host_ = -1;
  int a_ = -1;
  int b_ = -1;
};

}  // namespace vigil::test
