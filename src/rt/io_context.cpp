#include "rt/io_context.hpp"

#include <asio/steady_timer.hpp>
#include <system_error>

namespace vigil::rt {

std::string_view backend_name() noexcept {
#if defined(ASIO_HAS_IO_URING_AS_DEFAULT)
  return "io_uring";
#else
  return "epoll";
#endif
}

Result<std::unique_ptr<asio::io_context>> make_io_context() {
  try {
    auto context = std::make_unique<asio::io_context>(1);
    // Asio sets up its reactor (the ring) when the first I/O object needs it; make that happen
    // here, where the failure can be reported, rather than deep inside the first component.
    asio::steady_timer probe(*context);
    return context;
  } catch (const std::system_error& e) {
#if defined(ASIO_HAS_IO_URING_AS_DEFAULT)
    return fail(
        make_error(e.code(), std::string("io_uring is unavailable on this host (") + e.what() +
                                 "); it may be disabled by sysctl kernel.io_uring_disabled or a seccomp "
                                 "profile. Allow it, or rebuild Vigil on epoll with: cmake -DVIGIL_IO_URING=OFF"));
#else
    return fail(make_error(e.code(), std::string("cannot create the event loop: ") + e.what()));
#endif
  }
}

}  // namespace vigil::rt
