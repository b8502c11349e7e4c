// The one translation unit that compiles Asio's non-template code (ASIO_SEPARATE_COMPILATION is
// defined for every user of vigil_asio, see cmake/VigilDependencies.cmake).
#include <asio/impl/src.hpp>
