// Fuzz target: everything the netlink driver decodes from the kernel (reply status with extended
// ACK, link and address messages, notification datagrams) must survive arbitrary bytes.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <vector>

#include "net/netlink/parse.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  // The receive buffers are word-aligned; so is this copy.
  std::vector<std::uint32_t> words((size + 3) / 4);
  if (size > 0) std::memcpy(words.data(), data, size);
  const std::span<const std::uint8_t> datagram(reinterpret_cast<const std::uint8_t*>(words.data()), size);
  using namespace vigil::net::netlink;
  for (const auto& message : split_datagram(datagram)) {
    (void)parse_status(message);
    (void)parse_link(message);
    (void)parse_address(message);
  }
  (void)parse_notifications(datagram);
  return 0;
}
