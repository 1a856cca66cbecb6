#include "axtrain/explore/network_energy.h"

#include "axtrain/util/check.h"

#include <fmt/ranges.h>

#include <limits>
#include <span>

namespace axtrain {
namespace {

int as_int(int64_t value, const char* what) {
  AXT_CHECK(value >= 1 && value <= std::numeric_limits<int>::max(),
            "network {} is {}; it must be between 1 and {}; fix the model or dataset shape", what, value,
            std::numeric_limits<int>::max());
  return static_cast<int>(value);
}

std::vector<LayerWork> mlp_work(const NetworkShape& shape) {
  AXT_CHECK(!shape.input_shape.empty(), "network mlp has an empty input shape; give the per-sample shape, e.g. {{784}}");
  int64_t in = 1;
  for (int64_t d : shape.input_shape) {
    AXT_CHECK(d >= 1, "network input shape {} has a dimension {}; every dimension must be >= 1",
              fmt::join(shape.input_shape, "x"), d);
    AXT_CHECK(in <= std::numeric_limits<int>::max() / d,
              "network input shape {} has more than {} values; use a smaller input", fmt::join(shape.input_shape, "x"),
              std::numeric_limits<int>::max());
    in *= d;
  }
  std::vector<int64_t> sizes = shape.hidden;
  sizes.push_back(shape.outputs);
  std::vector<LayerWork> work;
  int prev = as_int(in, "input size");
  for (int64_t size : sizes) {
    const int out = as_int(size, "layer size");
    work.push_back(dense_layer_work(prev, out));
    prev = out;
  }
  return work;
}

std::vector<LayerWork> lenet_work(const NetworkShape& shape) {
  AXT_CHECK(shape.input_shape.size() == 3 && shape.input_shape[1] == 28 && shape.input_shape[2] == 28,
            "network lenet needs image inputs of shape {{C, 28, 28}}, not {{{}}}; use kind \"mlp\"",
            fmt::join(shape.input_shape, ", "));
  const int channels = as_int(shape.input_shape[0], "input channels");
  const int outputs = as_int(shape.outputs, "outputs");
  return {conv2d_layer_work(channels, 6, 28, 28, 5, 1, 2),  // -> 6x28x28, maxpool -> 6x14x14
          conv2d_layer_work(6, 16, 14, 14, 5),              // -> 16x10x10, maxpool -> 16x5x5
          dense_layer_work(16 * 5 * 5, 120), dense_layer_work(120, 84), dense_layer_work(84, outputs)};
}

}  // namespace

std::vector<LayerWork> network_work(const NetworkShape& shape) {
  if (shape.kind == "mlp") return mlp_work(shape);
  if (shape.kind == "lenet") return lenet_work(shape);
  AXT_FAIL("network kind \"{}\" is unknown; use \"mlp\" or \"lenet\"", shape.kind);
}

EnergyBreakdown network_energy(const NetworkShape& shape, const std::vector<LayerHardware>& hardware,
                               const EnergyParams& params) {
  const std::vector<LayerWork> work = network_work(shape);
  AXT_CHECK(hardware.size() == 1 || hardware.size() == work.size(),
            "per-layer hardware lists {} entries but network {} has {} approximate layers; give one entry for "
            "every layer, or a single entry for all of them",
            hardware.size(), shape.kind, work.size());
  EnergyBreakdown total;
  for (std::size_t i = 0; i < work.size(); ++i) {
    const LayerHardware& hw = hardware.size() == 1 ? hardware[0] : hardware[i];
    EnergyBreakdown e;
    try {
      e = energy_per_inference(std::span<const LayerWork>(&work[i], 1), hw.multiplier, hw.voltage, params);
    } catch (const Error& error) {
      AXT_FAIL("approximate layer {} of network {}: {}", i, shape.kind, error.what());
    }
    total.mac_pj += e.mac_pj;
    total.sram_pj += e.sram_pj;
  }
  total.total_pj = total.mac_pj + total.sram_pj;
  return total;
}

}  // namespace axtrain
