// Decoding of kernel replies and notifications from hand-made bytes (no kernel needed).
#include "net/netlink/parse.hpp"

#include <doctest/doctest.h>

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <ostream>  // doctest prints std::error_code
#include <string>
#include <vector>

#include "net/netlink/error.hpp"
#include "net/netlink/monitor_event.hpp"

using namespace vigil;
using namespace vigil::net::netlink;

namespace {

// Appends netlink structures with 4-byte alignment, patching nlmsg_len at the end.
class Bytes {
 public:
  template <class T>
  Bytes& add(const T& value) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&value);
    data_.insert(data_.end(), p, p + sizeof value);
    return pad();
  }
  Bytes& attr(std::uint16_t type, const void* payload, std::size_t size) {
    nlattr header{static_cast<std::uint16_t>(sizeof(nlattr) + size), type};
    const auto* p = reinterpret_cast<const std::uint8_t*>(&header);
    data_.insert(data_.end(), p, p + sizeof header);
    const auto* q = static_cast<const std::uint8_t*>(payload);
    data_.insert(data_.end(), q, q + size);
    return pad();
  }
  Bytes& text(std::uint16_t type, const std::string& value) { return attr(type, value.c_str(), value.size() + 1); }
  // Sets nlmsg_len of the message starting at `offset` to everything after it.
  Bytes& close(std::size_t offset = 0) {
    const auto length = static_cast<std::uint32_t>(data_.size() - offset);
    std::memcpy(data_.data() + offset, &length, sizeof length);
    return *this;
  }
  [[nodiscard]] std::size_t size() const { return data_.size(); }
  std::vector<std::uint8_t>& data() { return data_; }

 private:
  Bytes& pad() {
    while (data_.size() % 4 != 0) data_.push_back(0);
    return *this;
  }
  std::vector<std::uint8_t> data_;
};

nlmsghdr header(std::uint16_t type, std::uint16_t flags, std::uint32_t seq = 7) {
  return nlmsghdr{0, type, flags, seq, 4242};
}

std::vector<std::uint8_t> error_reply(int error, const std::string& extack, bool capped) {
  Bytes b;
  b.add(header(NLMSG_ERROR, static_cast<std::uint16_t>((capped ? NLM_F_CAPPED : 0) | NLM_F_ACK_TLVS)));
  nlmsgerr err{};
  err.error = -error;
  err.msg = nlmsghdr{capped ? 16U : 24U, RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK, 7, 0};
  b.add(err);
  if (!capped) b.add(std::uint64_t{0x1122334455667788});  // the echoed request payload
  b.text(NLMSGERR_ATTR_MSG, extack);
  std::uint32_t offset = 16;
  b.attr(NLMSGERR_ATTR_OFFS, &offset, sizeof offset);
  b.close();
  return b.data();
}

std::vector<std::uint8_t> address_message(std::uint16_t type, int ifindex, const std::vector<std::uint8_t>& address,
                                          std::uint8_t prefix_length, const std::string& label = {}) {
  Bytes b;
  b.add(header(type, 0, 0));
  ifaddrmsg ifa{};
  ifa.ifa_family = static_cast<std::uint8_t>(address.size() == 4 ? AF_INET : AF_INET6);
  ifa.ifa_prefixlen = prefix_length;
  ifa.ifa_index = static_cast<std::uint32_t>(ifindex);
  b.add(ifa);
  b.attr(IFA_ADDRESS, address.data(), address.size());
  if (address.size() == 4) b.attr(IFA_LOCAL, address.data(), address.size());
  if (!label.empty()) b.text(IFA_LABEL, label);
  b.close();
  return b.data();
}

std::vector<std::uint8_t> link_message(std::uint16_t type, int ifindex, const std::string& name, unsigned flags,
                                       unsigned char family = AF_UNSPEC) {
  Bytes b;
  b.add(header(type, 0, 0));
  ifinfomsg ifi{};
  ifi.ifi_family = family;
  ifi.ifi_index = ifindex;
  ifi.ifi_flags = flags;
  ifi.ifi_type = 1;
  b.add(ifi);
  b.text(IFLA_IFNAME, name);
  const std::uint8_t mac[6] = {0x00, 0x00, 0x5e, 0x00, 0x01, 0x33};
  b.attr(IFLA_ADDRESS, mac, sizeof mac);
  const std::uint32_t mtu = 1500;
  b.attr(IFLA_MTU, &mtu, sizeof mtu);
  b.close();
  return b.data();
}

