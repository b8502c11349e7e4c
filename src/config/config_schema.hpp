#pragma once
// The schema of a whole Vigil config file (docs/config.md), as field descriptors.
#include "config/model.hpp"
#include "config/schema.hpp"

namespace vigil::config::schema {

[[nodiscard]] const ObjectSchema<Config>& config_schema();

}  // namespace vigil::config::schema
