// A network as an ordered list of layers, without libtorch: the layer kinds accelerators run, a compact text
// form (the `network` key and flag, and the echo of a run's config), and the plan: every layer with its
// per-sample input and output shapes, parameters and multiply-accumulates, inferred from the input shape.
// The model (train/models.h), the energy model and the summary are all built from one plan.
//
// Text form: layers separated by spaces, arguments in parentheses (positional first, then key=value):
//   conv(16, 3, stride=1, pad=1, groups=1, bias=true)   2-D convolution: out channels, square kernel
//   linear(120, bias=true)  or  linear                  fully connected; no size = the dataset's outputs
//   maxpool(2, stride=2)  avgpool(2, stride=2)  gap     pooling; stride defaults to the kernel; gap = global average
//   bn                                                  batch normalisation, folded into the conv or linear before it
//   relu  relu6  tanh  sigmoid  flatten  dropout(0.5)
//   res(conv(16,3,pad=1) bn relu conv(16,3,pad=1) bn)   residual block: body(x) + x, or + a 1x1 conv of x
//                                                       (stride and channels of the body) where shapes differ
//   res(conv(32,3,stride=2,pad=1) bn | conv(32,1,stride=2) bn)   ... + an explicit shortcut branch
//   name=NAME (conv, linear, bn)                        the layer's parameter name (letters, digits, _)
// Example: "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten linear(120) relu linear"
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

enum class LayerKind {
  kConv2d,
  kLinear,
  kMaxPool,
  kAvgPool,
  kGlobalAvgPool,
  kBatchNorm,
  kRelu,
  kRelu6,
  kTanh,
  kSigmoid,
  kFlatten,
  kDropout,
  kResidual
};

// One layer as written. Sizes the text leaves out keep these defaults.
struct LayerSpec {
  LayerKind kind = LayerKind::kRelu;
  int64_t out = 0;                // conv: out channels (>= 1); linear: features, 0 = the network's outputs
  int64_t kernel = 1;             // conv and pools: square kernel
  int64_t stride = 0;             // conv: 0 = 1; pools: 0 = the kernel
  int64_t padding = 0;            // conv and pools
  int64_t groups = 1;             // conv: channel groups (in and out channels divisible by it; = channels: depthwise)
  bool bias = true;               // conv and linear
  double p = 0.5;                 // dropout probability, [0, 1)
  std::string name{};             // conv, linear, bn: the parameters' name; "" = kind and count (conv1, fc1, bn1)
  std::vector<LayerSpec> body{};  // residual: the branch
  std::vector<LayerSpec> shortcut{};  // residual: the other branch; empty = x, or a 1x1 conv where shapes differ

  bool operator==(const LayerSpec&) const = default;
};

// Parses the text form. Throws axtrain::Error naming the layer (position and text), the rule and the fix.
std::vector<LayerSpec> parse_layers(std::string_view text);
// The text form of `layers`; parse_layers(layers_text(l)) == l.
std::string layers_text(const std::vector<LayerSpec>& layers);
std::string layer_text(const LayerSpec& layer);

// A layer with its shapes: what the model builds, the energy model counts and the summary prints.
struct PlannedLayer {
  LayerSpec spec;                        // with out, stride and name resolved
  std::vector<int64_t> in, out;          // per-sample shapes: {features} or {C, H, W}
  int64_t parameters = 0;                // weights and biases (bn: scale and shift)
  int64_t macs = 0;                      // multiply-accumulates per sample
  std::vector<PlannedLayer> body{};      // residual: the branch
  std::vector<PlannedLayer> shortcut{};  // residual: the spec's shortcut, a 1x1 conv where shapes differ, or empty (x)
  bool approximate() const { return spec.kind == LayerKind::kConv2d || spec.kind == LayerKind::kLinear; }
};

// Infers every shape from the per-sample input shape and checks each layer against its input: conv and
// pools need {C, H, W}, linear needs {features} (flatten first), bn follows a conv or linear, the last
// layer's output is {outputs}. Throws axtrain::Error naming the layer, the shape it gets and the fix.
std::vector<PlannedLayer> plan_layers(const std::vector<LayerSpec>& layers, const std::vector<int64_t>& input_shape,
                                      int64_t outputs);

// The approximate (conv and linear) layers of a plan in forward order: a residual's body, then its shortcut.
std::vector<const PlannedLayer*> approximate_layers_of(const std::vector<PlannedLayer>& plan);

// A table of layers, output shapes, parameters and MACs with totals, for `train --summary`.
std::string plan_summary(const std::vector<PlannedLayer>& plan, const std::vector<int64_t>& input_shape);

}  // namespace axtrain
