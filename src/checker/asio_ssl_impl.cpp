// Asio's asio::ssl non-template code, compiled once (the build uses ASIO_SEPARATE_COMPILATION; the
// rest of Asio is in vigil_asio_impl). Only the checkers use TLS.
#include <asio/ssl/impl/src.hpp>
