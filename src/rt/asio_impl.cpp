// The one translation unit that compiles Asio's non-template code (ASIO_SEPARATE_COMPILATION is
// defined for every user of vigil_asio, see cmake/VigilDependencies.cmake).

#if defined(ASIO_HAS_IO_URING)
// Two corrections to Asio 1.22's io_uring backend, made where its code is compiled.
//
// 1. Asio 1.22's io_uring backend fills its cancel and timeout-remove requests into a reused submission
// slot without setting the slot's user data, so the kernel's answer to the cancel was delivered to
// whichever operation had used that slot one ring-length (16384 submissions) earlier. That operation
// then completed without its event: a wait on an idle descriptor returned ready, a pidfd poll failed
// with ENOENT, and a stream read saw a false end of file, while the real completion went to nobody.
// With ~1000 scripts a second (every exit cancels the output read) it happened every few seconds.
// Only this file compiles the code that fills those two requests, so it sees them through these
// macros: the same request, with null user data, which Asio's completion loop skips.
//
// 2. Asio creates every ring with a fixed 16384 submission entries (32768 completion entries):
// 1.6 MiB of ring memory per io_context, resident once used, 3.2 MiB for vigild's two loops.
// A smaller ring is enough: when the submission queue is full Asio submits and takes a fresh entry
// (io_uring_service::get_sqe), an operation in flight holds no entry, and completions that do not
// fit the completion queue wait in the kernel (IORING_FEAT_NODROP) until they are reaped. (Before
// correction 1, a small ring hung the main loop with 1000 concurrent scripts: the stale user data
// then came from recent operations, still alive, instead of long-finished ones.)
#include <liburing.h>

#include <algorithm>

#include "rt/io_uring_ring.hpp"

// NOLINTBEGIN(cppcoreguidelines-macro-usage): the only way into Asio's own calls
inline void vigil_prep_cancel_without_stale_data(io_uring_sqe* sqe, void* target, int flags) {
  ::io_uring_prep_cancel(sqe, target, flags);
  ::io_uring_sqe_set_data(sqe, nullptr);
}
inline void vigil_prep_timeout_remove_without_stale_data(io_uring_sqe* sqe, __u64 target, unsigned flags) {
  ::io_uring_prep_timeout_remove(sqe, target, flags);
  ::io_uring_sqe_set_data(sqe, nullptr);
}
inline int vigil_queue_init_capped(unsigned entries, io_uring* ring, unsigned flags) {
  return ::io_uring_queue_init(std::min(entries, vigil::rt::kIoUringEntries), ring, flags);
}
#define io_uring_prep_cancel vigil_prep_cancel_without_stale_data
#define io_uring_prep_timeout_remove vigil_prep_timeout_remove_without_stale_data
#define io_uring_queue_init vigil_queue_init_capped
// NOLINTEND(cppcoreguidelines-macro-usage)
#endif

#include <asio/impl/src.hpp>