RawMessage only_message(const std::vector<std::uint8_t>& bytes) {
  auto messages = split_datagram(bytes);
  REQUIRE(messages.size() == 1);
  return messages[0];
}

}  // namespace

TEST_CASE("an error reply yields the errno and the extended ACK text, capped or not") {
  for (const bool capped : {true, false}) {
    const auto bytes = error_reply(EEXIST, "ipv4: Address already assigned", capped);
    const auto message = only_message(bytes);
    CHECK(message.seq == 7);
    CHECK(message.port == 4242);
    const auto status = parse_status(message);
    REQUIRE(status);
    CHECK(status->error == EEXIST);
    CHECK(status->extack == "ipv4: Address already assigned");
  }
}

TEST_CASE("an ACK is error 0 and a dump's NLMSG_DONE carries its status") {
  Bytes ack;
  ack.add(header(NLMSG_ERROR, NLM_F_CAPPED));
  nlmsgerr ok{};
  ok.msg = nlmsghdr{16, RTM_NEWADDR, 0, 7, 0};
  ack.add(ok).close();
  const auto status = parse_status(only_message(ack.data()));
  REQUIRE(status);
  CHECK(status->error == 0);
  CHECK(status->extack.empty());

  Bytes done;
  done.add(header(NLMSG_DONE, NLM_F_MULTI | NLM_F_ACK_TLVS)).add(-EINVAL).text(NLMSGERR_ATTR_MSG, "bad filter").close();
  const auto dump_status = parse_status(only_message(done.data()));
  REQUIRE(dump_status);
  CHECK(dump_status->error == EINVAL);
  CHECK(dump_status->extack == "bad filter");

  CHECK_FALSE(parse_status(only_message(link_message(RTM_NEWLINK, 1, "lo", 0))));
}

TEST_CASE("truncated or lying lengths are dropped, never read past") {
  auto bytes = error_reply(EEXIST, "ipv4: Address already assigned", true);
  for (std::size_t cut = 0; cut < bytes.size(); ++cut) {
    std::vector<std::uint8_t> part(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(cut));
    for (const auto& message : split_datagram(part)) (void)parse_status(message);
  }
  // nlmsg_len larger than the datagram: no message at all.
  auto lying = bytes;
  const std::uint32_t huge = 4096;
  std::memcpy(lying.data(), &huge, sizeof huge);
  CHECK(split_datagram(lying).empty());
  // An attribute claiming more than the message holds ends the TLV walk.
  auto bad_attr = bytes;
  const std::uint16_t big = 999;
  std::memcpy(bad_attr.data() + 36, &big, sizeof big);
  const auto status = parse_status(only_message(bad_attr));
  REQUIRE(status);
  CHECK(status->error == EEXIST);
  CHECK(status->extack.empty());
}

TEST_CASE("several messages in one datagram are split in order") {
  Bytes b;
  const auto first = link_message(RTM_NEWLINK, 2, "veth0", IFF_UP | IFF_RUNNING);
  const auto second = address_message(RTM_NEWADDR, 2, {192, 0, 2, 1}, 24, "veth0:vip");
  std::vector<std::uint8_t> datagram = first;
  datagram.insert(datagram.end(), second.begin(), second.end());
  datagram.push_back(0xff);  // trailing garbage shorter than a header
  const auto notifications = parse_notifications(datagram);
  REQUIRE(notifications.size() == 2);
  const auto* link = std::get_if<LinkUpdated>(&notifications[0]);
  REQUIRE(link);
  CHECK(link->link.ifindex == 2);
  CHECK(link->link.name == "veth0");
  CHECK(link->link.up);
  CHECK(link->link.running);
  CHECK(link->link.mtu == 1500);
  CHECK(link->link.mac == MacAddress::parse("00:00:5e:00:01:33"));
  const auto* address = std::get_if<AddressUpdated>(&notifications[1]);
  REQUIRE(address);
  CHECK(address->address.prefix == IpPrefix::parse("192.0.2.1/24"));
  CHECK(address->address.label == "veth0:vip");
}

