#include "axtrain/train/quantization.h"

#include "axtrain/util/check.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <immintrin.h>

#include <algorithm>
#include <cmath>

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

namespace {

// The scalar steps of quantize_codes and dequantize, in their order (round half to even as torch::round).
template <typename T>
inline void quantize_one(T x, double s, double z, double lo, double hi, std::uint8_t* byte, T* deq) {
  double code = std::min(std::max(std::nearbyint(static_cast<double>(x) / s) + z, lo), hi);
  if (std::isnan(code)) code = lo;                            // a diverged input: any code, but no undefined conversion
  *byte = static_cast<std::uint8_t>(static_cast<int>(code));  // wraps signed codes to two's complement
  *deq = static_cast<T>((code - z) * s);
}

// The same for float32, 4 at a time in AVX2 (part of the x86-64-v3 baseline): the same IEEE operations in
// double precision, so the same bits. max(NaN, lo) gives lo, as the scalar step does.
void quantize_row(const float* x, std::int64_t n, double s, double z, double lo, double hi, std::uint8_t* bytes,
                  float* deq) {
  const __m256d vs = _mm256_set1_pd(s), vz = _mm256_set1_pd(z), vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
    const __m256d rounded = _mm256_round_pd(_mm256_div_pd(v, vs), _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256d code = _mm256_min_pd(_mm256_max_pd(_mm256_add_pd(rounded, vz), vlo), vhi);
    _mm_storeu_ps(deq + i, _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_sub_pd(code, vz), vs)));
    alignas(16) std::int32_t ints[4];
    _mm_store_si128(reinterpret_cast<__m128i*>(ints), _mm256_cvtpd_epi32(code));
    for (int j = 0; j < 4; ++j) bytes[i + j] = static_cast<std::uint8_t>(ints[j]);
  }
  for (; i < n; ++i) quantize_one(x[i], s, z, lo, hi, bytes + i, deq + i);
}

void quantize_row(const double* x, std::int64_t n, double s, double z, double lo, double hi, std::uint8_t* bytes,
                  double* deq) {
  for (std::int64_t i = 0; i < n; ++i) quantize_one(x[i], s, z, lo, hi, bytes + i, deq + i);
}

}  // namespace

QuantizedRows quantize_rows(const torch::Tensor& x_in, const QuantParams& q) {
  AXT_ASSERT(x_in.dim() == 2);
  const auto x = x_in.detach().contiguous();
  const int64_t rows = x.size(0), cols = x.size(1);
  const auto scale = q.scale.expand({rows}).contiguous(), zero = q.zero_point.expand({rows}).contiguous();
  QuantizedRows out{torch::empty({rows, cols}, torch::kUInt8), torch::empty_like(x)};
  const double lo = q.is_signed ? -128.0 : 0.0, hi = q.is_signed ? 127.0 : 255.0;
  const double* ps = scale.data_ptr<double>();
  const double* pz = zero.data_ptr<double>();
  std::uint8_t* bytes = out.bytes.data_ptr<std::uint8_t>();
  AT_DISPATCH_FLOATING_TYPES(x.scalar_type(), "quantize_rows", [&] {
    const scalar_t* px = x.data_ptr<scalar_t>();
    scalar_t* deq = out.dequantized.data_ptr<scalar_t>();
    const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(cols, 1));
    at::parallel_for(0, rows, grain, [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) {
        const int64_t at = r * cols;
        quantize_row(px + at, cols, ps[r], pz[r], lo, hi, bytes + at, deq + at);
      }
    });
  });
  return out;
}

torch::Tensor dequantize(const torch::Tensor& codes, const QuantParams& q, torch::ScalarType dtype) {
  const auto scale = broadcast_channel(q.scale, codes.dim());
  const auto zero = broadcast_channel(q.zero_point, codes.dim());
  return ((codes - zero) * scale).to(dtype);
}

torch::Tensor fake_quantize(const torch::Tensor& x, const QuantParams& q) {
  const auto deq = dequantize(quantize_codes(x, q), q, x.scalar_type());
  return deq + (x - x.detach());  // value exactly deq (x - x is exactly 0), gradient the identity
}

}  // namespace axtrain
