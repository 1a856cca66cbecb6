// A hardware section of the configuration ([hardware.train], [hardware.eval], or one point of a sweep)
// resolved once into what the layers and the energy model need: the multiplier (its table and error
// decomposition computed), the memory fault model and the SRAM voltage (SPEC 2.2, 2.4, 2.5).
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/hw/ber_curve.h"
#include "axtrain/hw/memory_faults.h"
#include "axtrain/hw/multiplier.h"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace axtrain {

struct ResolvedHardware {
  Multiplier multiplier;
  MemorySetting memory_setting;        // as parsed from the section's memory text
  MemoryFaultModel memory;             // all-zero probabilities for memory "none"
  std::optional<double> sram_voltage;  // V: the setting's voltage, or the curve's voltage for a BER inside the
                                       // curve; nullopt = the energy model's nominal voltage
  Faults faults = Faults::kTransient;
  MemoryScope memory_scope = MemoryScope::kWeights;
};

// Resolves sections and caches what is costly by its text: multipliers by spec (so a lut: file is read, and
// a table tabulated and decomposed, once) and BER curves by path. One resolver lives as long as a run.
// Not thread-safe.
class HardwareResolver {
 public:
  // Throws axtrain::Error for a bad multiplier spec or memory setting, an unreadable curve, a voltage below
  // the curve, or an invalid resulting fault model.
  ResolvedHardware resolve(const HardwareConfig& section);
  Multiplier multiplier(std::string_view spec);
  const BerCurve& curve(const std::string& path);  // "" = BerCurve::default_curve()

 private:
  std::map<std::string, Multiplier, std::less<>> multipliers_;
  std::map<std::string, BerCurve> curves_;
};

// The fault model of a section: the BER is the setting's own or, for a voltage, the BER(V) curve's
// (ber_curve, or the built-in curve when empty); p01/p10 >= 0 override it per direction; protect masks bits.
// memory "none" gives all-zero probabilities (p01/p10/protect are then ignored). Throws as resolve() does.
MemoryFaultModel memory_fault_model(const HardwareConfig& section);

}  // namespace axtrain
