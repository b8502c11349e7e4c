#pragma once
// From the config model to the pure IPVS core: each [[virtual_server]] becomes the kernel services
// it stands for (one, or one per address and fwmark of its virtual_server_group) and a pool spec
// (real servers, sorry server, quorum, alpha, inhibit). Pure: no I/O.
#include <cstddef>
#include <string>
#include <vector>

#include "config/model.hpp"
#include "ipvs/pool.hpp"
#include "ipvs/types.hpp"

namespace vigil::engine {

// A group range expands to at most this many addresses per member (a larger one is cut, and
// lb_warnings says so): IPVS has one service per address.
inline constexpr std::size_t kMaxRangeAddresses = 65536;

// A real server's checkers in config order (source position; kind order when positions are
// unknown): the order of check::CheckerVerdict::checker.
[[nodiscard]] std::vector<const config::CheckerCommon*> checkers_of(const config::RealServer& real);

[[nodiscard]] std::vector<ipvs::Service> services_of(const config::VirtualServer& server, const config::Config& config);
[[nodiscard]] ipvs::VirtualServerSpec spec_of(const config::VirtualServer& server, const config::Config& config);
// One spec per config.virtual_server, same indexes.
[[nodiscard]] std::vector<ipvs::VirtualServerSpec> specs_of(const config::Config& config);
[[nodiscard]] ipvs::Timeouts timeouts_of(const config::GlobalConfig& global);
// Things the conversion had to cut, for the log.
[[nodiscard]] std::vector<std::string> lb_warnings(const config::Config& config);

}  // namespace vigil::engine
