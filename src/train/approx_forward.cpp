#include "axtrain/train/approx_forward.h"

#include "axtrain/kernels/byte_lookup.h"
#include "axtrain/train/standard_normal.h"
#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <ATen/CPUGeneratorImpl.h>
#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <array>
#include <bit>
#include <cmath>
#include <mutex>
#include <span>

namespace axtrain {

torch::Tensor byte_row_sums(const torch::Tensor& bytes_in, bool is_signed) {
  const auto bytes = bytes_in.contiguous();
  const int64_t rows = bytes.size(0);
  const auto cols = static_cast<std::size_t>(bytes.size(1));
  AXT_ASSERT(cols < (std::size_t{1} << 23));
  auto sums = torch::empty({rows}, torch::kFloat64);
  const std::uint8_t* p = bytes.data_ptr<std::uint8_t>();
  double* out = sums.data_ptr<double>();
  at::parallel_for(0, rows, 256, [&](int64_t begin, int64_t end) {
    for (int64_t r = begin; r < end; ++r) {
      const std::uint8_t* row = p + r * bytes.size(1);
      // Exact in 32 bits: |sum| <= 255 cols < 2^31 (asserted below 2^23 columns).
      out[r] = is_signed ? static_cast<double>(static_cast<std::int32_t>(sum_signed_bytes(row, cols)))
                         : static_cast<double>(sum_bytes(row, cols));
    }
  });
  return sums;
}

namespace {

// The tensor argument of HardwareState::fault_key: weights, activations, statistic noise; + kKeysPerGroup * g
// for group g of a grouped convolution.
constexpr int kWeightTensor = 0;
constexpr int kActivationTensor = 1;
constexpr int kNoiseKey = 2;
constexpr int kKeysPerGroup = 3;

// The emulated product as one autograd node. Forward returns the hardware's value (computed beforehand, no
// gradient); backward is the straight-through gradient of fq_x fq_w^T with fq = dequantised codes, computed
// from the saved dequantised operands exactly as autograd differentiated the former
// `value + (surrogate - surrogate.detach())` (mm's backward for a transposed second operand), without the
// surrogate GEMM or the fake-quantisation graph in the forward pass. For double backward (the sensitivity
// term, create_graph) the backward rebuilds fq = deq + (x - x.detach()), the former graph, so second-order
// gradients are the former ones too. The bias is added outside, as before.
struct HardwareProduct : torch::autograd::Function<HardwareProduct> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w,
                               const torch::Tensor& value, const torch::Tensor& deq_x, const torch::Tensor& deq_w) {
    ctx->save_for_backward({x, w, deq_x, deq_w});
    return value;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& g = grads[0];
    torch::Tensor fq_x = saved[2], fq_w = saved[3];
    if (torch::GradMode::is_enabled()) {
      fq_x = fq_x + (saved[0] - saved[0].detach());
      fq_w = fq_w + (saved[1] - saved[1].detach());
    }
    // Only the gradients an input needs (as mm's backward does): a first layer's input needs none.
    const torch::Tensor dx = ctx->needs_input_grad(0) ? g.mm(fq_w) : torch::Tensor();
    const torch::Tensor dw = ctx->needs_input_grad(1) ? g.t().mm(fq_x) : torch::Tensor();
    return {dx, dw, torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// y[n][o] = ((p - zx sw_o) - zw_o sx_n + (k zw_o) zx) (scale_w_o scale_x) - correction_o, as dtype: the
// operations (and their order) of the former tensor expression, fused into one pass.
torch::Tensor output_rows(const torch::Tensor& product, const torch::Tensor& sum_w, const torch::Tensor& sum_x,
                          const QuantParams& qx, const QuantParams& qw, int64_t k, const torch::Tensor& correction,
                          torch::ScalarType dtype) {
  const int64_t outs = product.size(0), rows = product.size(1);
  const ChannelValues zw(qw.zero_point), sw(qw.scale);
  const double zx = qx.zero_point.item<double>(), sx = qx.scale.item<double>();
  // Written as {O, N} and returned transposed: the layout of the former `y.t().to(dtype)`, which the
  // following operations inherit (a different layout changes the summation order of the bias gradient).
  auto y = torch::empty({outs, rows}, torch::TensorOptions().dtype(dtype));
  const double* p = product.data_ptr<double>();
  const double* pw = sum_w.data_ptr<double>();
  const double* px = sum_x.data_ptr<double>();
  const double* pc = correction.defined() ? correction.data_ptr<double>() : nullptr;
  AT_DISPATCH_FLOATING_TYPES(dtype, "output_rows", [&] {
    scalar_t* out = y.data_ptr<scalar_t>();
    at::parallel_for(0, outs, 1, [&](int64_t begin, int64_t end) {
      for (int64_t o = begin; o < end; ++o) {
        const double z = zw[o];
        const double w_term = zx * pw[o], constant = static_cast<double>(k) * z * zx, scale = sw[o] * sx;
        for (int64_t n = 0; n < rows; ++n) {
          double v = ((p[o * rows + n] - w_term) - z * px[n] + constant) * scale;
          if (pc) v = v - pc[o];
          out[o * rows + n] = static_cast<scalar_t>(v);
        }
      }
    });
  });
  return y.t();
}

// sum_k of each row's codes, float64 {rows}: of the clean codes from the quantisation pass, or recounted
// when memory faults have changed the stored bytes.
torch::Tensor code_sums(const QuantizedRows& rows, const torch::Tensor& bytes, bool faulted, bool is_signed) {
  if (!faulted) return rows.code_sums;
  return byte_row_sums(bytes, is_signed);
}

// code^2 of each stored byte as float32 (exact: at most 255^2), in one pass through a 256-entry table.
torch::Tensor squared_codes(const torch::Tensor& bytes, bool is_signed) {
  std::array<float, 256> square{};
  for (int b = 0; b < 256; ++b) {
    const int code = is_signed ? static_cast<std::int8_t>(b) : b;
    square[static_cast<std::size_t>(b)] = static_cast<float>(code * code);
  }
  const auto in = bytes.contiguous();
  auto out = torch::empty(in.sizes(), torch::kFloat32);
  const std::uint8_t* p = in.data_ptr<std::uint8_t>();
  float* q = out.data_ptr<float>();
  at::parallel_for(0, in.numel(), 16384, [&](int64_t begin, int64_t end) {
    for (int64_t i = begin; i < end; ++i) q[i] = square[p[i]];
  });
  return out;
}

// The statistic-mode noise {N, O} for the layer's clean code bytes bx {N, K} and bw {O, K}.
torch::Tensor statistic_noise(const torch::Tensor& bx, const torch::Tensor& bw, const QuantParams& qx,
                              const QuantParams& qw, const HardwareState& hw, int layer_id, int group,
                              torch::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  const bool is_signed = hw.is_signed();
  const RelativeErrorMoments moments = operand_error_moments(bw, bx, hw);
  // A product's error is (cw cx) eps: mean and variance summed over k (independent products). The sum of
  // code products is exact on the int8 GEMM (unsigned codes); the sum of their squares only sets the noise's
  // spread and is taken in float32 (relative rounding below 1e-6; each square is exact in float32).
  const auto code_products = is_signed ? torch::mm(codes_of_bytes(bx, true), codes_of_bytes(bw, true).t())
                                       : exact_matmul().of_bytes(bw, bx, GemmPath::kDecomposed).t();  // {N, O}
  const auto squares = torch::mm(squared_codes(bx, is_signed), squared_codes(bw, is_signed).t());
  torch::Tensor row_sums;  // {N}: sum_k of the squared real inputs, for the memory-fault variance
  if (hw.has_memory_faults()) {
    const auto xr = dequantize(codes_of_bytes(bx, is_signed), qx, torch::kFloat64);
    row_sums = (xr * xr).sum(1).contiguous();
  }
  auto gen = at::detail::createCPUGenerator(hw.fault_key(layer_id, kNoiseKey + kKeysPerGroup * group));
  const auto normal = standard_normal(code_products.sizes(), gen);  // torch::randn's values
  // One pass with the operations (and the order) of the former tensor expressions, element by element:
  //   mean = (m cp) s_o,  variance = ((v sq) s_o) s_o [+ ((mcv rs_n) sw_o) sw_o],
  //   noise = mean + (noise_scale sqrt(variance)) normal,  with s_o = sw_o sx.
  const int64_t rows = code_products.size(0), outs = code_products.size(1);
  const ChannelValues sw(qw.scale);
  const double sx = qx.scale.item<double>(), mcv = hw.has_memory_faults() ? memory_code_variance(hw.memory) : 0.0;
  auto noise = torch::empty({rows, outs}, torch::TensorOptions().dtype(dtype));
  const double* cp = code_products.data_ptr<double>();
  const int64_t cp_row = code_products.stride(0), cp_col = code_products.stride(1);
  const float* sq = squares.data_ptr<float>();
  const double* z = normal.data_ptr<double>();
  const double* rs = row_sums.defined() ? row_sums.data_ptr<double>() : nullptr;
  const double m = moments.mean, v = moments.variance, spread = hw.noise_scale;
  AT_DISPATCH_FLOATING_TYPES(dtype, "statistic_noise", [&] {
    scalar_t* out = noise.data_ptr<scalar_t>();
    at::parallel_for(0, rows, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n) {
        for (int64_t o = 0; o < outs; ++o) {
          const double w_scale = sw[o], s = w_scale * sx;
          const double mean = (m * cp[n * cp_row + o * cp_col]) * s;
          double variance = ((v * static_cast<double>(sq[n * outs + o])) * s) * s;
          if (rs) variance = variance + ((mcv * rs[n]) * w_scale) * w_scale;
          out[n * outs + o] = static_cast<scalar_t>(mean + (spread * std::sqrt(variance)) * z[n * outs + o]);
        }
      }
    });
  });
  return noise;
}

}  // namespace

