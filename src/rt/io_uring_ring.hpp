#pragma once
// The size of the io_uring behind every io_context of the io_uring build (see asio_impl.cpp).

namespace vigil::rt {

// Submission queue entries (the completion queue gets twice as many). Asio submits in batches of
// at most 128 (more only when many operations start in one handler), so 1024 entries rarely fill
// up; the ring costs about 100 KiB instead of Asio's 1.6 MiB.
inline constexpr unsigned kIoUringEntries = 1024;

}  // namespace vigil::rt
