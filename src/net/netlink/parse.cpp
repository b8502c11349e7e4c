#include "net/netlink/parse.hpp"

#include <linux/if.h>
#include <linux/if_addr.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <netlink/attr.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "net/netlink/attributes.hpp"

namespace vigil::net::netlink {

namespace {

constexpr std::size_t align4(std::size_t n) { return (n + 3U) & ~std::size_t{3}; }
constexpr std::size_t kHeaderSize = align4(sizeof(nlmsghdr));

template <class T>
T load(std::span<const std::uint8_t> bytes, std::size_t offset) {
  T value{};
  std::memcpy(&value, bytes.data() + offset, sizeof value);
  return value;
}

// libnl's attribute parser wants a 4-aligned, writable nlmsghdr: parse a private copy.
class AlignedMessage {
 public:
  explicit AlignedMessage(std::span<const std::uint8_t> bytes) : words_((bytes.size() + 3) / 4) {
    std::memcpy(words_.data(), bytes.data(), bytes.size());
  }
  nlmsghdr* header() { return reinterpret_cast<nlmsghdr*>(words_.data()); }
  [[nodiscard]] const std::uint8_t* payload() const {
    return reinterpret_cast<const std::uint8_t*>(words_.data()) + kHeaderSize;
  }

 private:
  std::vector<std::uint32_t> words_;
};

std::optional<IpAddress> get_ip(const nlattr* attr) {
  if (attr == nullptr) return std::nullopt;
  const auto length = nla_len(attr);
  if (length != 4 && length != 16) return std::nullopt;
  return IpAddress::from_bytes({static_cast<const std::uint8_t*>(nla_data(attr)), static_cast<std::size_t>(length)});
}

std::optional<MacAddress> get_mac(const nlattr* attr) {
  if (attr == nullptr || nla_len(attr) != 6) return std::nullopt;
  MacAddress mac;
  std::memcpy(mac.bytes.data(), nla_data(attr), mac.bytes.size());
  return mac;
}

}  // namespace

std::vector<RawMessage> split_datagram(std::span<const std::uint8_t> datagram) {
  std::vector<RawMessage> messages;
  std::size_t offset = 0;
  while (datagram.size() - offset >= sizeof(nlmsghdr)) {
    const auto header = load<nlmsghdr>(datagram, offset);
    if (header.nlmsg_len < sizeof(nlmsghdr) || header.nlmsg_len > datagram.size() - offset) break;
    messages.push_back(RawMessage{header.nlmsg_type, header.nlmsg_flags, header.nlmsg_seq, header.nlmsg_pid,
                                  datagram.subspan(offset, header.nlmsg_len)});
    offset += align4(header.nlmsg_len);
    if (offset >= datagram.size()) break;
  }
  return messages;
}

// The kernel sends -errno; a positive value is not an errno but is kept visible, and INT_MIN
// (only ever from a hostile or broken sender) must not overflow on negation.
namespace {
int errno_magnitude(int raw) {
  const auto magnitude = raw < 0 ? -static_cast<std::int64_t>(raw) : static_cast<std::int64_t>(raw);
  return static_cast<int>(std::min<std::int64_t>(magnitude, std::numeric_limits<int>::max()));
}
}  // namespace

std::optional<KernelStatus> parse_status(const RawMessage& message) {
  const auto bytes = message.bytes;
  std::size_t tlv_offset = 0;
  KernelStatus status;
  if (message.type == NLMSG_ERROR) {
    if (bytes.size() < kHeaderSize + sizeof(nlmsgerr)) return std::nullopt;
    const auto error = load<nlmsgerr>(bytes, kHeaderSize);
    status.error = errno_magnitude(error.error);
    tlv_offset = kHeaderSize + sizeof(nlmsgerr);
    // Without NLM_F_CAPPED the kernel echoes the whole request before the TLVs.
    if ((message.flags & NLM_F_CAPPED) == 0 && error.msg.nlmsg_len > sizeof(nlmsghdr)) {
      tlv_offset += align4(error.msg.nlmsg_len - sizeof(nlmsghdr));
    }
  } else if (message.type == NLMSG_DONE) {
    if (bytes.size() < kHeaderSize + sizeof(int)) return KernelStatus{};  // old kernels: bare DONE
    status.error = errno_magnitude(load<int>(bytes, kHeaderSize));
    tlv_offset = kHeaderSize + sizeof(int);
  } else {
    return std::nullopt;
  }
  if ((message.flags & NLM_F_ACK_TLVS) == 0) return status;
  std::size_t offset = align4(tlv_offset);
  while (offset + sizeof(nlattr) <= bytes.size()) {
    const auto attr = load<nlattr>(bytes, offset);
    if (attr.nla_len < sizeof(nlattr) || attr.nla_len > bytes.size() - offset) break;
    if ((attr.nla_type & NLA_TYPE_MASK) == NLMSGERR_ATTR_MSG) {
      const auto* text = reinterpret_cast<const char*>(bytes.data() + offset + sizeof(nlattr));
      status.extack.assign(text, ::strnlen(text, attr.nla_len - sizeof(nlattr)));
    }
    offset += align4(attr.nla_len);
  }
  return status;
}

std::optional<LinkInfo> parse_link(const RawMessage& message) {
  if (message.type != RTM_NEWLINK && message.type != RTM_DELLINK) return std::nullopt;
  if (message.bytes.size() < kHeaderSize + sizeof(ifinfomsg)) return std::nullopt;
  AlignedMessage copy(message.bytes);
  std::array<nlattr*, IFLA_MAX + 1> attrs{};
  if (nlmsg_parse(copy.header(), sizeof(ifinfomsg), attrs.data(), IFLA_MAX, nullptr) < 0) return std::nullopt;
  ifinfomsg ifi{};
  std::memcpy(&ifi, copy.payload(), sizeof ifi);
  // AF_BRIDGE messages describe bridge-port state; an RTM_DELLINK there is a port leaving its bridge.
  if (ifi.ifi_family != AF_UNSPEC) return std::nullopt;
  LinkInfo link;
  link.ifindex = ifi.ifi_index;
  link.arp_type = ifi.ifi_type;
  link.up = (ifi.ifi_flags & IFF_UP) != 0;
  link.running = (ifi.ifi_flags & IFF_RUNNING) != 0;
  link.name = get_string(attrs[IFLA_IFNAME]);
  link.mac = get_mac(attrs[IFLA_ADDRESS]);
  link.mtu = get_u32(attrs[IFLA_MTU]).value_or(0);
  link.parent_ifindex = static_cast<int>(get_u32(attrs[IFLA_LINK]).value_or(0));
  if (attrs[IFLA_LINKINFO] != nullptr) {
    std::array<nlattr*, IFLA_INFO_MAX + 1> info{};
    if (nla_parse_nested(info.data(), IFLA_INFO_MAX, attrs[IFLA_LINKINFO], nullptr) == 0) {
      link.kind = get_string(info[IFLA_INFO_KIND]);
    }
  }
  return link;
}

std::optional<AddressInfo> parse_address(const RawMessage& message) {
  if (message.type != RTM_NEWADDR && message.type != RTM_DELADDR) return std::nullopt;
  if (message.bytes.size() < kHeaderSize + sizeof(ifaddrmsg)) return std::nullopt;
  AlignedMessage copy(message.bytes);
  std::array<nlattr*, IFA_MAX + 1> attrs{};
  if (nlmsg_parse(copy.header(), sizeof(ifaddrmsg), attrs.data(), IFA_MAX, nullptr) < 0) return std::nullopt;
  ifaddrmsg ifa{};
  std::memcpy(&ifa, copy.payload(), sizeof ifa);
  if (ifa.ifa_family != AF_INET && ifa.ifa_family != AF_INET6) return std::nullopt;
  // IFA_LOCAL is the interface's own address; IFA_ADDRESS is the peer on point-to-point links and
  // the only one IPv6 sends otherwise.
  auto address = get_ip(attrs[IFA_LOCAL]);
  if (!address) address = get_ip(attrs[IFA_ADDRESS]);
  if (!address) return std::nullopt;
  const std::size_t max_length = ifa.ifa_family == AF_INET ? 32 : 128;
  if ((ifa.ifa_family == AF_INET) != address->is_v4() || ifa.ifa_prefixlen > max_length) return std::nullopt;
  AddressInfo info;
  info.ifindex = static_cast<int>(ifa.ifa_index);
  info.prefix = IpPrefix{*address, ifa.ifa_prefixlen};
  info.scope = ifa.ifa_scope;
  info.label = get_string(attrs[IFA_LABEL]);
  info.flags = get_u32(attrs[IFA_FLAGS]).value_or(ifa.ifa_flags);
  return info;
}

std::vector<Notification> parse_notifications(std::span<const std::uint8_t> datagram) {
  std::vector<Notification> notifications;
  for (const auto& message : split_datagram(datagram)) {
    switch (message.type) {
      case RTM_NEWLINK:
        if (auto link = parse_link(message)) notifications.emplace_back(LinkUpdated{std::move(*link)});
        break;
      case RTM_DELLINK:
        if (auto link = parse_link(message)) notifications.emplace_back(LinkDeleted{std::move(*link)});
        break;
      case RTM_NEWADDR:
        if (auto address = parse_address(message)) notifications.emplace_back(AddressUpdated{std::move(*address)});
        break;
      case RTM_DELADDR:
        if (auto address = parse_address(message)) notifications.emplace_back(AddressDeleted{std::move(*address)});
        break;
      default: break;
    }
  }
  return notifications;
}

}  // namespace vigil::net::netlink
