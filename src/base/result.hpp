#pragma once
#include <tl/expected.hpp>

#include "base/error.hpp"

namespace vigil {

// tl::expected keeps std::expected's spelling, so C++23 changes only this alias.
template <class T>
using Result = tl::expected<T, Error>;

using tl::unexpected;

inline unexpected<Error> fail(Error error) { return unexpected<Error>(std::move(error)); }

}  // namespace vigil