torch::Tensor hardware_output(const QuantizedRows& rx, const QuantizedRows& rw, const QuantParams& qx,
                              const QuantParams& qw, const HardwareState& hw, int layer_id, LayerRuntime& runtime,
                              torch::ScalarType dtype) {
  const bool is_signed = hw.is_signed();
  torch::Tensor bx = rx.bytes, bw = rw.bytes;
  const int key_offset = kKeysPerGroup * runtime.group;
  apply_memory_faults_to_bytes(bw, hw, layer_id, kWeightTensor + key_offset, &runtime.faults);
  if (hw.faults_on_activations) apply_memory_faults_to_bytes(bx, hw, layer_id, kActivationTensor + key_offset, nullptr);
  const int64_t k = bw.size(1);
  GemmChoice& choice = runtime.gemm;
  torch::Tensor product;  // {O, N}: sum over k of f(cw, cx)
  if (choice.matmul != hw.matmul.get() || choice.depth != k) {
    choice = GemmChoice{hw.matmul.get(), k, GemmPath::kGather};
    product = hw.matmul->tuned(bw, bx, &choice.path);
  } else {
    product = hw.matmul->of_bytes(bw, bx, choice.path);
  }
  BiasCompensation& bias = runtime.bias;
  if (bias.calibrating) {  // same codes, exact product
    const auto cw = codes_of_bytes(bw, is_signed), cx = codes_of_bytes(bx, is_signed);
    const auto scale = broadcast_channel(qw.scale, 2) * qx.scale;
    const auto error = ((product - torch::mm(cw, cx.t())) * scale).sum(1);
    bias.sum = bias.sum.defined() ? bias.sum + error : error;
    bias.rows += bx.size(0);
  }
  const torch::Tensor correction = hw.compensate_bias ? bias.correction : torch::Tensor();
  const bool faults = hw.has_memory_faults();
  return output_rows(product, code_sums(rw, bw, faults, is_signed),
                     code_sums(rx, bx, faults && hw.faults_on_activations, is_signed), qx, qw, k, correction, dtype);
}

