// Approximate layers in the libtorch module idiom: ApproxLinear and ApproxConv2d. Each runs on the model's
// shared HardwareState: plain float, emulated approximate hardware, or statistical noise (approx_forward.h).
// Inputs are quantised per tensor with a running range observer (updated in training mode, frozen in eval
// mode); weights per tensor or per output channel from their current values.
#pragma once

#include "axtrain/kernels/conv_rows.h"
#include "axtrain/train/approx_forward.h"
#include "axtrain/train/hardware_state.h"
#include "axtrain/train/quantization.h"

#include <torch/nn/cloneable.h>
#include <torch/nn/module.h>
#include <torch/nn/pimpl.h>
#include <torch/types.h>

#include <memory>

namespace axtrain {

// What a layer saw on its last forward while recording (for the sensitivity term, sensitivity.h).
struct LayerRecord {
  torch::Tensor input;   // the layer input x (with its autograd graph)
  torch::Tensor output;  // the pre-activation output z
  QuantParams input_quant, weight_quant;
};

// State and behaviour shared by the approximate layers; a mixin, not a module.
class ApproxLayer {
 public:
  virtual ~ApproxLayer() = default;
  void set_hardware(std::shared_ptr<HardwareState> hw, int layer_id);
  void set_recording(bool on) { recording_ = on; }
  bool recording() const { return recording_; }
  const LayerRecord& record() const { return record_; }
  int layer_id() const { return layer_id_; }
  virtual torch::Tensor weight_tensor() const = 0;  // {out, ...}: the weight the hardware sees (seen_weight)
  virtual bool is_conv() const = 0;
  virtual std::string hardware_summary() const;
  // Bias compensation (approx_forward.h): accumulate on the following forwards, then fix the correction.
  void start_bias_calibration();
  void finish_bias_calibration();
  // Takes over another layer's calibrated correction (the tensor is shared; it is only read afterwards).
  void copy_calibration_from(const ApproxLayer& other);
  // A batch normalisation folded into this layer (models.cpp), set before each forward: the layer computes
  // with the weight scaled per output channel, weight * scale, and the bias `shift` (undefined: no bias).
  // It stays set after the forward, so that weight_tensor() is the weight of the last recorded forward.
  void set_fold(torch::Tensor scale, torch::Tensor shift);
  void clear_fold();
  // True when the layer computes on emulated or statistical hardware, not in float.
  bool on_hardware() const { return hw_ && hw_->mode != ForwardMode::kFloat; }

 protected:
  // Updates the input range observer (training mode) and returns the input's quantisation.
  QuantParams observe_input(const torch::Tensor& x, torch::Tensor& range, torch::Tensor& range_set, bool training);
  QuantParams weight_quant(const torch::Tensor& w) const;
  void remember(const torch::Tensor& x, const torch::Tensor& z, const QuantParams& qx, const QuantParams& qw);
  // The weight and bias the layer computes with: its own, or the folded ones (set_fold).
  torch::Tensor seen_weight(const torch::Tensor& weight) const;
  torch::Tensor seen_bias(const torch::Tensor& bias) const { return folded_ ? fold_shift_ : bias; }

  std::shared_ptr<HardwareState> hw_;
  int layer_id_ = 0;
  std::vector<LayerRuntime> runtimes_ = std::vector<LayerRuntime>(1);  // one per group of a grouped convolution

 private:
  bool recording_ = false;
  LayerRecord record_;
  bool folded_ = false;
  torch::Tensor fold_scale_, fold_shift_;
};

// Example: ApproxLinear(ApproxLinearOptions(784, 256).bias(true))
struct ApproxLinearOptions {
  ApproxLinearOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  TORCH_ARG(int64_t, in_features);
  TORCH_ARG(int64_t, out_features);
  TORCH_ARG(bool, bias) = true;
};

class ApproxLinearImpl : public torch::nn::Cloneable<ApproxLinearImpl>, public ApproxLayer {
 public:
  explicit ApproxLinearImpl(const ApproxLinearOptions& options);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  // x: {N, in} -> {N, out}
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight_tensor() const override { return seen_weight(weight); }
  bool is_conv() const override { return false; }

  ApproxLinearOptions options;
  torch::Tensor weight, bias, input_range, input_range_set;
};
TORCH_MODULE(ApproxLinear);

// Example: ApproxConv2d(ApproxConv2dOptions(1, 6, 5).padding(2))
struct ApproxConv2dOptions {
  ApproxConv2dOptions(int64_t in_channels, int64_t out_channels, int64_t kernel_size)
      : in_channels_(in_channels), out_channels_(out_channels), kernel_size_(kernel_size) {}
  TORCH_ARG(int64_t, in_channels);
  TORCH_ARG(int64_t, out_channels);
  TORCH_ARG(int64_t, kernel_size);  // square kernels
  TORCH_ARG(int64_t, stride) = 1;
  TORCH_ARG(int64_t, padding) = 0;
  TORCH_ARG(int64_t, groups) = 1;  // divides in and out channels; each group is a convolution of its own
  TORCH_ARG(bool, bias) = true;
};

class ApproxConv2dImpl : public torch::nn::Cloneable<ApproxConv2dImpl>, public ApproxLayer {
 public:
  explicit ApproxConv2dImpl(const ApproxConv2dOptions& options);
  void reset() override;
  void pretty_print(std::ostream& stream) const override;
  // x: {N, C, H, W} -> {N, out_channels, H', W'}
  torch::Tensor forward(const torch::Tensor& x);
  torch::Tensor weight_tensor() const override { return seen_weight(weight); }  // {O, C / groups, k, k}
  bool is_conv() const override { return true; }
  // The input as rows of patches, {N * L, C * k * k}, as the approximate GEMM sees it (groups == 1; a group's
  // rows are those of its input channels).
  torch::Tensor unfold_input(const torch::Tensor& x) const;
  ConvGeometry geometry(const torch::Tensor& x) const;  // x's channels: a group's input for groups > 1

  ApproxConv2dOptions options;
  torch::Tensor weight, bias, input_range, input_range_set;
};
TORCH_MODULE(ApproxConv2d);

}  // namespace axtrain
