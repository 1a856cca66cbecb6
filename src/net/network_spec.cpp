#include "axtrain/net/network_spec.h"

#include "axtrain/util/check.h"

#include <fmt/ranges.h>

#include <limits>

#include <unistd.h>

namespace axtrain {
namespace {

int as_int(int64_t value, const char* what) {
  AXT_CHECK(value >= 1 && value <= std::numeric_limits<int>::max(),
            "network {} is {}; it must be between 1 and {}; fix the model or dataset shape", what, value,
            std::numeric_limits<int>::max());
  return static_cast<int>(value);
}

std::vector<LayerShape> mlp_layers(const NetworkSpec& spec) {
  AXT_CHECK(!spec.input_shape.empty(), "network mlp has an empty input shape; give the per-sample shape, e.g. {{784}}");
  int64_t in = 1;
  for (int64_t d : spec.input_shape) {
    AXT_CHECK(d >= 1, "network input shape {} has a dimension {}; every dimension must be >= 1",
              fmt::join(spec.input_shape, "x"), d);
    AXT_CHECK(in <= std::numeric_limits<int>::max() / d,
              "network input shape {} has more than {} values; use a smaller input", fmt::join(spec.input_shape, "x"),
              std::numeric_limits<int>::max());
    in *= d;
  }
  std::vector<int64_t> sizes = spec.hidden;
  sizes.push_back(spec.outputs);
  std::vector<LayerShape> layers;
  int prev = as_int(in, "input size");
  for (int64_t size : sizes) {
    const int out = as_int(size, "layer size");
    layers.push_back({.in = prev, .out = out});
    prev = out;
  }
  return layers;
}

std::vector<LayerShape> lenet_layers(const NetworkSpec& spec) {
  AXT_CHECK(spec.input_shape.size() == 3 && spec.input_shape[1] == 28 && spec.input_shape[2] == 28,
            "network lenet needs image inputs of shape {{C, 28, 28}}; this dataset's samples have shape {}; use "
            "network = \"mlp\"",
            spec.input_shape.empty() ? "(none)" : fmt::format("{}", fmt::join(spec.input_shape, "x")));
  const int channels = as_int(spec.input_shape[0], "input channels");
  const int outputs = as_int(spec.outputs, "outputs");
  return {{.conv = true, .in = channels, .out = 6, .kernel = 5, .padding = 2, .height = 28, .width = 28},
          // maxpool 2 -> 6x14x14
          {.conv = true, .in = 6, .out = 16, .kernel = 5, .height = 14, .width = 14},
          // -> 16x10x10, maxpool 2 -> 16x5x5, flatten
          {.in = 16 * 5 * 5, .out = 120},
          {.in = 120, .out = 84},
          {.in = 84, .out = outputs}};
}

}  // namespace

std::vector<LayerShape> approximate_layers(const NetworkSpec& spec) {
  return spec.kind == Network::kLenet ? lenet_layers(spec) : mlp_layers(spec);
}

MemoryEstimate training_memory(const NetworkSpec& spec, int64_t batch_size) {
  constexpr double kBytesPerParameter = 48, kBytesPerActivation = 64;
  MemoryEstimate m;
  for (const LayerShape& l : approximate_layers(spec)) {
    const double in = static_cast<double>(l.in), out = static_cast<double>(l.out);
    const double k = static_cast<double>(l.kernel), area = static_cast<double>(l.height) * l.width;
    m.parameters += in * out * k * k + out;
    m.activations += static_cast<double>(batch_size) * (in + out) * (l.conv ? area : 1);
  }
  m.bytes = kBytesPerParameter * m.parameters + kBytesPerActivation * m.activations;
  return m;
}

void check_training_memory(const NetworkSpec& spec, int64_t batch_size, double available_bytes) {
  if (available_bytes <= 0)
    available_bytes = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  const MemoryEstimate m = training_memory(spec, batch_size);
  AXT_CHECK(m.bytes <= available_bytes,
            "training this network needs about {:.1f} GB ({:.3g} parameters, {:.3g} activation values per batch of "
            "{}), more than this machine's {:.1f} GB of memory; use smaller hidden sizes or batch_size",
            m.bytes / 1e9, m.parameters, m.activations, batch_size, available_bytes / 1e9);
}

}  // namespace axtrain
