#include "net/ipvs/codec.hpp"

#include <arpa/inet.h>
#include <linux/genetlink.h>
#include <linux/ip_vs.h>
#include <linux/netlink.h>
#include <netlink/attr.h>
#include <netlink/genl/genl.h>
#include <netlink/msg.h>
#include <sys/socket.h>

#include <array>
#include <cstring>
#include <string>

#include "net/netlink/attributes.hpp"

namespace vigil::net::ipvs {

namespace {

using vigil::ipvs::Forward;
using vigil::ipvs::Protocol;
using vigil::ipvs::TunnelChecksum;
using vigil::ipvs::TunnelType;

constexpr std::size_t kGenlHeader = GENL_HDRLEN;

// A generic-netlink message of `family` (genl header first), then attributes.
class Builder : public netlink::AttributeWriter {
 public:
  Builder(std::uint16_t family, std::uint8_t command, int flags, std::uint8_t version, const char* what)
      : AttributeWriter(netlink::Message(nlmsg_alloc()), std::string("IPVS ") + what) {
    ok_ = ok_ && genlmsg_put(message_.get(), NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, flags, command, version) != nullptr;
  }
  void put_address(int type, const IpAddress& address) {
    // The kernel reads a union nf_inet_addr: always 16 bytes, IPv4 in the first four.
    std::array<std::uint8_t, 16> bytes{};
    std::memcpy(bytes.data(), address.bytes().data(), address.size());
    put(type, bytes.data(), bytes.size());
  }
};

std::uint16_t to_af(Family family) { return family == Family::kIPv4 ? AF_INET : AF_INET6; }

void put_key(Builder& b, const ServiceKey& key) {
  b.put_value<std::uint16_t>(IPVS_SVC_ATTR_AF, to_af(key.family));
  if (key.is_fwmark()) {
    b.put_value<std::uint32_t>(IPVS_SVC_ATTR_FWMARK, key.fwmark);
  } else {
    b.put_value<std::uint16_t>(IPVS_SVC_ATTR_PROTOCOL, static_cast<std::uint16_t>(key.protocol));
    b.put_address(IPVS_SVC_ATTR_ADDR, key.address);
    b.put_value<std::uint16_t>(IPVS_SVC_ATTR_PORT, htons(key.port));
  }
}

void put_service(Builder& b, const ServiceKey& key, const Service* full) {
  nlattr* nest = b.nest(IPVS_CMD_ATTR_SERVICE);
  put_key(b, key);
  if (full != nullptr) {
    // NEW/SET_SERVICE need all of these, or the kernel answers EINVAL.
    b.put_string(IPVS_SVC_ATTR_SCHED_NAME, full->scheduler);
    if (!full->persistence_engine.empty()) b.put_string(IPVS_SVC_ATTR_PE_NAME, full->persistence_engine);
    ip_vs_flags flags{};
    flags.flags = full->flags & ~vigil::ipvs::kFlagHashed;
    flags.mask = ~std::uint32_t{0};
    b.put_value(IPVS_SVC_ATTR_FLAGS, flags);
    b.put_value<std::uint32_t>(IPVS_SVC_ATTR_TIMEOUT, full->timeout);
    b.put_value<std::uint32_t>(IPVS_SVC_ATTR_NETMASK, full->netmask);
  }
  b.end(nest);
}

void put_destination(Builder& b, const Destination& d, bool full) {
  nlattr* nest = b.nest(IPVS_CMD_ATTR_DEST);
  b.put_address(IPVS_DEST_ATTR_ADDR, d.address);
  b.put_value<std::uint16_t>(IPVS_DEST_ATTR_PORT, htons(d.port));
  b.put_value<std::uint16_t>(IPVS_DEST_ATTR_ADDR_FAMILY, to_af(d.address.family()));
  if (full) {
    b.put_value<std::uint32_t>(IPVS_DEST_ATTR_FWD_METHOD, static_cast<std::uint32_t>(d.forward));
    b.put_value<std::uint32_t>(IPVS_DEST_ATTR_WEIGHT, d.weight);
    b.put_value<std::uint32_t>(IPVS_DEST_ATTR_U_THRESH, d.upper_threshold);
    b.put_value<std::uint32_t>(IPVS_DEST_ATTR_L_THRESH, d.lower_threshold);
    if (d.forward == Forward::kTunnel) {
      b.put_value<std::uint8_t>(IPVS_DEST_ATTR_TUN_TYPE, static_cast<std::uint8_t>(d.tunnel_type));
      b.put_value<std::uint16_t>(IPVS_DEST_ATTR_TUN_PORT, htons(d.tunnel_port));
      b.put_value<std::uint16_t>(IPVS_DEST_ATTR_TUN_FLAGS, static_cast<std::uint16_t>(d.tunnel_checksum));
    }
  }
  b.end(nest);
}

Result<Message> service_message(std::uint16_t family, std::uint8_t command, const ServiceKey& key, const Service* full,
                                const char* what) {
  Builder b(family, command, 0, IPVS_GENL_VERSION, what);
  put_service(b, key, full);
  return b.finish();
}

Result<Message> destination_message(std::uint16_t family, std::uint8_t command, const ServiceKey& key,
                                    const Destination& d, bool full, const char* what) {
  Builder b(family, command, 0, IPVS_GENL_VERSION, what);
  put_service(b, key, nullptr);
  put_destination(b, d, full);
  return b.finish();
}

// libnl's attribute parser wants 4-aligned memory: copy the attributes after the genl header.
class Attributes {
 public:
  // nullopt when the message is too short to hold a genl header.
  static std::optional<Attributes> of(const netlink::RawMessage& message) {
    const std::size_t offset = NLMSG_HDRLEN + kGenlHeader;
    if (message.bytes.size() < offset) return std::nullopt;
    Attributes result;
    const std::size_t size = message.bytes.size() - offset;
    result.words_.resize((size + 3) / 4 + 1);
    std::memcpy(result.words_.data(), message.bytes.data() + offset, size);
    result.size_ = size;
    genlmsghdr header{};
    std::memcpy(&header, message.bytes.data() + NLMSG_HDRLEN, sizeof header);
    result.command_ = header.cmd;
    return result;
  }
  [[nodiscard]] std::uint8_t command() const { return command_; }
  // Parses the top level into `table` (max+1 entries). False on malformed attributes.
  bool parse(nlattr** table, int max) {
    return nla_parse(table, max, reinterpret_cast<nlattr*>(words_.data()), static_cast<int>(size_), nullptr) == 0;
  }

