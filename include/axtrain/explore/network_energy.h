// Energy per inference of a whole network (SPEC 2.5): the layer shapes of net/network_spec.h and per-layer
// hardware (a multiplier and an SRAM voltage for each approximate layer).
// All energies are in pJ per inference, voltages in volts.
#pragma once

#include "axtrain/hw/energy.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/net/network_spec.h"

#include <cstdint>
#include <string>
#include <vector>

namespace axtrain {

// One LayerWork per approximate layer, in forward order (layer i = ApproxNet::approx_layers()[i]): the shapes
// of approximate_layers(spec) as dense_layer_work / conv2d_layer_work. Only the approximate layers (linear,
// conv2d) cost energy; activations and pooling are not counted. Throws as approximate_layers does.
std::vector<LayerWork> network_work(const NetworkSpec& spec);

// Hardware of one approximate layer: its multiplier and the SRAM supply voltage (V) of its weights and
// activations.
struct LayerHardware {
  Multiplier multiplier;
  double voltage;
};

// Sum over the approximate layers of energy_per_inference(layer i, hardware[i]) in pJ. `hardware` has one
// entry per approximate layer, or exactly one entry that applies to every layer; any other size throws
// axtrain::Error. Also throws for a bad shape or voltage, or a lut: multiplier without an energy override.
EnergyBreakdown network_energy(const NetworkSpec& spec, const std::vector<LayerHardware>& hardware,
                               const EnergyParams& params);

// energy_saving of `energy` against `spec` on the exact multiplier with the SRAM at nominal voltage.
double saving_against_exact(const NetworkSpec& spec, const EnergyBreakdown& energy, const EnergyParams& params);

// The energy of a network whose layers all run on one hardware, and what it saves.
struct NetworkEnergy {
  EnergyBreakdown energy;   // pJ per inference
  double saving = 0;        // energy_saving against the exact multiplier at nominal voltage
  std::string_view source;  // multiply_energy_source of the multiplier
};
// Every approximate layer on `multiplier` with the SRAM at `voltage` (V). Throws as network_energy does.
NetworkEnergy uniform_network_energy(const NetworkSpec& spec, const Multiplier& multiplier, double voltage,
                                     const EnergyParams& params);

}  // namespace axtrain