TEST_CASE("deletions, IPv6 addresses and bridge-port messages") {
  const std::vector<std::uint8_t> v6 = {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x10};
  auto removed = parse_notifications(address_message(RTM_DELADDR, 3, v6, 64));
  REQUIRE(removed.size() == 1);
  const auto* deleted = std::get_if<AddressDeleted>(&removed[0]);
  REQUIRE(deleted);
  CHECK(deleted->address.prefix == IpPrefix::parse("2001:db8::10/64"));
  CHECK(deleted->address.ifindex == 3);

  auto gone = parse_notifications(link_message(RTM_DELLINK, 4, "vg-mv0", 0));
  REQUIRE(gone.size() == 1);
  CHECK(std::holds_alternative<LinkDeleted>(gone[0]));

  // A port leaving a bridge is an AF_BRIDGE RTM_DELLINK; the link itself stays.
  CHECK(parse_notifications(link_message(RTM_DELLINK, 4, "vg-mv0", 0, AF_BRIDGE)).empty());
  // Prefix lengths beyond the family's width are malformed.
  CHECK(parse_notifications(address_message(RTM_NEWADDR, 3, {192, 0, 2, 1}, 33)).empty());
}

TEST_CASE("kernel errors carry the errno in the netlink category and the extack in the message") {
  const Error error = kernel_error(EEXIST, "add address 192.0.2.1/24 on ifindex 3", "ipv4: Address already assigned");
  CHECK(error.code == std::errc::file_exists);
  CHECK(error.code.value() == EEXIST);
  CHECK(std::string(error.code.category().name()) == "netlink");
  CHECK(error.message == "add address 192.0.2.1/24 on ifindex 3: File exists (kernel: ipv4: Address already assigned)");
  CHECK(has_errno(error, EEXIST));
  CHECK_FALSE(has_errno(error, ENOENT));
  CHECK(kernel_error(ENODEV, "get link x", "").message == "get link x: No such device");
}

TEST_CASE("monitor events describe themselves") {
  CHECK(to_string(MonitorEvent{LinkChanged{3, "veth0", true, false}}) == "link 3 veth0 up");
  CHECK(to_string(MonitorEvent{AddressAdded{3, *IpPrefix::parse("192.0.2.1/24")}}) ==
        "address added 192.0.2.1/24 on 3");
  CHECK(to_string(MonitorEvent{LinkRemoved{4, "vg-mv0"}}) == "link removed 4 vg-mv0");
}

TEST_CASE("replies captured from a real kernel decode (tests/fuzz/netlink_parse/seeds)") {
  const auto read = [](const char* name) {
    std::ifstream in(std::string(VIGIL_SOURCE_DIR) + "/tests/fuzz/netlink_parse/seeds/" + name, std::ios::binary);
    REQUIRE(in);
    return std::vector<std::uint8_t>(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  };
  const auto expect = [&](const char* name, int error, const char* extack) {
    const auto bytes = read(name);
    const auto status = parse_status(only_message(bytes));
    REQUIRE(status);
    CHECK(status->error == error);
    CHECK(status->extack == extack);
  };
  expect("12-ack.bin", 0, "");
  expect("13-eexist-extack.bin", EEXIST, "ipv4: Address already assigned");
  expect("14-einval-extack.bin", EINVAL, "ipv4: Invalid prefix length");
  expect("15-enodev-extack.bin", ENODEV, "ipv4: Device not found");

  const auto added = parse_notifications(read("05-newaddr.bin"));
  REQUIRE(added.size() == 1);
  const auto* address = std::get_if<AddressUpdated>(&added[0]);
  REQUIRE(address);
  CHECK(address->address.prefix == IpPrefix::parse("192.0.2.1/24"));
  CHECK(address->address.label == "veth0:vip");

  const auto dump_bytes = read("16-linkdump.bin");
  const auto dump = split_datagram(dump_bytes);
  CHECK(dump.size() == 3);  // lo, veth1, veth0
  for (const auto& message : dump) CHECK(parse_link(message));
}
