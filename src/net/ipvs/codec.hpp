#pragma once
// IPVS over generic netlink, as pure message building and parsing (libnl builds; no socket, no
// sequence numbers: the transport adds them). The family id is dynamic: resolve "IPVS" with
// build_resolve_family / parse_family_id at every start.
#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "base/result.hpp"
#include "ipvs/types.hpp"
#include "net/netlink/parse.hpp"
#include "net/netlink/request.hpp"

namespace vigil::net::ipvs {

using netlink::Message;
using vigil::ipvs::Destination;
using vigil::ipvs::Service;
using vigil::ipvs::ServiceKey;
using vigil::ipvs::ServiceState;
using vigil::ipvs::Stats;
using vigil::ipvs::Timeouts;

// CTRL_CMD_GETFAMILY for "IPVS" to the generic netlink controller.
[[nodiscard]] Result<Message> build_resolve_family();
// The family id from the controller's reply; nullopt when the message is not that reply.
[[nodiscard]] std::optional<std::uint16_t> parse_family_id(const netlink::RawMessage& message);

[[nodiscard]] Result<Message> build_add_service(std::uint16_t family, const Service& service);
[[nodiscard]] Result<Message> build_edit_service(std::uint16_t family, const Service& service);
[[nodiscard]] Result<Message> build_delete_service(std::uint16_t family, const ServiceKey& key);
[[nodiscard]] Result<Message> build_add_destination(std::uint16_t family, const ServiceKey& key,
                                                    const Destination& destination);
[[nodiscard]] Result<Message> build_edit_destination(std::uint16_t family, const ServiceKey& key,
                                                     const Destination& destination);
[[nodiscard]] Result<Message> build_delete_destination(std::uint16_t family, const ServiceKey& key,
                                                       const Destination& destination);
[[nodiscard]] Result<Message> build_dump_services(std::uint16_t family);
[[nodiscard]] Result<Message> build_dump_destinations(std::uint16_t family, const ServiceKey& key);
[[nodiscard]] Result<Message> build_set_timeouts(std::uint16_t family, const Timeouts& timeouts);
[[nodiscard]] Result<Message> build_get_timeouts(std::uint16_t family);
[[nodiscard]] Result<Message> build_flush(std::uint16_t family);

// One service of a GET_SERVICE dump (destinations empty); nullopt for anything else or bad input.
[[nodiscard]] std::optional<Service> parse_service(const netlink::RawMessage& message);
// One destination of a GET_DEST dump.
[[nodiscard]] std::optional<Destination> parse_destination(const netlink::RawMessage& message);
// The counters of a GET_SERVICE / GET_DEST dump entry: IPVS_*_ATTR_STATS64 when the kernel sends
// it (4.1 and later), else the 32-bit IPVS_*_ATTR_STATS; nullopt when the entry has neither.
[[nodiscard]] std::optional<Stats> parse_service_stats(const netlink::RawMessage& message);
[[nodiscard]] std::optional<Stats> parse_destination_stats(const netlink::RawMessage& message);
// The GET_CONFIG reply.
[[nodiscard]] std::optional<Timeouts> parse_timeouts(const netlink::RawMessage& message);

}  // namespace vigil::net::ipvs
