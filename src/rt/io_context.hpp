#pragma once
// The daemon's one io_context: single-threaded, on the backend chosen at build time.
#include <asio/io_context.hpp>
#include <memory>
#include <string_view>

#include "base/result.hpp"

namespace vigil::rt {

// "io_uring" or "epoll": fixed at compile time (CMake option VIGIL_IO_URING), Asio has no runtime fallback.
[[nodiscard]] std::string_view backend_name() noexcept;

// A single-threaded io_context (concurrency hint 1: one submission/completion queue, no locking).
// On the io_uring build, a host that forbids io_uring (sysctl kernel.io_uring_disabled, a seccomp
// profile) makes Asio's constructor throw; that becomes an Error telling the user how to rebuild.
[[nodiscard]] Result<std::unique_ptr<asio::io_context>> make_io_context();

}  // namespace vigil::rt
