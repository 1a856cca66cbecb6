// The network a run trains, without libtorch: its kind, sizes and activation, and the shapes of its
// approximate layers. The model (train/models.h) and the energy model (explore/network_energy.h) are both
// built from approximate_layers(), so a topology is written once.
#pragma once

#include "axtrain/net/layer_graph.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

enum class Activation { kRelu, kTanh, kSigmoid };
inline constexpr std::array<std::string_view, 3> kActivationNames = {"relu", "tanh", "sigmoid"};
constexpr std::span<const std::string_view> choice_names(Activation) {
  return kActivationNames;
}

// The built-in networks, each a layer list (network_layers gives it):
//   mlp:     flatten, one linear layer per size in `hidden` with the activation, then linear to `outputs`.
//   lenet:   input {C, H, W}, H and W >= 12: conv C->6 5x5 pad 2, maxpool 2, conv 6->16 5x5, maxpool 2, then fc
//            (16 h w)-120-84-outputs, with h = (H/2 - 4)/2 (rounded down at each step), w likewise: 400 for 28 x 28.
//   resnet8: He et al.'s CIFAR ResNet with one basic block per stage (8 weight layers, 16-32-64 channels, batch
//            normalisation, 1x1 projections where a stage halves the image), global average pooling, linear.
//   vgg8:    three stages of two 3x3 convolutions with batch normalisation (32, 64, 128 channels), each followed
//            by 2x2 max pooling, then linear(256), dropout(0.5), linear.
inline constexpr std::array<std::string_view, 4> kNetworkPresets = {"mlp", "lenet", "resnet8", "vgg8"};

// Example: NetworkSpec{.network = "mlp", .input_shape = {1, 28, 28}, .hidden = {256, 256}, .outputs = 10}
struct NetworkSpec {
  std::string network = "mlp";                // a preset name or a layer list in the text form (layer_graph.h)
  std::vector<int64_t> input_shape;           // per-sample shape, e.g. {1, 28, 28} or {6}; every entry >= 1
  std::vector<int64_t> hidden = {256, 256};   // mlp's hidden sizes, each >= 1 (ignored by the other networks)
  int64_t outputs = 10;                       // classes or regression targets, >= 1
  Activation activation = Activation::kRelu;  // the presets' hidden activation (a layer list writes its own)
  std::string torchscript{};  // the TorchScript file the layer list was read from, its starting weights; "" = none
};

// Throws axtrain::Error unless `network` is a preset name, a layer list that parses, or torchscript:PATH (read
// by train/torchscript_model.h).
void check_network_text(const std::string& network);
// The PATH of network = "torchscript:PATH"; "" for every other network.
inline constexpr std::string_view kTorchScriptPrefix = "torchscript:";
inline std::string torchscript_path(const std::string& network) {
  return network.starts_with(kTorchScriptPrefix) ? network.substr(kTorchScriptPrefix.size()) : std::string();
}
// The layers of spec.network: the preset's, or the parsed list.
std::vector<LayerSpec> network_layers(const NetworkSpec& spec);
// The plan of network_layers(spec) on spec.input_shape (plan_layers). Throws axtrain::Error for a shape the
// network cannot take, naming the layer (lenet: the image layouts it needs).
std::vector<PlannedLayer> network_plan(const NetworkSpec& spec);
// "mlp (hidden 256,256)", "lenet", or the layer list, for messages.
std::string network_name(const NetworkSpec& spec);

// One approximate layer (linear or 2-D convolution with square kernels), as the hardware sees it.
struct LayerShape {
  bool conv = false;
  int in = 0;                 // input features, or input channels
  int out = 0;                // output features, or output channels
  int kernel = 1;             // conv only
  int stride = 1;             // conv only
  int padding = 0;            // conv only
  int groups = 1;             // conv only
  int height = 1, width = 1;  // conv only: the input's spatial size
};

// The approximate layers in forward order (layer i = ApproxNet::approx_layers()[i]). Throws as network_plan.
std::vector<LayerShape> approximate_layers(const NetworkSpec& spec);

// An estimate of the peak memory of training `spec` on batches of `batch_size`, checked before anything is
// allocated: 48 bytes per parameter (float weight, gradient, two Adam moments, int8 codes, float64 copies of
// the decomposed GEMM, the act term's second-order graph) and 64 bytes per activation value of a batch. It
// matches the measured peak of axtrain training within 10 % (docs/runs.md); the dataset comes on top.
struct MemoryEstimate {
  double parameters = 0;   // weights and biases
  double activations = 0;  // layer inputs and outputs per batch
  double bytes = 0;
};
MemoryEstimate training_memory(const NetworkSpec& spec, int64_t batch_size);

// Throws axtrain::Error naming the estimate, the machine's memory and the fix when training_memory() exceeds
// `available_bytes` (default: this machine's physical memory).
void check_training_memory(const NetworkSpec& spec, int64_t batch_size, double available_bytes = 0);

}  // namespace axtrain