void BiasCompensation::finish() {
  calibrating = false;
  correction = rows > 0 ? sum / static_cast<double>(rows) : torch::Tensor();
}

std::vector<double> code_histogram(const torch::Tensor& codes, bool is_signed) {
  if (codes.scalar_type() == torch::kUInt8) {  // stored bytes: count them directly
    const auto bytes = codes.contiguous();
    std::array<std::int64_t, 256> counts{};
    const std::uint8_t* p = bytes.data_ptr<std::uint8_t>();
    std::mutex merge;  // integer counts: the same totals in any order
    at::parallel_for(0, bytes.numel(), 65536, [&](int64_t begin, int64_t end) {
      std::array<std::int64_t, 256> local{};
      count_bytes(p + begin, static_cast<std::size_t>(end - begin), local);
      const std::lock_guard<std::mutex> lock(merge);
      for (std::size_t b = 0; b < 256; ++b) counts[b] += local[b];
    });
    const std::array<double, 256> hist = operand_histogram(counts, is_signed);
    return std::vector<double>(hist.begin(), hist.end());
  }
  const auto index = (is_signed ? codes + 128.0 : codes).to(torch::kLong).reshape(-1);
  const auto counts = torch::bincount(index, {}, 256).to(torch::kFloat64).contiguous();
  return std::vector<double>(counts.data_ptr<double>(), counts.data_ptr<double>() + 256);
}

