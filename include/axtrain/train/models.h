// Networks built from approximate layers: an MLP and a LeNet-5-style CNN (SPEC 3), from a NetworkSpec
// (net/network_spec.h), whose approximate_layers() give every layer's shape.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/net/network_spec.h"
#include "axtrain/train/approx_layers.h"
#include "axtrain/train/hardware_state.h"
#include "axtrain/train/tensor_data.h"

#include <torch/nn/module.h>

#include <memory>
#include <vector>

namespace axtrain {

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
  const NetworkSpec& spec() const { return spec_; }

 protected:
  friend std::shared_ptr<ApproxNet> make_model(const NetworkSpec& spec);
  torch::Tensor activate(const torch::Tensor& x) const;

  NetworkSpec spec_;
  std::vector<ApproxLayer*> layers_;
};

// Builds the network; throws axtrain::Error for a shape the network cannot take (approximate_layers).
std::shared_ptr<ApproxNet> make_model(const NetworkSpec& spec);

// The network the configuration describes for this data. Throws axtrain::Error when its training would not
// fit in this machine's memory (check_training_memory).
NetworkSpec network_spec(const TrainConfig& config, const PreparedData& data);

// An independent copy of `net` for inference on another thread: same spec, parameters, buffers (input
// ranges) and calibrated bias corrections; no hardware set, training mode off.
std::shared_ptr<ApproxNet> replicate_model(const ApproxNet& net);

}  // namespace axtrain
