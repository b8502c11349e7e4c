#include <doctest/doctest.h>

#include "lab_case.hpp"
#include "net/wire/sysctl.hpp"
#include "net/wire/vmac_sysctls.hpp"

using vigil::net::wire::read_sysctl;
using vigil::net::wire::VmacSysctls;
using vigil::test::Side;

namespace {

std::string conf(const std::string& interface, const char* name) {
  auto value = read_sysctl("net/ipv4/conf/" + interface + "/" + name);
  return value ? *value : "<" + value.error().to_string() + ">";
}

}  // namespace

TEST_CASE("VMAC sysctls are set on a real macvlan and its parent, then restored") {
  VIGIL_BUILD_LAB(lab);
  REQUIRE(lab.run(Side::kA,
                  "ip link add vrrp.51 link eth0 type macvlan mode private && "
                  "ip link set vrrp.51 address 00:00:5e:00:01:33 up && sysctl -qw net.ipv4.conf.all.rp_filter=2"));
  lab.enter(Side::kA);
  const std::string before_eth0_ignore = conf("eth0", "arp_ignore");
  const std::string before_eth0_filter = conf("eth0", "arp_filter");
  const std::string before_eth0_rp = conf("eth0", "rp_filter");
  {
    VmacSysctls sysctls;
    auto configured = sysctls.configure("vrrp.51", "eth0");
    REQUIRE_MESSAGE(configured, configured.error().to_string());
    CHECK(conf("vrrp.51", "arp_ignore") == "1");
    CHECK(conf("vrrp.51", "accept_local") == "1");
    CHECK(conf("vrrp.51", "rp_filter") == "0");
    CHECK(conf("eth0", "arp_ignore") == "1");
    CHECK(conf("eth0", "arp_filter") == "1");
    CHECK(conf("all", "rp_filter") == "0");
    CHECK(conf("eth0", "rp_filter") == "2");  // keeps the filtering it had through conf/all
    CHECK(conf("lo", "rp_filter") == "2");
    // The macvlan goes away first (the netlink driver deletes it); restoring skips its values.
    REQUIRE(lab.run(Side::kA, "ip link del vrrp.51"));
    lab.enter(Side::kA);
    auto released = sysctls.release("vrrp.51", "eth0");
    CHECK_MESSAGE(released, released.error().to_string());
  }
  CHECK(conf("eth0", "arp_ignore") == before_eth0_ignore);
  CHECK(conf("eth0", "arp_filter") == before_eth0_filter);
  CHECK(conf("eth0", "rp_filter") == before_eth0_rp);
  CHECK(conf("all", "rp_filter") == "2");
}