 private:
  std::vector<std::uint32_t> words_;
  std::size_t size_ = 0;
  std::uint8_t command_ = 0;
};

using netlink::get_string;
using netlink::get_value;

std::optional<IpAddress> get_address(const nlattr* attr, std::uint16_t af) {
  if (attr == nullptr || nla_len(attr) < 4) return std::nullopt;
  const std::size_t size = af == AF_INET ? 4 : 16;
  if (static_cast<std::size_t>(nla_len(attr)) < size) return std::nullopt;
  return IpAddress::from_bytes({static_cast<const std::uint8_t*>(nla_data(attr)), size});
}

std::optional<Family> family_of(std::uint16_t af) {
  if (af == AF_INET) return Family::kIPv4;
  if (af == AF_INET6) return Family::kIPv6;
  return std::nullopt;
}

// The nested attribute `outer` of a message, parsed into `inner` (max+1 entries).
bool nested(const netlink::RawMessage& message, int outer, nlattr** inner, int max, int expected_command,
            std::optional<Attributes>& storage) {
  storage = Attributes::of(message);
  if (!storage || storage->command() != expected_command) return false;
  std::array<nlattr*, IPVS_CMD_ATTR_MAX + 1> top{};
  if (!storage->parse(top.data(), IPVS_CMD_ATTR_MAX) || top[outer] == nullptr) return false;
  return nla_parse_nested(inner, max, top[outer], nullptr) == 0;
}

// The nested IPVS_STATS_ATTR_* of `stats64` (every counter a u64) or else of `stats32` (the
// counts and rates u32, the byte counters u64).
std::optional<Stats> parse_stats(const nlattr* stats64, const nlattr* stats32) {
  const nlattr* nest = stats64 != nullptr ? stats64 : stats32;
  if (nest == nullptr) return std::nullopt;
  std::array<nlattr*, IPVS_STATS_ATTR_MAX + 1> a{};
  if (nla_parse_nested(a.data(), IPVS_STATS_ATTR_MAX, const_cast<nlattr*>(nest), nullptr) != 0) return std::nullopt;
  const bool wide = nest == stats64;
  const auto counter = [&](int type) -> std::uint64_t {
    if (wide) return get_value<std::uint64_t>(a[type]).value_or(0);
    return get_value<std::uint32_t>(a[type]).value_or(0);
  };
  Stats stats;
  stats.connections = counter(IPVS_STATS_ATTR_CONNS);
  stats.packets_in = counter(IPVS_STATS_ATTR_INPKTS);
  stats.packets_out = counter(IPVS_STATS_ATTR_OUTPKTS);
  stats.bytes_in = get_value<std::uint64_t>(a[IPVS_STATS_ATTR_INBYTES]).value_or(0);  // u64 in both nests
  stats.bytes_out = get_value<std::uint64_t>(a[IPVS_STATS_ATTR_OUTBYTES]).value_or(0);
  stats.connections_per_second = counter(IPVS_STATS_ATTR_CPS);
  stats.packets_in_per_second = counter(IPVS_STATS_ATTR_INPPS);
  stats.packets_out_per_second = counter(IPVS_STATS_ATTR_OUTPPS);
  stats.bytes_in_per_second = counter(IPVS_STATS_ATTR_INBPS);
  stats.bytes_out_per_second = counter(IPVS_STATS_ATTR_OUTBPS);
  return stats;
}

}  // namespace

Result<Message> build_resolve_family() {
  Builder b(GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0, 1, "resolve family");
  b.put_string(CTRL_ATTR_FAMILY_NAME, IPVS_GENL_NAME);
  return b.finish();
}

std::optional<std::uint16_t> parse_family_id(const netlink::RawMessage& message) {
  if (message.type != GENL_ID_CTRL) return std::nullopt;
  auto attributes = Attributes::of(message);
  if (!attributes || attributes->command() != CTRL_CMD_NEWFAMILY) return std::nullopt;
  std::array<nlattr*, CTRL_ATTR_MAX + 1> table{};
  if (!attributes->parse(table.data(), CTRL_ATTR_MAX)) return std::nullopt;
  if (get_string(table[CTRL_ATTR_FAMILY_NAME]) != IPVS_GENL_NAME) return std::nullopt;
  return get_value<std::uint16_t>(table[CTRL_ATTR_FAMILY_ID]);
}

Result<Message> build_add_service(std::uint16_t family, const Service& service) {
  return service_message(family, IPVS_CMD_NEW_SERVICE, service.key, &service, "add service");
}
Result<Message> build_edit_service(std::uint16_t family, const Service& service) {
  return service_message(family, IPVS_CMD_SET_SERVICE, service.key, &service, "edit service");
}
Result<Message> build_delete_service(std::uint16_t family, const ServiceKey& key) {
  return service_message(family, IPVS_CMD_DEL_SERVICE, key, nullptr, "delete service");
}
Result<Message> build_add_destination(std::uint16_t family, const ServiceKey& key, const Destination& destination) {
  return destination_message(family, IPVS_CMD_NEW_DEST, key, destination, true, "add destination");
}
Result<Message> build_edit_destination(std::uint16_t family, const ServiceKey& key, const Destination& destination) {
  return destination_message(family, IPVS_CMD_SET_DEST, key, destination, true, "edit destination");
}
Result<Message> build_delete_destination(std::uint16_t family, const ServiceKey& key, const Destination& destination) {
  return destination_message(family, IPVS_CMD_DEL_DEST, key, destination, false, "delete destination");
}

Result<Message> build_dump_services(std::uint16_t family) {
  Builder b(family, IPVS_CMD_GET_SERVICE, NLM_F_DUMP, IPVS_GENL_VERSION, "dump services");
  return b.finish();
}

Result<Message> build_dump_destinations(std::uint16_t family, const ServiceKey& key) {
  Builder b(family, IPVS_CMD_GET_DEST, NLM_F_DUMP, IPVS_GENL_VERSION, "dump destinations");
  put_service(b, key, nullptr);
  return b.finish();
}

Result<Message> build_set_timeouts(std::uint16_t family, const Timeouts& timeouts) {
  Builder b(family, IPVS_CMD_SET_CONFIG, 0, IPVS_GENL_VERSION, "set timeouts");
  // 0 leaves a timeout unchanged (the kernel skips zero values).
  b.put_value<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP, timeouts.tcp);
  b.put_value<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_TCP_FIN, timeouts.tcp_fin);
  b.put_value<std::uint32_t>(IPVS_CMD_ATTR_TIMEOUT_UDP, timeouts.udp);
  return b.finish();
}

