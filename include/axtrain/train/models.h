// Networks built from approximate layers: an MLP and a LeNet-5-style CNN (SPEC 3).
#pragma once

#include "axtrain/train/approx_layers.h"
#include "axtrain/train/hardware_state.h"

#include <torch/nn/module.h>

#include <memory>
#include <string>
#include <vector>

namespace axtrain {

// Example: ModelSpec{.kind = "mlp", .input_shape = {1, 28, 28}, .hidden = {256, 256}, .outputs = 10}
struct ModelSpec {
  std::string kind = "mlp";            // "mlp" | "lenet"
  std::vector<int64_t> input_shape;    // per-sample shape, e.g. {1, 28, 28} or {6}
  std::vector<int64_t> hidden = {256, 256};  // MLP hidden sizes (ignored by lenet)
  int64_t outputs = 10;                // classes or regression targets
  std::string activation = "relu";     // "relu" | "tanh" | "sigmoid"
};

class ApproxNet : public torch::nn::Module {
 public:
  // x: {N, input_shape...} -> {N, outputs}
  virtual torch::Tensor forward(const torch::Tensor& x) = 0;
  // The approximate layers in forward order; layer ids are their positions.
  const std::vector<ApproxLayer*>& approx_layers() const { return layers_; }
  // Points every layer at `hw` (shared: changing it changes what the whole model runs on).
  void set_hardware(const std::shared_ptr<HardwareState>& hw);
  // Per-layer hardware: one state per approximate layer, or one for all. Throws axtrain::Error otherwise.
  void set_layer_hardware(const std::vector<std::shared_ptr<HardwareState>>& per_layer);
  void set_recording(bool on);
  const ModelSpec& spec() const { return spec_; }

 protected:
  friend std::shared_ptr<ApproxNet> make_model(const ModelSpec& spec);

// An independent copy of `net` for inference on another thread: same spec, parameters, buffers (input
// ranges) and calibrated bias corrections; no hardware set, training mode off.
std::shared_ptr<ApproxNet> replicate_model(const ApproxNet& net);
  ModelSpec spec_;
  torch::Tensor activate(const torch::Tensor& x) const;
  std::string activation_ = "relu";
  std::vector<ApproxLayer*> layers_;
};

// Builds the network; throws axtrain::Error for an unknown kind or activation or a shape lenet cannot take.
std::shared_ptr<ApproxNet> make_model(const ModelSpec& spec);

// An independent copy of `net` for inference on another thread: same spec, parameters, buffers (input
// ranges) and calibrated bias corrections; no hardware set, training mode off.
std::shared_ptr<ApproxNet> replicate_model(const ApproxNet& net);

}  // namespace axtrain
