#include "axtrain/train/quantization.h"

#include "axtrain/kernels/byte_lookup.h"
#include "axtrain/util/check.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <immintrin.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <mutex>
#include <vector>

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

namespace {

// torch's clamp_min / clamp_max / maximum on doubles: NaN propagates (std::max and std::min would drop it).
double clamp_min(double x, double m) {
  return std::isnan(x) ? x : std::max(x, m);
}
double clamp_max(double x, double m) {
  return std::isnan(x) ? x : std::min(x, m);
}
double maximum(double a, double b) {
  return std::isnan(a) || std::isnan(b) ? std::nan("") : std::max(a, b);
}

}  // namespace

QuantParams quant_params_from_range(double lo_in, double hi_in, bool is_signed) {
  const double lo = clamp_max(lo_in, 0.0), hi = clamp_min(hi_in, 0.0);
  double scale = 0, zero_point = 0;
  if (is_signed) {
    scale = clamp_min(maximum(-lo, hi) / 127.0, kMinScale);
  } else {
    scale = clamp_min((hi - lo) / 255.0, kMinScale);
    zero_point = clamp_max(clamp_min(std::nearbyint(-lo / scale), 0.0), 255.0);
  }
  const auto options = torch::TensorOptions().dtype(torch::kFloat64);
  return QuantParams{torch::scalar_tensor(scale, options), torch::scalar_tensor(zero_point, options), is_signed};
}

QuantParams quant_params_from_range(const torch::Tensor& lo_in, const torch::Tensor& hi_in, bool is_signed) {
  torch::NoGradGuard no_grad;
  if (lo_in.dim() == 0 && hi_in.dim() == 0)
    return quant_params_from_range(lo_in.item<double>(), hi_in.item<double>(), is_signed);
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
  const auto [lo, hi] = torch::aminmax(x);
  return quant_params_from_range(lo.item<double>(), hi.item<double>(), is_signed);
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
inline double quantize_one(T x, double s, double z, double lo, double hi, std::uint8_t* byte, T* deq) {
  double code = std::min(std::max(std::nearbyint(static_cast<double>(x) / s) + z, lo), hi);
  if (std::isnan(code)) code = lo;                            // a diverged input: any code, but no undefined conversion
  *byte = static_cast<std::uint8_t>(static_cast<int>(code));  // wraps signed codes to two's complement
  *deq = static_cast<T>((code - z) * s);
  return code;
}

// The same for float32, 4 at a time in AVX2 (part of the x86-64-v3 baseline), with the same bits. max(NaN, lo)
// gives lo, as the scalar step does.
//
// The division is the costly step, and only the integer it rounds to matters. So q = x * (1/s) is taken
// instead wherever it provably rounds to the same code as fl(x / s):
//   1/s and the product each round with relative error at most u = 2^-53, so |q - x/s| <= 2.0001 u |x/s|,
//   and |fl(x/s) - x/s| <= u |x/s|: for |x/s| < 1024 both lie within 3.5e-13 of x/s.
//   - If q is farther than 1e-9 from every half-integer, x/s and fl(x/s) are on q's side of the same
//     half-integers: nearbyint gives the same integer (no tie is possible).
//   - If |q| >= 1024, both fl(x/s) and q round beyond the clamp range on the same side: the same code.
// Any other vector (q near a half-integer, NaN) is divided, as before. A test checks values at half-integers.
// Returns the row's sum of codes (exact: integers far below 2^53).
double quantize_row(const float* x, std::int64_t n, double s, double z, double lo, double hi, std::uint8_t* bytes,
                    float* deq) {
  const __m256d vs = _mm256_set1_pd(s), vz = _mm256_set1_pd(z), vlo = _mm256_set1_pd(lo), vhi = _mm256_set1_pd(hi);
  const __m256d inverse = _mm256_set1_pd(1.0 / s), half = _mm256_set1_pd(0.5), margin = _mm256_set1_pd(1e-9);
  const __m256d far = _mm256_set1_pd(1024.0);
  const __m256d magnitude = _mm256_castsi256_pd(_mm256_set1_epi64x(0x7fffffffffffffff));
  const __m128i low_bytes = _mm_setr_epi8(0, 4, 8, 12, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1);
  __m256d sums = _mm256_setzero_pd();
  std::int64_t i = 0;
  for (; i + 4 <= n; i += 4) {
    const __m256d v = _mm256_cvtps_pd(_mm_loadu_ps(x + i));
    __m256d q = _mm256_mul_pd(v, inverse);
    const __m256d to_half = _mm256_and_pd(_mm256_sub_pd(_mm256_sub_pd(q, _mm256_floor_pd(q)), half), magnitude);
    const __m256d certain = _mm256_or_pd(_mm256_cmp_pd(_mm256_and_pd(q, magnitude), far, _CMP_GE_OQ),
                                         _mm256_cmp_pd(to_half, margin, _CMP_GT_OQ));
    if (_mm256_movemask_pd(certain) != 0xF) q = _mm256_div_pd(v, vs);
    const __m256d rounded = _mm256_round_pd(q, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC);
    const __m256d code = _mm256_min_pd(_mm256_max_pd(_mm256_add_pd(rounded, vz), vlo), vhi);
    sums = _mm256_add_pd(sums, code);
    _mm_storeu_ps(deq + i, _mm256_cvtpd_ps(_mm256_mul_pd(_mm256_sub_pd(code, vz), vs)));
    // The low byte of each int32 code: two's complement for signed codes.
    const int packed = _mm_cvtsi128_si32(_mm_shuffle_epi8(_mm256_cvtpd_epi32(code), low_bytes));
    std::memcpy(bytes + i, &packed, sizeof(packed));
  }
  alignas(32) double lanes[4];
  _mm256_store_pd(lanes, sums);
  double sum = (lanes[0] + lanes[1]) + (lanes[2] + lanes[3]);
  for (; i < n; ++i) sum += quantize_one(x[i], s, z, lo, hi, bytes + i, deq + i);
  return sum;
}

double quantize_row(const double* x, std::int64_t n, double s, double z, double lo, double hi, std::uint8_t* bytes,
                    double* deq) {
  double sum = 0;
  for (std::int64_t i = 0; i < n; ++i) sum += quantize_one(x[i], s, z, lo, hi, bytes + i, deq + i);
  return sum;
}

// The rows of a 2-D tensor with their quantisation parameters, quantised one row at a time by quantize_row.
struct RowQuantiser {
  RowQuantiser(const torch::Tensor& x_in, const QuantParams& q)
      : x(x_in.detach().contiguous()),
        rows(x.size(0)),
        cols(x.size(1)),
        scale(q.scale),
        zero(q.zero_point),
        lo(q.is_signed ? -128.0 : 0.0),
        hi(q.is_signed ? 127.0 : 255.0) {
    AXT_ASSERT(x_in.dim() == 2);
    AXT_ASSERT(!scale.per_channel() || (q.scale.numel() == rows && q.zero_point.numel() == rows));
  }
  // Row r's bytes and dequantised values into the given buffers; returns its sum of codes.
  template <typename T>
  double row(int64_t r, std::uint8_t* bytes, T* deq) const {
    return quantize_row(x.data_ptr<T>() + r * cols, cols, scale[r], zero[r], lo, hi, bytes, deq);
  }
  int64_t grain() const { return std::max<int64_t>(1, 16384 / std::max<int64_t>(cols, 1)); }

  torch::Tensor x;
  int64_t rows, cols;
  ChannelValues scale, zero;
  double lo, hi;
};

}  // namespace

