// The network a run trains, built from its plan (net/layer_graph.h): approximate conv and linear layers,
// batch normalisation folded into the layer before it, pooling, activations, dropout and residual blocks.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/net/network_spec.h"
#include "axtrain/train/approx_layers.h"
#include "axtrain/train/hardware_state.h"
#include "axtrain/train/tensor_data.h"

#include <torch/nn/module.h>
#include <torch/nn/modules/batchnorm.h>

#include <memory>
#include <vector>

namespace axtrain {

class ApproxNet : public torch::nn::Module {
 public:
  // x: {N, input_shape...} -> {N, outputs}
  torch::Tensor forward(const torch::Tensor& x);
  // The approximate layers in forward order; layer ids are their positions.
  const std::vector<ApproxLayer*>& approx_layers() const { return layers_; }
  // Points every layer at `hw` (shared: changing it changes what the whole model runs on).
  void set_hardware(const std::shared_ptr<HardwareState>& hw);
  // Per-layer hardware: one state per approximate layer, or one for all. Throws axtrain::Error otherwise.
  void set_layer_hardware(const std::vector<std::shared_ptr<HardwareState>>& per_layer);
  void set_recording(bool on);
  const NetworkSpec& spec() const { return spec_; }

 private:
  // One planned layer and the modules it owns (a residual block: its branches).
  struct Step {
    LayerSpec spec;
    ApproxLinear linear{nullptr};
    ApproxConv2d conv{nullptr};
    torch::nn::BatchNorm2d norm{nullptr};  // a bn folded into this conv or linear (BatchNorm2d's state for both)
    std::vector<Step> body{}, shortcut{};
  };
  friend std::shared_ptr<ApproxNet> make_model(const NetworkSpec& spec);
  friend std::shared_ptr<ApproxNet> replicate_model(const ApproxNet& net);
  std::vector<Step> build(const std::vector<PlannedLayer>& plan);
  torch::Tensor run(std::vector<Step>& steps, torch::Tensor h);
  torch::Tensor run_weights(Step& step, const torch::Tensor& x);

  NetworkSpec spec_;
  std::vector<Step> steps_;
  std::vector<ApproxLayer*> layers_;
};

// Builds the network; throws axtrain::Error for a shape the network cannot take (network_plan).
std::shared_ptr<ApproxNet> make_model(const NetworkSpec& spec);

// The network the configuration describes for this data. Throws axtrain::Error when its training would not
// fit in this machine's memory (check_training_memory).
NetworkSpec network_spec(const TrainConfig& config, const PreparedData& data);

// An independent copy of `net` for inference on another thread: same spec, parameters, buffers (input
// ranges, batch statistics) and calibrated bias corrections; no hardware set, training mode off.
std::shared_ptr<ApproxNet> replicate_model(const ApproxNet& net);

}  // namespace axtrain
