// The one translation unit that compiles Asio's non-template code (ASIO_SEPARATE_COMPILATION is
// defined for every user of vigil_asio, see cmake/VigilDependencies.cmake).
#include <asio/impl/src.hpp>

#if defined(ASIO_HAS_IO_URING_AS_DEFAULT)
#include <liburing.h>

#include <algorithm>

#include "rt/io_uring_ring.hpp"

// Asio 1.22 creates every io_uring with a fixed 16 384 submission entries (and 32 768 completion
// entries): 1.6 MiB of ring memory per io_context, mapped and resident from the start, 3.2 MiB for
// vigild's two. Nothing in Asio overrides the size, so the link wraps liburing's initialiser
// (-Wl,--wrap=io_uring_queue_init, src/rt/CMakeLists.txt) and caps the entries here. A smaller
// ring is safe with Asio: when the submission queue is full it submits and takes a fresh entry
// (io_uring_service::get_sqe), and the kernel keeps completions that do not fit the completion
// queue (IORING_FEAT_NODROP) until they are reaped.
extern "C" int __real_io_uring_queue_init(unsigned entries, io_uring* ring, unsigned flags);  // NOLINT

extern "C" int __wrap_io_uring_queue_init(unsigned entries, io_uring* ring, unsigned flags) {  // NOLINT
  return __real_io_uring_queue_init(std::min(entries, vigil::rt::kIoUringEntries), ring, flags);
}
#endif
