// What the approximate layers of one model currently run on. One HardwareState is shared by every layer of
// a model; the trainer switches it between the training hardware, exact hardware and the evaluation
// hardware, and advances the step and trial counters that key the random draws.
#pragma once

#include "axtrain/config/hardware.h"
#include "axtrain/hw/memory_faults.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/train/approx_matmul.h"

#include <cstdint>
#include <memory>

namespace axtrain {

enum class ForwardMode {
  kFloat,      // plain float layers: hardware-agnostic training
  kEmulate,    // 8-bit codes, the bit-exact approximate product, memory faults on the stored codes
  kStatistic,  // 8-bit fake quantisation plus Gaussian output noise moment-matched to the hardware
};

struct HardwareState {
  ForwardMode mode = ForwardMode::kFloat;
  std::shared_ptr<const ApproxMatmul> matmul;  // the multiplier; never null outside kFloat
  MemoryFaultModel memory;                     // all-zero: no memory faults
  bool persistent_faults = false;              // one chip per trial instead of fresh faults per read
  bool faults_on_activations = false;          // memory scope: weights, or weights and activations
  bool per_channel_weights = false;            // weight quantisation per output channel
  double noise_scale = 1.0;                    // multiplies the statistic-mode noise std
  bool compensate_bias = false;                // subtract each layer's calibrated mean multiplier error
  // The backward pass is differentiated again (the sensitivity term of act and axtrain, create_graph):
  // statistic mode then keeps its surrogate as an autograd graph, whose second-order gradients a custom
  // node does not reproduce bit for bit.
  bool double_backward = false;
  std::uint64_t seed = 1;   // base of every random key
  std::uint64_t trial = 0;  // Monte Carlo trial (the chip, for persistent faults)
  std::uint64_t step = 0;   // batch counter: transient faults are redrawn per step

  bool has_memory_faults() const { return memory.p01 > 0 || memory.p10 > 0; }
  bool is_signed() const { return matmul && matmul->multiplier().is_signed(); }
  // Key of the draws of one layer's tensor at the current step (transient) or trial (persistent).
  std::uint64_t fault_key(int layer_id, int tensor) const;

  // Exact 8-bit hardware: the exact multiplier, no faults.
  static HardwareState exact(std::uint64_t seed);
  // Emulated hardware with this multiplier and memory model.
  static HardwareState emulate(const Multiplier& multiplier, const MemoryFaultModel& memory, std::uint64_t seed);
  // Emulated hardware of a resolved section (fault persistence and scope as the section says).
  static HardwareState emulate(const ResolvedHardware& hardware, std::uint64_t seed);
};

// The exact multiplier's products of unsigned codes (int8 GEMM), shared by every model.
const ApproxMatmul& exact_matmul();

// Variance of the change of one stored weight code under memory faults, in code units squared:
// sum over unprotected bits b of p_b 4^b, with p_b = (p01 + p10) / 2 (half the stored bits are 1).
double memory_code_variance(const MemoryFaultModel& memory);

}  // namespace axtrain
