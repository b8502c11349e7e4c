#pragma once
// The size of the io_uring behind an io_context of the io_uring build (see asio_impl.cpp).

namespace vigil::rt {

// Asio 1.22 gives every io_uring 16 384 submission entries (and twice as many completion entries):
// 1.6 MiB of ring memory, resident from the start. The main loop keeps that size: it runs scripts
// and checkers, thousands at once, and how many operations can be outstanding is bounded by the
// ring (measured: 1000 concurrent scripts finish with a 4096-entry ring, 2000 hang; with 16 384,
// 3000 finish and 6000 hang: the 1000-script test of tests/unit/sys/process_test.cpp, scaled up).
inline constexpr unsigned kAsioRingEntries = 16384;

// The VRRP thread's ring: its operations are one receive per advert socket, the netlink socket,
// and sends that complete at once, so 1024 entries (~100 KiB) are plenty.
inline constexpr unsigned kVrrpRingEntries = 1024;

namespace detail {
// make_io_context() sets the size for the ring created on the calling thread next (0: Asio's).
void request_ring_entries(unsigned entries) noexcept;
}  // namespace detail

}  // namespace vigil::rt