Result<Message> build_get_timeouts(std::uint16_t family) {
  Builder b(family, IPVS_CMD_GET_CONFIG, 0, IPVS_GENL_VERSION, "get timeouts");
  return b.finish();
}

Result<Message> build_flush(std::uint16_t family) {
  Builder b(family, IPVS_CMD_FLUSH, 0, IPVS_GENL_VERSION, "flush");
  return b.finish();
}

std::optional<Service> parse_service(const netlink::RawMessage& message) {
  std::optional<Attributes> storage;
  std::array<nlattr*, IPVS_SVC_ATTR_MAX + 1> a{};
  if (!nested(message, IPVS_CMD_ATTR_SERVICE, a.data(), IPVS_SVC_ATTR_MAX, IPVS_CMD_NEW_SERVICE, storage)) {
    return std::nullopt;
  }
  const auto af = get_value<std::uint16_t>(a[IPVS_SVC_ATTR_AF]);
  if (!af) return std::nullopt;
  const auto family = family_of(*af);
  if (!family) return std::nullopt;
  Service service;
  if (const auto fwmark = get_value<std::uint32_t>(a[IPVS_SVC_ATTR_FWMARK]); fwmark && *fwmark != 0) {
    service.key = ServiceKey::for_fwmark(*fwmark, *family);
  } else {
    const auto protocol = get_value<std::uint16_t>(a[IPVS_SVC_ATTR_PROTOCOL]);
    const auto address = get_address(a[IPVS_SVC_ATTR_ADDR], *af);
    const auto port = get_value<std::uint16_t>(a[IPVS_SVC_ATTR_PORT]);
    if (!protocol || !address || !port) return std::nullopt;
    service.key = ServiceKey::for_address(*address, ntohs(*port), static_cast<Protocol>(*protocol));
  }
  service.scheduler = get_string(a[IPVS_SVC_ATTR_SCHED_NAME]);
  service.persistence_engine = get_string(a[IPVS_SVC_ATTR_PE_NAME]);
  if (const auto flags = get_value<ip_vs_flags>(a[IPVS_SVC_ATTR_FLAGS])) {
    service.flags = flags->flags & ~vigil::ipvs::kFlagHashed;
  }
  service.timeout = get_value<std::uint32_t>(a[IPVS_SVC_ATTR_TIMEOUT]).value_or(0);
  service.netmask = get_value<std::uint32_t>(a[IPVS_SVC_ATTR_NETMASK]).value_or(0);
  return service;
}

