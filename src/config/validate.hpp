#pragma once
// Cross-field rules and defaults that depend on other values (docs/config.md): families,
// references between objects, version-dependent ranges, inherited defaults. Runs after binding;
// values that failed to bind are skipped, so one mistake gives one error.
#include "config/model.hpp"
#include "config/schema.hpp"

namespace vigil::config {

void resolve_and_validate(Config& config, schema::BindContext& context);

}  // namespace vigil::config
