#include "net/wire/vmac_sysctls.hpp"

#include <doctest/doctest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "net/wire/sysctl.hpp"

using vigil::net::wire::read_sysctl;
using vigil::net::wire::VmacSysctls;
using vigil::net::wire::write_sysctl;

namespace {

// A fake /proc/sys with the ipv4 conf entries keepalived touches, so no root and no kernel needed.
class FakeProcSys {
 public:
  explicit FakeProcSys(const std::vector<std::string>& interfaces)
      : root_(std::filesystem::temp_directory_path() / ("vigil-sysctl-" + std::to_string(::getpid()))) {
    std::filesystem::remove_all(root_);
    for (const auto& interface : interfaces) {
      const auto dir = root_ / "net/ipv4/conf" / interface;
      std::filesystem::create_directories(dir);
      for (const char* name : {"arp_ignore", "arp_filter", "accept_local", "rp_filter", "promote_secondaries"}) {
        std::ofstream(dir / name) << "0\n";
      }
    }
  }
  FakeProcSys(const FakeProcSys&) = delete;
  FakeProcSys& operator=(const FakeProcSys&) = delete;
  ~FakeProcSys() { std::filesystem::remove_all(root_); }

  [[nodiscard]] std::string root() const { return root_.string(); }
  [[nodiscard]] std::string get(const std::string& interface, const std::string& name) const {
    return read_sysctl("net/ipv4/conf/" + interface + "/" + name, root()).value_or("?");
  }
  void put(const std::string& interface, const std::string& name, const std::string& value) const {
    REQUIRE(write_sysctl("net/ipv4/conf/" + interface + "/" + name, value, root()));
  }

 private:
  std::filesystem::path root_;
};

}  // namespace

TEST_CASE("a VMAC gets keepalived's settings and its parent stops answering ARP for the VIPs") {
  FakeProcSys proc({"all", "default", "eth0", "vrrp.51"});
  VmacSysctls sysctls(proc.root());
  REQUIRE(sysctls.configure("vrrp.51", "eth0"));
  CHECK(proc.get("vrrp.51", "arp_ignore") == "1");
  CHECK(proc.get("vrrp.51", "accept_local") == "1");
  CHECK(proc.get("vrrp.51", "rp_filter") == "0");
  CHECK(proc.get("vrrp.51", "promote_secondaries") == "1");
  CHECK(proc.get("eth0", "arp_ignore") == "1");
  CHECK(proc.get("eth0", "arp_filter") == "1");
  CHECK(proc.get("all", "rp_filter") == "0");  // was 0: nothing to relax
  REQUIRE(sysctls.restore_all());
  CHECK(proc.get("eth0", "arp_ignore") == "0");
  CHECK(proc.get("eth0", "arp_filter") == "0");
  CHECK(proc.get("vrrp.51", "accept_local") == "0");
  CHECK_FALSE(sysctls.changed_anything());
}

TEST_CASE("a non-zero conf/all rp_filter moves to every other interface before it is cleared") {
  FakeProcSys proc({"all", "default", "eth0", "eth1", "vrrp.51"});
  proc.put("all", "rp_filter", "1");
  proc.put("eth1", "rp_filter", "2");
  VmacSysctls sysctls(proc.root());
  REQUIRE(sysctls.configure("vrrp.51", "eth0"));
  CHECK(proc.get("all", "rp_filter") == "0");
  CHECK(proc.get("default", "rp_filter") == "1");
  CHECK(proc.get("eth0", "rp_filter") == "1");
  CHECK(proc.get("eth1", "rp_filter") == "2");  // stricter already: untouched
  CHECK(proc.get("vrrp.51", "rp_filter") == "0");
  REQUIRE(sysctls.release("vrrp.51", "eth0"));
  CHECK(proc.get("all", "rp_filter") == "1");
  CHECK(proc.get("default", "rp_filter") == "0");
  CHECK(proc.get("eth0", "rp_filter") == "0");
  CHECK(proc.get("eth1", "rp_filter") == "2");
}

TEST_CASE("the parent keeps its settings until its last VMAC is released") {
  FakeProcSys proc({"all", "default", "eth0", "vrrp.51", "vrrp.52"});
  proc.put("eth0", "arp_ignore", "2");
  VmacSysctls sysctls(proc.root());
  REQUIRE(sysctls.configure("vrrp.51", "eth0"));
  REQUIRE(sysctls.configure("vrrp.52", "eth0"));
  REQUIRE(sysctls.release("vrrp.51", "eth0"));
  CHECK(proc.get("eth0", "arp_ignore") == "1");
  CHECK(proc.get("vrrp.52", "arp_ignore") == "1");
  REQUIRE(sysctls.release("vrrp.52", "eth0"));
  CHECK(proc.get("eth0", "arp_ignore") == "2");  // the old value, not a default
  CHECK_FALSE(sysctls.changed_anything());
}

TEST_CASE("the destructor restores, and a VMAC deleted meanwhile does not stop the rest") {
  FakeProcSys proc({"all", "default", "eth0", "vrrp.51"});
  {
    VmacSysctls sysctls(proc.root());
    REQUIRE(sysctls.configure("vrrp.51", "eth0"));
    std::filesystem::remove_all(std::filesystem::path(proc.root()) / "net/ipv4/conf/vrrp.51");
  }
  CHECK(proc.get("eth0", "arp_ignore") == "0");
  CHECK(proc.get("eth0", "arp_filter") == "0");
}

TEST_CASE("a failed configure leaves nothing changed") {
  FakeProcSys proc({"all", "default", "eth0"});  // the VMAC's entries are missing
  VmacSysctls sysctls(proc.root());
  CHECK_FALSE(sysctls.configure("vrrp.51", "eth0"));
  CHECK_FALSE(sysctls.changed_anything());
  CHECK(proc.get("eth0", "arp_ignore") == "0");
}

TEST_CASE("sysctl values read back without their newline and missing entries are errors") {
  FakeProcSys proc({"all"});
  REQUIRE(write_sysctl("net/ipv4/conf/all/rp_filter", "2", proc.root()));
  CHECK(read_sysctl("net/ipv4/conf/all/rp_filter", proc.root()).value_or("") == "2");
  CHECK_FALSE(read_sysctl("net/ipv4/conf/nosuch/rp_filter", proc.root()));
  CHECK_FALSE(write_sysctl("net/ipv4/conf/nosuch/rp_filter", "1", proc.root()));
  CHECK_FALSE(std::filesystem::exists(std::filesystem::path(proc.root()) / "net/ipv4/conf/nosuch"));
}
