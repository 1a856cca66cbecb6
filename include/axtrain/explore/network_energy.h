// Energy per inference of a whole network (SPEC 2.5): the layer shapes of train/models.cpp, counted without
// libtorch, and per-layer hardware (a multiplier and an SRAM voltage for each approximate layer).
// All energies are in pJ per inference, voltages in volts.
#pragma once

#include "axtrain/hw/energy.h"
#include "axtrain/hw/multiplier.h"

#include <cstdint>
#include <string>
#include <vector>

namespace axtrain {

// Shape of a network for energy purposes; matches train/models.cpp (ModelSpec without the activation):
//   "mlp":   flatten the input, then one Linear per size in `hidden`, then Linear -> outputs.
//   "lenet": input {C, 28, 28}: conv C->6 5x5 pad 2, maxpool 2, conv 6->16 5x5, maxpool 2, fc 400-120-84-outputs.
// Only the approximate layers (Linear, Conv2d) cost energy; activations and pooling are not counted.
struct NetworkShape {
  std::string kind = "mlp";            // "mlp" | "lenet"
  std::vector<int64_t> input_shape;    // per-sample shape, e.g. {1, 28, 28} or {784}; every entry >= 1
  std::vector<int64_t> hidden;         // MLP hidden sizes, each >= 1 (ignored by lenet)
  int64_t outputs = 10;                // classes or regression targets, >= 1
};

// One LayerWork per approximate layer, in forward order (layer i = ApproxNet::approx_layers()[i]); built with
// dense_layer_work / conv2d_layer_work. Throws axtrain::Error for an unknown kind, a size < 1, a size that does
// not fit int, or lenet on an input that is not {C, 28, 28}.
std::vector<LayerWork> network_work(const NetworkShape& shape);

// Hardware of one approximate layer: its multiplier and the SRAM supply voltage (V) of its weights and
// activations.
struct LayerHardware {
  Multiplier multiplier;
  double voltage;
};

// Sum over the approximate layers of energy_per_inference(layer i, hardware[i]) in pJ. `hardware` has one
// entry per approximate layer, or exactly one entry that applies to every layer; any other size throws
// axtrain::Error. Also throws for a bad shape or voltage, or a lut: multiplier without an energy override.
EnergyBreakdown network_energy(const NetworkShape& shape, const std::vector<LayerHardware>& hardware,
                               const EnergyParams& params);

}  // namespace axtrain
