// The energy model's parameters as configuration: the [energy] section (one key, and one flag --energy-<key>,
// per scalar field of EnergyParams, from energy_fields()) and the table [energy.multiply_pj] of per-multiplier
// energies keyed by spec (flag --energy-multiply_pj SPEC=PJ, repeatable). Example:
//   [energy]
//   sram_read_pj = 1.5
//   [energy.multiply_pj]
//   "lut:tables/my.bin" = 0.21
#pragma once

#include "axtrain/hw/energy.h"
#include "axtrain/util/fields.h"

#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

inline constexpr std::string_view kEnergySection = "energy";
inline constexpr std::string_view kMultiplyEnergySection = "energy.multiply_pj";

// The scalar fields of EnergyParams as config fields: the names, help (with the unit) and ranges of
// energy_fields().
const std::vector<Field<EnergyParams>>& energy_config_fields();

// Parses one flag value "SPEC=PJ" (split at the last '=') into params.multiply_pj. Throws axtrain::Error
// naming the value, the form and the rule (a finite number of pJ >= 0).
void set_multiply_energy(EnergyParams& params, std::string_view spec_equals_pj);

// Checks every field (check_value's message, naming the key and the flag) and every per-multiplier energy.
void validate_energy(const EnergyParams& params);

// The [energy] section and, when any per-multiplier energy is set, the [energy.multiply_pj] table, as TOML.
std::string energy_toml(const EnergyParams& params);

// The first key that differs, as "energy.key = A (here) vs B (there)", or "".
std::string energy_difference(const EnergyParams& a, const EnergyParams& b);

}  // namespace axtrain
