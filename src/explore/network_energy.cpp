#include "axtrain/explore/network_energy.h"

#include "axtrain/util/check.h"

#include "axtrain/util/fields.h"

#include <span>

namespace axtrain {
namespace {

// A convolution of g groups is g convolutions of in/g to out/g channels on the same image.
LayerWork grouped_conv_work(const LayerShape& l) {
  LayerWork w = conv2d_layer_work(l.in / l.groups, l.out / l.groups, l.height, l.width, l.kernel, l.stride, l.padding);
  w.macs *= l.groups;
  w.weight_reads *= l.groups;
  w.activation_reads *= l.groups;
  w.activation_writes *= l.groups;
  return w;
}

}  // namespace

std::vector<LayerWork> network_work(const NetworkSpec& spec) {
  std::vector<LayerWork> work;
  for (const LayerShape& l : approximate_layers(spec))
    work.push_back(l.conv ? grouped_conv_work(l) : dense_layer_work(l.in, l.out));
  return work;
}

EnergyBreakdown network_energy(const NetworkSpec& spec, const std::vector<LayerHardware>& hardware,
                               const EnergyParams& params) {
  const std::vector<LayerWork> work = network_work(spec);
  AXT_CHECK(hardware.size() == 1 || hardware.size() == work.size(),
            "per-layer hardware lists {} entries but network {} has {} approximate layers; give one entry for "
            "every layer, or a single entry for all of them",
            hardware.size(), network_name(spec), work.size());
  EnergyBreakdown total;
  for (std::size_t i = 0; i < work.size(); ++i) {
    const LayerHardware& hw = hardware.size() == 1 ? hardware[0] : hardware[i];
    EnergyBreakdown e;
    try {
      e = energy_per_inference(std::span<const LayerWork>(&work[i], 1), hw.multiplier, hw.voltage, params);
    } catch (const Error& error) {
      AXT_FAIL("approximate layer {} of network {}: {}", i, network_name(spec), error.what());
    }
    total.multiply_pj += e.multiply_pj;
    total.accumulate_pj += e.accumulate_pj;
    total.mac_pj += e.mac_pj;
    total.sram_pj += e.sram_pj;
  }
  total.total_pj = total.mac_pj + total.sram_pj;
  return total;
}

double saving_against_exact(const NetworkSpec& spec, const EnergyBreakdown& energy, const EnergyParams& params) {
  static const Multiplier exact = Multiplier::parse("exact");
  return energy_saving(energy, network_energy(spec, {{exact, params.nominal_voltage}}, params));
}

NetworkEnergy uniform_network_energy(const NetworkSpec& spec, const Multiplier& multiplier, double voltage,
                                     const EnergyParams& params) {
  NetworkEnergy result;
  result.energy = network_energy(spec, {{multiplier, voltage}}, params);
  result.saving = saving_against_exact(spec, result.energy, params);
  result.source = multiply_energy_source(multiplier, params);
  return result;
}

}  // namespace axtrain