std::optional<Destination> parse_destination(const netlink::RawMessage& message) {
  std::optional<Attributes> storage;
  std::array<nlattr*, IPVS_DEST_ATTR_MAX + 1> a{};
  if (!nested(message, IPVS_CMD_ATTR_DEST, a.data(), IPVS_DEST_ATTR_MAX, IPVS_CMD_NEW_DEST, storage)) {
    return std::nullopt;
  }
  const auto af = get_value<std::uint16_t>(a[IPVS_DEST_ATTR_ADDR_FAMILY]);
  if (!af || !family_of(*af)) return std::nullopt;
  const auto address = get_address(a[IPVS_DEST_ATTR_ADDR], *af);
  const auto port = get_value<std::uint16_t>(a[IPVS_DEST_ATTR_PORT]);
  if (!address || !port) return std::nullopt;
  Destination d;
  d.address = *address;
  d.port = ntohs(*port);
  d.forward =
      static_cast<Forward>(get_value<std::uint32_t>(a[IPVS_DEST_ATTR_FWD_METHOD]).value_or(0) & IP_VS_CONN_F_FWD_MASK);
  d.weight = get_value<std::uint32_t>(a[IPVS_DEST_ATTR_WEIGHT]).value_or(0);
  d.upper_threshold = get_value<std::uint32_t>(a[IPVS_DEST_ATTR_U_THRESH]).value_or(0);
  d.lower_threshold = get_value<std::uint32_t>(a[IPVS_DEST_ATTR_L_THRESH]).value_or(0);
  if (d.forward == Forward::kTunnel) {
    // Older kernels do not report tunnel attributes: ipip, no port, no checksum.
    d.tunnel_type = static_cast<TunnelType>(get_value<std::uint8_t>(a[IPVS_DEST_ATTR_TUN_TYPE]).value_or(0));
    d.tunnel_port = ntohs(get_value<std::uint16_t>(a[IPVS_DEST_ATTR_TUN_PORT]).value_or(0));
    d.tunnel_checksum = static_cast<TunnelChecksum>(get_value<std::uint16_t>(a[IPVS_DEST_ATTR_TUN_FLAGS]).value_or(0));
  }
  return d;
}

