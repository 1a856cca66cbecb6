#include "axtrain/train/hardware_state.h"

#include "axtrain/util/rng.h"

namespace axtrain {

std::uint64_t HardwareState::fault_key(int layer_id, int tensor) const {
  const std::uint64_t when = persistent_faults ? 0 : step + 1;
  return derive_key({seed, static_cast<std::uint64_t>(layer_id), static_cast<std::uint64_t>(tensor), trial, when});
}

namespace {

const std::shared_ptr<const ApproxMatmul>& shared_exact_matmul() {
  static const auto exact = std::make_shared<const ApproxMatmul>(Multiplier::parse("exact"));
  return exact;
}

}  // namespace

const ApproxMatmul& exact_matmul() {
  return *shared_exact_matmul();
}

HardwareState HardwareState::exact(std::uint64_t seed) {
  HardwareState hw;
  hw.mode = ForwardMode::kEmulate;
  hw.matmul = shared_exact_matmul();
  hw.seed = seed;
  return hw;
}

HardwareState HardwareState::emulate(const Multiplier& multiplier, const MemoryFaultModel& memory, std::uint64_t seed) {
  HardwareState hw;
  hw.mode = ForwardMode::kEmulate;
  hw.matmul = std::make_shared<const ApproxMatmul>(multiplier);
  hw.memory = memory;
  hw.seed = seed;
  return hw;
}

HardwareState HardwareState::emulate(const ResolvedHardware& hardware, std::uint64_t seed) {
  HardwareState hw = emulate(hardware.multiplier, hardware.memory, seed);
  hw.persistent_faults = hardware.faults == Faults::kPersistent;
  hw.faults_on_activations = hardware.memory_scope == MemoryScope::kWeightsAndActivations;
  return hw;
}

double memory_code_variance(const MemoryFaultModel& memory) {
  const double p = (memory.p01 + memory.p10) / 2;
  double variance = 0;
  for (int b = 0; b < 8; ++b)
    if (!((memory.protected_bits >> b) & 1)) variance += p * static_cast<double>(1u << (2 * b));
  return variance;
}

}  // namespace axtrain
