// Fuzz target: everything the IPVS client decodes from the kernel (family id, services,
// destinations, timeouts) must survive arbitrary bytes. Seeds: messages the codec builds (the
// kernel's replies share their layout).
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "net/ipvs/codec.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::uint32_t> words((size + 3) / 4);
  if (size > 0) std::memcpy(words.data(), data, size);
  const std::span<const std::uint8_t> datagram(reinterpret_cast<const std::uint8_t*>(words.data()), size);
  using namespace vigil::net;
  for (const auto& message : netlink::split_datagram(datagram)) {
    (void)ipvs::parse_family_id(message);
    (void)ipvs::parse_service(message);
    (void)ipvs::parse_destination(message);
    (void)ipvs::parse_service_stats(message);
    (void)ipvs::parse_destination_stats(message);
    (void)ipvs::parse_timeouts(message);
  }
  return 0;
}
