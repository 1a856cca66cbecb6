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

// The emulated product as one autograd node. Forward returns the hardware's value (computed beforehand, no
// gradient); backward is the straight-through gradient of fq_x fq_w^T, computed from the saved fake-quantised
// operands exactly as autograd differentiates that product (mm's backward for a transposed second operand),
// so values and gradients equal those of the former `value + (surrogate - surrogate.detach())` without the
// surrogate GEMM in the forward pass. The backward is built from differentiable operations, so double
// backward (the sensitivity term) works as before. The bias is added outside, as before.
struct HardwareProduct : torch::autograd::Function<HardwareProduct> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& fq_x,
                               const torch::Tensor& fq_w, const torch::Tensor& value) {
    ctx->save_for_backward({fq_x, fq_w});
    return value;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor& g = grads[0];
    return {g.mm(saved[1]), g.t().mm(saved[0]), torch::Tensor()};
  }
};

// The hardware's output {N, O} for clean codes cw {O, K} and cx {N, K} (SPEC 2.1), bit-exact with
// gemm_reference: memory faults on the stored codes, the approximate product, exact zero-point terms, scale.
torch::Tensor emulate(torch::Tensor cx, torch::Tensor cw, const QuantParams& qx, const QuantParams& qw,
                      const HardwareState& hw, int layer_id, LayerRuntime& runtime, torch::ScalarType dtype) {
  cw = apply_memory_faults(cw, hw, layer_id, kWeightTensor, &runtime.faults);
  if (hw.faults_on_activations) cx = apply_memory_faults(cx, hw, layer_id, kActivationTensor, nullptr);
  // Sum over k of f(cw, cx) - zx cw - zw cx + zw zx, then scale.
  const auto zw = broadcast_channel(qw.zero_point, 2);  // {O, 1} or scalar
  const auto zx = qx.zero_point;
  const int64_t k = cw.size(1);
  GemmChoice& choice = runtime.gemm;
  torch::Tensor product;  // {O, N}
  if (choice.matmul != hw.matmul.get() || choice.depth != k) {
    choice = GemmChoice{hw.matmul.get(), k, GemmPath::kGather};
    product = hw.matmul->tuned(cw, cx, &choice.path);
  } else {
    product = (*hw.matmul)(cw, cx, choice.path);
  }
  const auto acc = product - zx * cw.sum(1, true) - zw * cx.sum(1).unsqueeze(0) + static_cast<double>(k) * zw * zx;
  const auto scale = broadcast_channel(qw.scale, 2) * qx.scale;
  auto y = acc * scale;
  BiasCompensation& bias = runtime.bias;
  if (bias.calibrating) {
    const auto error = ((product - torch::mm(cw, cx.t())) * scale).sum(1);  // same codes, exact product
    bias.sum = bias.sum.defined() ? bias.sum + error : error;
    bias.rows += cx.size(0);
  }
  if (hw.compensate_bias && bias.correction.defined()) y = y - bias.correction.unsqueeze(1);
  return y.t().to(dtype);  // {N, O}
}

// The statistic-mode noise {N, O} for the layer's clean codes cx {N, K} and cw {O, K}.
torch::Tensor statistic_noise(const torch::Tensor& cx, const torch::Tensor& cw, const QuantParams& qx,
                              const QuantParams& qw, const HardwareState& hw, int layer_id, torch::ScalarType dtype) {
  torch::NoGradGuard no_grad;
  const RelativeErrorMoments moments = operand_error_moments(cw, cx, hw);
  const auto scale = (broadcast_channel(qw.scale, 2) * qx.scale).t();  // {1, O} or scalar
  // A product's error is (cw cx) eps: mean and variance summed over k (independent products). The sum of
  // code products is exact on the int8 GEMM (unsigned codes); the sum of their squares only sets the noise's
  // spread and is taken in float32 (relative rounding below 1e-6).
  const auto code_products = hw.is_signed() ? torch::mm(cx, cw.t()) : exact_matmul()(cw, cx).t();
  auto mean = moments.mean * code_products * scale;  // {N, O}
  const auto squares = torch::mm((cx * cx).to(torch::kFloat32), (cw * cw).t().to(torch::kFloat32));
  auto variance = moments.variance * squares.to(torch::kFloat64) * scale * scale;
  if (hw.has_memory_faults()) {
    const auto xr = dequantize(cx, qx, torch::kFloat64);
    const auto sw = broadcast_channel(qw.scale, 1).reshape({1, -1});
    variance = variance + memory_code_variance(hw.memory) * (xr * xr).sum(1, true) * sw * sw;
  }
  auto gen = at::detail::createCPUGenerator(hw.fault_key(layer_id, 2));
  const auto normal = torch::randn(mean.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat64));
  return (mean + hw.noise_scale * torch::sqrt(variance) * normal).to(dtype);
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
  return hw.matmul->multiplier().relative_errors().moments(hw_hist, hx_hist);
}

torch::Tensor apply_memory_faults(const torch::Tensor& codes, const HardwareState& hw, int layer_id, int tensor,
                                  FaultMapCache* persistent) {
  if (!hw.has_memory_faults()) return codes;
  const bool is_signed = hw.is_signed();
  auto bytes = code_bytes(codes, is_signed);
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
  return codes_of_bytes(bytes, is_signed).view(codes.sizes());
}

torch::Tensor approx_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                             const QuantParams& qx, const QuantParams& qw, const HardwareState& hw, int layer_id,
                             LayerRuntime& runtime) {
  AXT_ASSERT(x.dim() == 2 && w.dim() == 2 && x.size(1) == w.size(1));
  AXT_ASSERT(hw.mode != ForwardMode::kFloat && hw.matmul);
  const auto cx = quantize_codes(x, qx);
  const auto cw = quantize_codes(w, qw);
  if (hw.mode == ForwardMode::kStatistic) {
    // The differentiable surrogate (the fake-quantised float product) plus noise.
    auto surrogate = torch::mm(fake_quantize_codes(x, cx, qx), fake_quantize_codes(w, cw, qw).t());
    if (bias.defined()) surrogate = surrogate + bias;
    return surrogate + statistic_noise(cx, cw, qx, qw, hw, layer_id, x.scalar_type());
  }
  torch::Tensor value;
  {
    torch::NoGradGuard no_grad;
    value = emulate(cx, cw, qx, qw, hw, layer_id, runtime, x.scalar_type());
  }
  auto y = HardwareProduct::apply(fake_quantize_codes(x, cx, qx), fake_quantize_codes(w, cw, qw), value);
  return bias.defined() ? y + bias : y;
}

}  // namespace axtrain