ChannelValues::ChannelValues(const torch::Tensor& values) {
  AXT_ASSERT(values.scalar_type() == torch::kFloat64);
  if (values.dim() == 0) {
    one_ = values.item<double>();
  } else {
    values_ = values.contiguous();
    data_ = values_.data_ptr<double>();
  }
}

QuantizedRows quantize_rows(const torch::Tensor& x_in, const QuantParams& q) {
  const RowQuantiser quantiser(x_in, q);
  const int64_t rows = quantiser.rows, cols = quantiser.cols;
  QuantizedRows out{torch::empty({rows, cols}, torch::kUInt8), torch::empty_like(quantiser.x),
                    torch::empty({rows}, torch::kFloat64)};
  double* sums = out.code_sums.data_ptr<double>();
  std::uint8_t* bytes = out.bytes.data_ptr<std::uint8_t>();
  AT_DISPATCH_FLOATING_TYPES(quantiser.x.scalar_type(), "quantize_rows", [&] {
    scalar_t* deq = out.dequantized.data_ptr<scalar_t>();
    at::parallel_for(0, rows, quantiser.grain(), [&](int64_t begin, int64_t end) {
      for (int64_t r = begin; r < end; ++r) sums[r] = quantiser.row(r, bytes + r * cols, deq + r * cols);
    });
  });
  return out;
}

std::array<double, 256> quantized_histogram(const torch::Tensor& x_in, const QuantParams& q) {
  const RowQuantiser quantiser(x_in, q);
  const auto cols = static_cast<std::size_t>(quantiser.cols);
  std::mutex merge;
  std::array<std::int64_t, 256> counts{};
  AT_DISPATCH_FLOATING_TYPES(quantiser.x.scalar_type(), "quantized_histogram", [&] {
    at::parallel_for(0, quantiser.rows, quantiser.grain(), [&](int64_t begin, int64_t end) {
      // One row at a time (the codes of quantize_rows), its outputs in buffers that stay in cache.
      std::vector<std::uint8_t> bytes(cols);
      std::vector<scalar_t> deq(cols);
      std::array<std::int64_t, 256> local{};
      for (int64_t r = begin; r < end; ++r) {
        quantiser.row(r, bytes.data(), deq.data());
        count_bytes(bytes.data(), cols, local);
      }
      const std::lock_guard<std::mutex> lock(merge);
      for (std::size_t b = 0; b < 256; ++b) counts[b] += local[b];
    });
  });
  return operand_histogram(counts, q.is_signed);
}

std::array<double, 256> operand_histogram(const std::array<std::int64_t, 256>& byte_counts, bool is_signed) {
  std::array<double, 256> hist{};
  for (std::size_t b = 0; b < 256; ++b) hist[is_signed ? b ^ 0x80 : b] = static_cast<double>(byte_counts[b]);
  return hist;
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