RelativeErrorMoments operand_error_moments(const torch::Tensor& w_codes, const torch::Tensor& x_codes,
                                           const HardwareState& hw) {
  const bool is_signed = hw.is_signed();
  const std::vector<double> hw_hist = code_histogram(w_codes, is_signed);
  const std::vector<double> hx_hist = code_histogram(x_codes, is_signed);
  return hw.matmul->multiplier().relative_errors().moments(hw_hist, hx_hist);
}

void apply_memory_faults_to_bytes(torch::Tensor& bytes, const HardwareState& hw, int layer_id, int tensor,
                                  FaultMapCache* persistent) {
  if (!hw.has_memory_faults()) return;
  bytes = bytes.contiguous();
  std::span<std::uint8_t> span(bytes.data_ptr<std::uint8_t>(), static_cast<std::size_t>(bytes.numel()));
  if (hw.persistent_faults && persistent) {
    // The chip depends on the model too: a cached map of another fault model must not be reused.
    const std::uint64_t key =
        derive_key({hw.fault_key(layer_id, tensor), span.size(), std::bit_cast<std::uint64_t>(hw.memory.p01),
                    std::bit_cast<std::uint64_t>(hw.memory.p10), hw.memory.protected_bits});
    if (persistent->key != key || persistent->map.size() != span.size()) {
      persistent->map = FaultMap::sample(span.size(), hw.memory, key);
      persistent->key = key;
    }
    persistent->map.apply(span);
  } else {
    inject_transient_faults(span, hw.memory, hw.fault_key(layer_id, tensor));
  }
}

torch::Tensor approx_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                             const QuantParams& qx, const QuantParams& qw, const HardwareState& hw, int layer_id,
                             LayerRuntime& runtime) {
  AXT_ASSERT(x.dim() == 2 && w.dim() == 2 && x.size(1) == w.size(1));
  AXT_ASSERT(hw.mode != ForwardMode::kFloat && hw.matmul);
  QuantizedRows rx, rw;
  {
    torch::NoGradGuard no_grad;
    rx = quantize_rows(x, qx);
    rw = quantize_rows(w, qw);
  }
  if (hw.mode == ForwardMode::kStatistic) {
    // The differentiable surrogate (the fake-quantised float product) plus noise. Where the backward pass is
    // differentiated again it stays a graph: through HardwareProduct the second-order gradients of act's term
    // differ in the last bits (measured). Otherwise the product is HardwareProduct's value, the same GEMM on
    // the same operands (deq + (x - x) is deq), with the same first-order gradients, without the graph.
    torch::Tensor surrogate;
    if (hw.double_backward) {
      surrogate = torch::mm(rx.dequantized + (x - x.detach()), (rw.dequantized + (w - w.detach())).t());
    } else {
      torch::Tensor product;
      {
        torch::NoGradGuard no_grad;
        product = torch::mm(rx.dequantized, rw.dequantized.t());
      }
      surrogate = HardwareProduct::apply(x, w, product, rx.dequantized, rw.dequantized);
    }
    if (bias.defined()) surrogate = surrogate + bias;
    return surrogate + statistic_noise(rx.bytes, rw.bytes, qx, qw, hw, layer_id, runtime.group, x.scalar_type());
  }
  torch::Tensor value;
  {
    torch::NoGradGuard no_grad;
    value = hardware_output(rx, rw, qx, qw, hw, layer_id, runtime, x.scalar_type());
  }
  auto y = HardwareProduct::apply(x, w, value, rx.dequantized, rw.dequantized);
  return bias.defined() ? y + bias : y;
}

}  // namespace axtrain
