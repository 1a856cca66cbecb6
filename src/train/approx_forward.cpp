#include "axtrain/train/approx_forward.h"

#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/torch.h>

#include <bit>
#include <span>

namespace axtrain {
namespace {

constexpr int kWeightTensor = 0;
constexpr int kActivationTensor = 1;

// Stored bytes of codes: unsigned codes as they are, signed codes as two's complement.
torch::Tensor to_bytes(const torch::Tensor& codes, bool is_signed) {
  auto ints = codes.to(torch::kInt16);
  if (is_signed) ints = torch::remainder(ints + 256, 256);
  return ints.to(torch::kUInt8).contiguous();
}

torch::Tensor from_bytes(const torch::Tensor& bytes, bool is_signed) {
  auto values = bytes.to(torch::kFloat64);
  if (is_signed) values = torch::where(values >= 128.0, values - 256.0, values);
  return values;
}

torch::Tensor emulate(const torch::Tensor& x, const torch::Tensor& w, const QuantParams& qx, const QuantParams& qw,
                      const HardwareState& hw, int layer_id, LayerRuntime& runtime) {
  torch::Tensor cw = apply_memory_faults(quantize_codes(w, qw), hw, layer_id, kWeightTensor, &runtime.faults);
  torch::Tensor cx = quantize_codes(x, qx);
  if (hw.faults_on_activations) cx = apply_memory_faults(cx, hw, layer_id, kActivationTensor, nullptr);
  // Sum over k of f(cw, cx) - zx cw - zw cx + zw zx (SPEC 2.1), then scale: bit-exact with gemm_reference.
  const auto zw = broadcast_channel(qw.zero_point, 2);  // {O, 1} or scalar
  const auto zx = qx.zero_point;
  const double k = static_cast<double>(w.size(1));
  auto product = (*hw.matmul)(cw, cx.t());  // {O, N}
  const auto acc = product - zx * cw.sum(1, true) - zw * cx.sum(1).unsqueeze(0) + k * zw * zx;
  const auto scale = broadcast_channel(qw.scale, 2) * qx.scale;
  auto y = acc * scale;
  BiasCompensation& bias = runtime.bias;
  if (bias.calibrating) {
    const auto error = ((product - torch::mm(cw, cx.t())) * scale).sum(1);  // same codes, exact product
    bias.sum = bias.sum.defined() ? bias.sum + error : error;
    bias.rows += x.size(0);
  }
  if (hw.compensate_bias && bias.correction.defined()) y = y - bias.correction.unsqueeze(1);
  return y.t().to(x.scalar_type());  // {N, O}
}

torch::Tensor statistic_noise(const torch::Tensor& x, const torch::Tensor& w, const QuantParams& qx,
                              const QuantParams& qw, const HardwareState& hw, int layer_id) {
  torch::NoGradGuard no_grad;
  const auto cw = quantize_codes(w, qw);
  const auto cx = quantize_codes(x, qx);
  const RelativeErrorMoments moments = operand_error_moments(cw, cx, hw);
  const auto scale = (broadcast_channel(qw.scale, 2) * qx.scale).t();  // {1, O} or scalar
  // A product's error is (cw cx) eps: mean and variance summed over k (independent products).
  auto mean = moments.mean * torch::mm(cx, cw.t()) * scale;  // {N, O}
  auto variance = moments.variance * torch::mm(cx * cx, (cw * cw).t()) * scale * scale;
  if (hw.has_memory_faults()) {
    const auto xr = dequantize(cx, qx, torch::kFloat64);
    const auto sw = broadcast_channel(qw.scale, 1).reshape({1, -1});
    variance = variance + memory_code_variance(hw.memory) * (xr * xr).sum(1, true) * sw * sw;
  }
  auto gen = at::detail::createCPUGenerator(hw.fault_key(layer_id, 2));
  const auto normal = torch::randn(mean.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat64));
  return (mean + hw.noise_scale * torch::sqrt(variance) * normal).to(x.scalar_type());
}

}  // namespace

void BiasCompensation::finish() {
  calibrating = false;
  correction = rows > 0 ? sum / static_cast<double>(rows) : torch::Tensor();
}

std::vector<double> code_histogram(const torch::Tensor& codes, bool is_signed) {
  const auto index = (is_signed ? codes + 128.0 : codes).to(torch::kLong).reshape(-1);
  const auto counts = torch::bincount(index, {}, 256).to(torch::kFloat64).contiguous();
  return std::vector<double>(counts.data_ptr<double>(), counts.data_ptr<double>() + 256);
}

RelativeErrorMoments operand_error_moments(const torch::Tensor& w_codes, const torch::Tensor& x_codes,
                                           const HardwareState& hw) {
  const bool is_signed = hw.is_signed();
  const std::vector<double> hw_hist = code_histogram(w_codes, is_signed);
  const std::vector<double> hx_hist = code_histogram(x_codes, is_signed);
  return relative_error_moments(hw.matmul->multiplier().table(), hw_hist, hx_hist);
}

torch::Tensor apply_memory_faults(const torch::Tensor& codes, const HardwareState& hw, int layer_id, int tensor,
                                  FaultMapCache* persistent) {
  if (!hw.has_memory_faults()) return codes;
  const bool is_signed = hw.is_signed();
  auto bytes = to_bytes(codes, is_signed);
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
  return from_bytes(bytes, is_signed).view(codes.sizes());
}

torch::Tensor approx_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                             const QuantParams& qx, const QuantParams& qw, const HardwareState& hw, int layer_id,
                             LayerRuntime& runtime) {
  AXT_ASSERT(x.dim() == 2 && w.dim() == 2 && x.size(1) == w.size(1));
  AXT_ASSERT(hw.mode != ForwardMode::kFloat && hw.matmul);
  // The differentiable surrogate: the fake-quantised float product (straight-through estimator).
  auto surrogate = torch::mm(fake_quantize(x, qx), fake_quantize(w, qw).t());
  if (bias.defined()) surrogate = surrogate + bias;
  if (hw.mode == ForwardMode::kStatistic) return surrogate + statistic_noise(x, w, qx, qw, hw, layer_id);
  torch::Tensor exact;
  {
    torch::NoGradGuard no_grad;
    exact = emulate(x, w, qx, qw, hw, layer_id, runtime);
    if (bias.defined()) exact = exact + bias;
  }
  // Value exactly the hardware's (x - x is exactly 0), gradient the surrogate's.
  return exact + (surrogate - surrogate.detach());
}

}  // namespace axtrain
