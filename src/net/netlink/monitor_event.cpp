#include "net/netlink/monitor_event.hpp"

namespace vigil::net::netlink {

namespace {

struct Describe {
  std::string operator()(const LinkChanged& e) const {
    return "link " + std::to_string(e.ifindex) + " " + e.name + (e.up ? " up" : " down") +
           (e.running ? " running" : "");
  }
  std::string operator()(const LinkRemoved& e) const {
    return "link removed " + std::to_string(e.ifindex) + " " + e.name;
  }
  std::string operator()(const AddressAdded& e) const {
    return "address added " + e.prefix.to_string() + " on " + std::to_string(e.ifindex);
  }
  std::string operator()(const AddressRemoved& e) const {
    return "address removed " + e.prefix.to_string() + " on " + std::to_string(e.ifindex);
  }
};

}  // namespace

std::string to_string(const MonitorEvent& event) { return std::visit(Describe{}, event); }

}  // namespace vigil::net::netlink
