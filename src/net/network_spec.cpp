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
  const std::vector<int64_t>& in = spec.input_shape;
  const std::string shape = in.empty() ? "(none)" : fmt::format("{}", fmt::join(in, "x"));
  // The layouts image arrays often come in: H x W (no channel axis) and H x W x C (channels last).
  const bool flat_image = in.size() == 2 && in[0] >= 12 && in[1] >= 12;
  const bool channels_last = in.size() == 3 && in[0] >= 12 && in[1] >= 12 && in[2] <= 4;
  const std::string hint = flat_image      ? " (one channel? add the axis: x[:, None] in NumPy)"
                           : channels_last ? " (channels last? make it C x H x W: x.transpose(0, 3, 1, 2) in NumPy)"
                                           : "";
  AXT_CHECK(in.size() == 3 && !channels_last,
            "network lenet needs image inputs of shape {{C, H, W}}; this dataset's samples have shape {}{}; or use "
            "network = \"mlp\"",
            shape, hint);
  const int channels = as_int(in[0], "input channels");
  const int height = as_int(in[1], "input height"), width = as_int(in[2], "input width");
  // conv1 (5x5, padding 2) keeps H x W, max pooling halves it, conv2 (5x5) takes 4 off, pooling halves again.
  const int h1 = height / 2, w1 = width / 2;
  AXT_CHECK(h1 >= 6 && w1 >= 6,
            "network lenet needs images of at least 12 x 12 pixels (its second convolution and pooling leave 1 x 1 "
            "of 12 x 12); this dataset's samples have shape {}; use network = \"mlp\"",
            shape);
  const int h2 = (h1 - 4) / 2, w2 = (w1 - 4) / 2;
  const int outputs = as_int(spec.outputs, "outputs");
  return {{.conv = true, .in = channels, .out = 6, .kernel = 5, .padding = 2, .height = height, .width = width},
          {.conv = true, .in = 6, .out = 16, .kernel = 5, .height = h1, .width = w1},
          {.in = as_int(int64_t{16} * h2 * w2, "lenet's first linear layer"), .out = 120},
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
