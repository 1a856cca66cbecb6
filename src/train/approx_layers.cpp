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

void ApproxLayer::start_bias_calibration() {
  for (LayerRuntime& r : runtimes_) r.bias.start();
}

void ApproxLayer::finish_bias_calibration() {
  for (LayerRuntime& r : runtimes_) r.bias.finish();
}

void ApproxLayer::copy_calibration_from(const ApproxLayer& other) {
  AXT_ASSERT(runtimes_.size() == other.runtimes_.size());
  for (std::size_t g = 0; g < runtimes_.size(); ++g) runtimes_[g].bias.correction = other.runtimes_[g].bias.correction;
}

void ApproxLayer::set_fold(torch::Tensor scale, torch::Tensor shift) {
  folded_ = true;
  fold_scale_ = std::move(scale);
  fold_shift_ = std::move(shift);
}

void ApproxLayer::clear_fold() {
  folded_ = false;
  fold_scale_ = fold_shift_ = torch::Tensor();
}

torch::Tensor ApproxLayer::seen_weight(const torch::Tensor& weight) const {
  if (!folded_) return weight;
  std::vector<int64_t> shape(static_cast<std::size_t>(weight.dim()), 1);
  shape[0] = -1;
  return weight * fold_scale_.view(shape);
}

// --- ApproxLinear -----------------------------------------------------------------------------------------

ApproxLinearImpl::ApproxLinearImpl(const ApproxLinearOptions& options_) : options(options_) {
  reset();
}

void ApproxLinearImpl::reset() {
  weight = register_parameter("weight", torch::empty({options.out_features(), options.in_features()}));
  if (options.bias()) bias = register_parameter("bias", torch::empty({options.out_features()}));  // else undefined
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
  const torch::Tensor w = seen_weight(weight), b = seen_bias(bias);
  if (!on_hardware()) {
    auto z = torch::mm(x, w.t());
    if (b.defined()) z = z + b;
    if (recording()) remember(x, z, qx, weight_quant(w));  // quantising w only when it is kept
    return z;
  }
  const QuantParams qw = weight_quant(w);
  auto z = approx_forward(x, w, b, qx, qw, *hw_, layer_id_, runtimes_[0]);
  remember(x, z, qx, qw);
  return z;
}

// --- ApproxConv2d -----------------------------------------------------------------------------------------

ApproxConv2dImpl::ApproxConv2dImpl(const ApproxConv2dOptions& options_) : options(options_) {
  reset();
}

void ApproxConv2dImpl::reset() {
  const int64_t k = options.kernel_size(), groups = options.groups();
  AXT_CHECK(groups >= 1 && options.in_channels() % groups == 0 && options.out_channels() % groups == 0,
            "ApproxConv2d groups {} must divide its {} input and {} output channels", groups, options.in_channels(),
            options.out_channels());
  const int64_t group_in = options.in_channels() / groups;
  weight = register_parameter("weight", torch::empty({options.out_channels(), group_in, k, k}));
  if (options.bias()) bias = register_parameter("bias", torch::empty({options.out_channels()}));  // else undefined
  input_range = register_buffer("input_range", torch::zeros({2}, torch::kFloat64));
  input_range_set = register_buffer("input_range_set", torch::zeros({}, torch::kBool));
  init_like_torch(weight, bias, group_in * k * k);
  runtimes_.assign(static_cast<std::size_t>(groups), LayerRuntime{});
  for (int64_t g = 0; g < groups; ++g) runtimes_[static_cast<std::size_t>(g)].group = static_cast<int>(g);
}

void ApproxConv2dImpl::pretty_print(std::ostream& stream) const {
  stream << "axtrain::ApproxConv2d(" << options.in_channels() << ", " << options.out_channels()
         << ", kernel=" << options.kernel_size() << ", stride=" << options.stride() << ", padding=" << options.padding()
         << ", groups=" << options.groups() << ", hardware=" << hardware_summary() << ")";
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
  const torch::Tensor w = seen_weight(weight), b = seen_bias(bias);
  const int64_t groups = options.groups(), out = options.out_channels();
  if (!on_hardware()) {
    auto z = torch::conv2d(x, w, b, options.stride(), options.padding(), 1, groups);
    if (recording()) remember(x, z, qx, weight_quant(w));  // quantising w only when it is kept
    return z;
  }
  const QuantParams qw = weight_quant(w);
  const int64_t group_in = options.in_channels() / groups, group_out = out / groups;
  // Each group is a convolution of its own on the hardware: its input channels, filters and runtime (its own
  // fault and noise keys), with the layer's quantisation (a per-channel scale sliced to the group's filters).
  std::vector<torch::Tensor> parts;
  ConvGeometry g;
  for (int64_t group = 0; group < groups; ++group) {
    const auto xg = groups == 1 ? x : x.narrow(1, group * group_in, group_in);
    const auto wg = (groups == 1 ? w : w.narrow(0, group * group_out, group_out)).reshape({group_out, -1});
    const auto bg = groups == 1 || !b.defined() ? b : b.narrow(0, group * group_out, group_out);
    QuantParams qg = qw;
    if (groups > 1 && qw.scale.numel() > 1) {
      qg.scale = qw.scale.narrow(0, group * group_out, group_out);
      qg.zero_point = qw.zero_point.narrow(0, group * group_out, group_out);
    }
    g = geometry(xg);
    parts.push_back(approx_conv_forward(xg, wg, bg, g, qx, qg, *hw_, layer_id_,
                                        runtimes_[static_cast<std::size_t>(group)])  // {N L, O / groups}
                        .view({x.size(0), g.positions(), group_out}));
  }
  const auto rows = groups == 1 ? parts[0] : torch::cat(parts, 2);  // {N, L, O}
  auto z = rows.transpose(1, 2).reshape({x.size(0), out, g.out_height(), g.out_width()});
  remember(x, z, qx, qw);
  return z;
}

}  // namespace axtrain
