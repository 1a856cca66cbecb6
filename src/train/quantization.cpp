#include "axtrain/train/quantization.h"

#include "axtrain/util/check.h"

#include <torch/torch.h>

namespace axtrain {
namespace {

// Smallest scale used for an all-zero range, so codes stay finite.
constexpr double kMinScale = 1e-12;

}  // namespace

torch::Tensor broadcast_channel(const torch::Tensor& per_channel, int64_t dim) {
  if (per_channel.dim() == 0) return per_channel;
  std::vector<int64_t> shape(static_cast<std::size_t>(dim), 1);
  shape[0] = per_channel.size(0);
  return per_channel.view(shape);
}

QuantParams quant_params_from_range(const torch::Tensor& lo_in, const torch::Tensor& hi_in, bool is_signed) {
  torch::NoGradGuard no_grad;
  const auto lo = torch::clamp_max(lo_in.to(torch::kFloat64), 0.0);
  const auto hi = torch::clamp_min(hi_in.to(torch::kFloat64), 0.0);
  QuantParams q;
  q.is_signed = is_signed;
  if (is_signed) {
    q.scale = torch::clamp_min(torch::max(-lo, hi) / 127.0, kMinScale);
    q.zero_point = torch::zeros_like(q.scale);
  } else {
    q.scale = torch::clamp_min((hi - lo) / 255.0, kMinScale);
    q.zero_point = torch::clamp(torch::round(-lo / q.scale), 0.0, 255.0);
  }
  return q;
}

QuantParams quant_params_per_tensor(const torch::Tensor& x, bool is_signed) {
  torch::NoGradGuard no_grad;
  return quant_params_from_range(x.min(), x.max(), is_signed);
}

QuantParams quant_params_per_channel(const torch::Tensor& weight, bool is_signed) {
  torch::NoGradGuard no_grad;
  const auto flat = weight.reshape({weight.size(0), -1});
  return quant_params_from_range(std::get<0>(flat.min(1)), std::get<0>(flat.max(1)), is_signed);
}

torch::Tensor quantize_codes(const torch::Tensor& x, const QuantParams& q) {
  torch::NoGradGuard no_grad;
  const auto scale = broadcast_channel(q.scale, x.dim());
  const auto zero = broadcast_channel(q.zero_point, x.dim());
  const double lo = q.is_signed ? -128.0 : 0.0;
  const double hi = q.is_signed ? 127.0 : 255.0;
  return torch::clamp(torch::round(x.to(torch::kFloat64) / scale) + zero, lo, hi);
}

torch::Tensor dequantize(const torch::Tensor& codes, const QuantParams& q, torch::ScalarType dtype) {
  const auto scale = broadcast_channel(q.scale, codes.dim());
  const auto zero = broadcast_channel(q.zero_point, codes.dim());
  return ((codes - zero) * scale).to(dtype);
}

torch::Tensor fake_quantize(const torch::Tensor& x, const QuantParams& q) {
  return fake_quantize_codes(x, quantize_codes(x, q), q);
}

torch::Tensor fake_quantize_codes(const torch::Tensor& x, const torch::Tensor& codes, const QuantParams& q) {
  const auto deq = dequantize(codes, q, x.scalar_type());
  return deq + (x - x.detach());  // value exactly deq (x - x is exactly 0), gradient the identity
}

}  // namespace axtrain
