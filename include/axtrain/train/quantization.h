// 8-bit quantisation for approximate layers (SPEC 2.1).
//   unsigned designs: asymmetric uint8, code = clamp(round(x / scale) + zero_point, 0, 255)
//   signed designs:   symmetric int8,   code = clamp(round(x / scale), -128, 127), zero_point = 0
// real value = (code - zero_point) * scale. Ranges always include 0, so 0 is exactly representable.
#pragma once

#include <torch/types.h>

#include <array>
#include <cstdint>

namespace axtrain {

// Scales and zero points of one tensor: scalars (per-tensor) or one per output channel (dim 0).
struct QuantParams {
  torch::Tensor scale;       // float64, shape {} or {channels}; > 0
  torch::Tensor zero_point;  // float64 holding integers, same shape as scale
  bool is_signed = false;    // symmetric int8 codes instead of asymmetric uint8
};

// Parameters for the range [lo, hi] (extended to include 0). lo and hi: float64 tensors of equal shape.
QuantParams quant_params_from_range(const torch::Tensor& lo, const torch::Tensor& hi, bool is_signed);
// The same for one range, in plain double arithmetic (the same IEEE operations, so the same bits, NaN
// propagating as in torch): per-tensor parameters without a chain of tensor operations per batch.
QuantParams quant_params_from_range(double lo, double hi, bool is_signed);

// Per-tensor parameters from x's min and max (no gradient).
QuantParams quant_params_per_tensor(const torch::Tensor& x, bool is_signed);
// Per-output-channel parameters for a weight of shape {out, ...} (no gradient).
QuantParams quant_params_per_channel(const torch::Tensor& weight, bool is_signed);

// Integer codes of x as float64 (exact integers), no gradient. Per-channel params broadcast along dim 0.
torch::Tensor quantize_codes(const torch::Tensor& x, const QuantParams& q);
// (codes - zero_point) * scale, in x's dtype.
torch::Tensor dequantize(const torch::Tensor& codes, const QuantParams& q, torch::ScalarType dtype);
// Quantise-dequantise with the straight-through estimator: forward gives the dequantised codes, backward
// passes the gradient unchanged.
torch::Tensor fake_quantize(const torch::Tensor& x, const QuantParams& q);

// One pass over a 2-D tensor x {rows, cols} (float32 or float64): its codes as stored bytes (unsigned codes as
// they are, signed codes as two's complement) and the dequantised codes in x's dtype. Bit-identical to
// quantize_codes followed by dequantize, in one pass instead of seven, with each row's sum of codes. q per tensor or
// per row (dim 0).
struct QuantizedRows {
  torch::Tensor bytes;        // {rows, cols} uint8
  torch::Tensor dequantized;  // {rows, cols}, x's dtype, no gradient
  torch::Tensor code_sums;    // {rows} float64: each row's sum of codes (exact integers)
};
QuantizedRows quantize_rows(const torch::Tensor& x, const QuantParams& q);

// A float64 parameter that is one value (per tensor) or one per channel, read by index without expanded
// copies: values[i] is the channel's value, or the single value for every i.
class ChannelValues {
 public:
  explicit ChannelValues(const torch::Tensor& values);
  double operator[](int64_t i) const { return data_ ? data_[i] : one_; }
  bool per_channel() const { return data_ != nullptr; }

 private:
  torch::Tensor values_;  // keeps data_ alive
  const double* data_ = nullptr;
  double one_ = 0;
};

// 256 counts by stored byte -> by operand index (a signed code c at c + 128).
std::array<double, 256> operand_histogram(const std::array<std::int64_t, 256>& byte_counts, bool is_signed);

// The histogram of x's codes (256 counts, by operand index: a signed code c at c + 128), the codes of
// quantize_rows without storing them.
std::array<double, 256> quantized_histogram(const torch::Tensor& x, const QuantParams& q);

// Shape a per-channel parameter tensor to broadcast against a tensor of `dim` dimensions along dim 0.
torch::Tensor broadcast_channel(const torch::Tensor& per_channel, int64_t dim);

}  // namespace axtrain
