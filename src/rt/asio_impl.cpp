// The one translation unit that compiles Asio's non-template code (ASIO_SEPARATE_COMPILATION is
// defined for every user of vigil_asio, see cmake/VigilDependencies.cmake).

#if defined(ASIO_HAS_IO_URING)
// Asio 1.22's io_uring backend fills its cancel and timeout-remove requests into a reused submission
// slot without setting the slot's user data, so the kernel's answer to the cancel was delivered to
// whichever operation had used that slot one ring-length (16384 submissions) earlier. That operation
// then completed without its event: a wait on an idle descriptor returned ready, a pidfd poll failed
// with ENOENT, and a stream read saw a false end of file, while the real completion went to nobody.
// With ~1000 scripts a second (every exit cancels the output read) it happened every few seconds.
// Only this file compiles the code that fills those two requests, so it sees them through these
// macros: the same request, with null user data, which Asio's completion loop skips.
#include <liburing.h>

// NOLINTBEGIN(cppcoreguidelines-macro-usage): the only way into Asio's own calls
inline void vigil_prep_cancel_without_stale_data(io_uring_sqe* sqe, void* target, int flags) {
  ::io_uring_prep_cancel(sqe, target, flags);
  ::io_uring_sqe_set_data(sqe, nullptr);
}
inline void vigil_prep_timeout_remove_without_stale_data(io_uring_sqe* sqe, __u64 target, unsigned flags) {
  ::io_uring_prep_timeout_remove(sqe, target, flags);
  ::io_uring_sqe_set_data(sqe, nullptr);
}
#define io_uring_prep_cancel vigil_prep_cancel_without_stale_data
#define io_uring_prep_timeout_remove vigil_prep_timeout_remove_without_stale_data
// NOLINTEND(cppcoreguidelines-macro-usage)
#endif

#include <asio/impl/src.hpp>
