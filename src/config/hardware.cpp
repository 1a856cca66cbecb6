#include "axtrain/config/hardware.h"

#include "axtrain/util/check.h"

namespace axtrain {
namespace {

MemoryFaultModel fault_model(const HardwareConfig& h, const MemorySetting& setting, const BerCurve& curve) {
  if (setting.kind == MemorySetting::Kind::kNone) return {};
  const double ber = setting.kind == MemorySetting::Kind::kVoltage ? curve.ber_at(setting.value) : setting.value;
  AXT_CHECK(h.protect >= 0 && h.protect <= 255, "protect = {} is not an 8-bit mask; use 0..255 (128 = the top bit)",
            h.protect);
  MemoryFaultModel model = MemoryFaultModel::symmetric(ber, static_cast<std::uint8_t>(h.protect));
  if (h.p01 != -1) model.p01 = h.p01;
  if (h.p10 != -1) model.p10 = h.p10;
  model.validate();
  return model;
}

std::optional<double> sram_voltage(const MemorySetting& setting, const BerCurve& curve) {
  if (setting.kind == MemorySetting::Kind::kVoltage) return setting.value;
  if (setting.kind == MemorySetting::Kind::kBer && setting.value <= curve.points().front().ber &&
      setting.value >= curve.points().back().ber)
    return curve.voltage_for(setting.value);
  return std::nullopt;
}

}  // namespace

Multiplier HardwareResolver::multiplier(std::string_view spec) {
  const auto it = multipliers_.find(spec);
  if (it != multipliers_.end()) return it->second;
  return multipliers_.emplace(std::string(spec), Multiplier::parse(spec)).first->second;
}

const BerCurve& HardwareResolver::curve(const std::string& path) {
  const auto it = curves_.find(path);
  if (it != curves_.end()) return it->second;
  return curves_.emplace(path, path.empty() ? BerCurve::default_curve() : BerCurve::load(path)).first->second;
}

ResolvedHardware HardwareResolver::resolve(const HardwareConfig& h) {
  const MemorySetting setting = parse_memory(h.memory);
  const BerCurve& ber_curve = curve(h.ber_curve);
  return {.multiplier = multiplier(h.multiplier),
          .memory_setting = setting,
          .memory = fault_model(h, setting, ber_curve),
          .sram_voltage = sram_voltage(setting, ber_curve),
          .faults = h.faults,
          .memory_scope = h.memory_scope};
}

MemoryFaultModel memory_fault_model(const HardwareConfig& h) {
  const MemorySetting setting = parse_memory(h.memory);
  if (setting.kind == MemorySetting::Kind::kNone) return {};
  return fault_model(h, setting, h.ber_curve.empty() ? BerCurve::default_curve() : BerCurve::load(h.ber_curve));
}

}  // namespace axtrain