std::optional<Stats> parse_service_stats(const netlink::RawMessage& message) {
  std::optional<Attributes> storage;
  std::array<nlattr*, IPVS_SVC_ATTR_MAX + 1> a{};
  if (!nested(message, IPVS_CMD_ATTR_SERVICE, a.data(), IPVS_SVC_ATTR_MAX, IPVS_CMD_NEW_SERVICE, storage)) {
    return std::nullopt;
  }
  return parse_stats(a[IPVS_SVC_ATTR_STATS64], a[IPVS_SVC_ATTR_STATS]);
}

std::optional<Stats> parse_destination_stats(const netlink::RawMessage& message) {
  std::optional<Attributes> storage;
  std::array<nlattr*, IPVS_DEST_ATTR_MAX + 1> a{};
  if (!nested(message, IPVS_CMD_ATTR_DEST, a.data(), IPVS_DEST_ATTR_MAX, IPVS_CMD_NEW_DEST, storage)) {
    return std::nullopt;
  }
  return parse_stats(a[IPVS_DEST_ATTR_STATS64], a[IPVS_DEST_ATTR_STATS]);
}

std::optional<Timeouts> parse_timeouts(const netlink::RawMessage& message) {
  auto attributes = Attributes::of(message);
  if (!attributes || attributes->command() != IPVS_CMD_SET_CONFIG) return std::nullopt;
  std::array<nlattr*, IPVS_CMD_ATTR_MAX + 1> a{};
  if (!attributes->parse(a.data(), IPVS_CMD_ATTR_MAX)) return std::nullopt;
  Timeouts timeouts;
  timeouts.tcp = get_value<std::uint32_t>(a[IPVS_CMD_ATTR_TIMEOUT_TCP]).value_or(0);
  timeouts.tcp_fin = get_value<std::uint32_t>(a[IPVS_CMD_ATTR_TIMEOUT_TCP_FIN]).value_or(0);
  timeouts.udp = get_value<std::uint32_t>(a[IPVS_CMD_ATTR_TIMEOUT_UDP]).value_or(0);
  return timeouts;
}

}  // namespace vigil::net::ipvs
