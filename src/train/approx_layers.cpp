#include "axtrain/train/approx_layers.h"

#include "axtrain/train/approx_conv.h"
#include "axtrain/util/check.h"

#include <fmt/ranges.h>
#include <torch/torch.h>

#include <cmath>

namespace axtrain {
namespace {

constexpr double kRangeMomentum = 0.9;  // running range = 0.9 old + 0.1 batch

void init_like_torch(torch::Tensor& weight, torch::Tensor& bias, int64_t fan_in) {
  torch::NoGradGuard no_grad;
  torch::nn::init::kaiming_uniform_(weight, std::sqrt(5.0));
  if (bias.defined()) {
    const double bound = 1.0 / std::sqrt(static_cast<double>(fan_in));
    bias.uniform_(-bound, bound);
  }
}

}  // namespace

void ApproxLayer::set_hardware(std::shared_ptr<HardwareState> hw, int layer_id) {
  hw_ = std::move(hw);
  layer_id_ = layer_id;
}

std::string ApproxLayer::hardware_summary() const {
  if (!on_hardware()) return "float";
  return fmt::format("{}, {}", hw_->mode == ForwardMode::kEmulate ? "emulate" : "statistic",
                     hw_->matmul->multiplier().spec());
}

QuantParams ApproxLayer::observe_input(const torch::Tensor& x, torch::Tensor& range, torch::Tensor& range_set,
                                       bool training) {
  // Plain double arithmetic on the two range values: the same IEEE operations as the tensor expression
  // 0.9 range + 0.1 batch, so the same bits, without a chain of tiny tensor operations per batch.
  torch::NoGradGuard no_grad;
  // The minimum and maximum do not depend on the layout: a transposed view (the previous layer's output) is
  // read as the contiguous tensor it views, without a copy.
  const bool transposed = x.dim() == 2 && !x.is_contiguous() && x.t().is_contiguous();
  const auto [batch_lo, batch_hi] = torch::aminmax(transposed ? x.t() : x);
  double lo = batch_lo.item<double>(), hi = batch_hi.item<double>();
  const bool known = range_set.item<bool>();
  AXT_ASSERT(range.numel() == 2);
  // The buffer is float64 unless the module was converted (to(kFloat32) converts buffers too): then it is
  // written through a copy and read back, rounded to its type, as the tensor expression did.
  const bool in_place = range.scalar_type() == torch::kFloat64 && range.is_contiguous();
  const auto stored_tensor = range.to(torch::kFloat64).contiguous();
  double* stored = stored_tensor.data_ptr<double>();
  if (training) {
    if (known) {
      lo = kRangeMomentum * stored[0] + (1 - kRangeMomentum) * lo;
      hi = kRangeMomentum * stored[1] + (1 - kRangeMomentum) * hi;
    }
    stored[0] = lo, stored[1] = hi;
    if (!in_place) {
      range.copy_(stored_tensor);
      lo = range[0].item<double>(), hi = range[1].item<double>();
    }
    range_set.fill_(true);
  } else if (known) {
    lo = stored[0], hi = stored[1];
  }
  return quant_params_from_range(lo, hi, hw_ && hw_->is_signed());
}

QuantParams ApproxLayer::weight_quant(const torch::Tensor& w) const {
  const bool is_signed = hw_ && hw_->is_signed();
  return hw_ && hw_->per_channel_weights ? quant_params_per_channel(w, is_signed)
                                         : quant_params_per_tensor(w, is_signed);
}

void ApproxLayer::remember(const torch::Tensor& x, const torch::Tensor& z, const QuantParams& qx,
                           const QuantParams& qw) {
  if (recording_) record_ = LayerRecord{x, z, qx, qw};
}

// --- ApproxLinear -----------------------------------------------------------------------------------------

ApproxLinearImpl::ApproxLinearImpl(const ApproxLinearOptions& options_) : options(options_) {
  reset();
}

void ApproxLinearImpl::reset() {
  weight = register_parameter("weight", torch::empty({options.out_features(), options.in_features()}));
  bias = register_parameter("bias", torch::empty({options.out_features()}), options.bias());
  input_range = register_buffer("input_range", torch::zeros({2}, torch::kFloat64));
  input_range_set = register_buffer("input_range_set", torch::zeros({}, torch::kBool));
  init_like_torch(weight, bias, options.in_features());
}

void ApproxLinearImpl::pretty_print(std::ostream& stream) const {
  stream << "axtrain::ApproxLinear(in=" << options.in_features() << ", out=" << options.out_features()
         << ", bias=" << options.bias() << ", hardware=" << hardware_summary() << ")";
}

torch::Tensor ApproxLinearImpl::forward(const torch::Tensor& x) {
  AXT_CHECK(x.dim() == 2 && x.size(1) == options.in_features(), "ApproxLinear expects input {{N, {}}}, got shape {}",
            options.in_features(), fmt::join(x.sizes().vec(), "x"));
  const QuantParams qx = observe_input(x, input_range, input_range_set, is_training());
  if (!on_hardware()) {
    auto z = torch::mm(x, weight.t());
    if (bias.defined()) z = z + bias;
    if (recording()) remember(x, z, qx, weight_quant(weight));  // quantising w only when it is kept
    return z;
  }
  const QuantParams qw = weight_quant(weight);
  auto z = approx_forward(x, weight, bias, qx, qw, *hw_, layer_id_, runtime_);
  remember(x, z, qx, qw);
  return z;
}

// --- ApproxConv2d -----------------------------------------------------------------------------------------

ApproxConv2dImpl::ApproxConv2dImpl(const ApproxConv2dOptions& options_) : options(options_) {
  reset();
}

void ApproxConv2dImpl::reset() {
  const int64_t k = options.kernel_size();
  weight = register_parameter("weight", torch::empty({options.out_channels(), options.in_channels(), k, k}));
  bias = register_parameter("bias", torch::empty({options.out_channels()}), options.bias());
  input_range = register_buffer("input_range", torch::zeros({2}, torch::kFloat64));
  input_range_set = register_buffer("input_range_set", torch::zeros({}, torch::kBool));
  init_like_torch(weight, bias, options.in_channels() * k * k);
}

void ApproxConv2dImpl::pretty_print(std::ostream& stream) const {
  stream << "axtrain::ApproxConv2d(" << options.in_channels() << ", " << options.out_channels()
         << ", kernel=" << options.kernel_size() << ", stride=" << options.stride() << ", padding=" << options.padding()
         << ", hardware=" << hardware_summary() << ")";
}

ConvGeometry ApproxConv2dImpl::geometry(const torch::Tensor& x) const {
  return ConvGeometry{x.size(1), x.size(2), x.size(3), options.kernel_size(), options.stride(), options.padding()};
}

torch::Tensor ApproxConv2dImpl::unfold_input(const torch::Tensor& x) const {
  return unfold_input_rows(x, geometry(x));
}

torch::Tensor ApproxConv2dImpl::forward(const torch::Tensor& x) {
  AXT_CHECK(x.dim() == 4 && x.size(1) == options.in_channels(),
            "ApproxConv2d expects input {{N, {}, H, W}}, got shape {}", options.in_channels(),
            fmt::join(x.sizes().vec(), "x"));
  const QuantParams qx = observe_input(x, input_range, input_range_set, is_training());
  if (!on_hardware()) {
    auto z = torch::conv2d(x, weight, bias, options.stride(), options.padding());
    if (recording()) remember(x, z, qx, weight_quant(weight));  // quantising w only when it is kept
    return z;
  }
  const ConvGeometry g = geometry(x);
  const QuantParams qw = weight_quant(weight);
  const auto rows = approx_conv_forward(x, weight.reshape({options.out_channels(), -1}), bias, g, qx, qw, *hw_,
                                        layer_id_, runtime_);  // {N L, O}
  auto z = rows.view({x.size(0), g.positions(), options.out_channels()})
               .transpose(1, 2)
               .reshape({x.size(0), options.out_channels(), g.out_height(), g.out_width()});
  remember(x, z, qx, qw);
  return z;
}

}  // namespace axtrain
