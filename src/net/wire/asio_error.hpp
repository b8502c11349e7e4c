#pragma once
// Asio reports errno values in its own "asio.system" category, which compares equal to nothing in
// std::errc. Callers test our errors against std::errc (operation_canceled after cancel(), ...),
// so the wire drivers move them to the generic category.
#include <asio/error.hpp>
#include <string>
#include <system_error>

#include "base/error.hpp"

namespace vigil::net::wire {

inline Error asio_error(std::error_code ec, std::string message) {
  if (ec.category() == asio::error::get_system_category()) ec = std::error_code(ec.value(), std::generic_category());
  return make_error(ec, std::move(message));
}

}  // namespace vigil::net::wire
