#include "axtrain/train/sensitivity.h"

#include "axtrain/util/check.h"

#include <torch/torch.h>

namespace axtrain {
namespace {

ApproxConv2dImpl& as_conv(ApproxLayer* layer) {
  auto* conv = dynamic_cast<ApproxConv2dImpl*>(layer);
  AXT_ASSERT(conv != nullptr);
  return *conv;
}

// Rows of operands as the layer's GEMM sees them: {N, L, K} (L = 1 for a dense layer).
torch::Tensor operand_rows(ApproxLayer* layer, const torch::Tensor& x) {
  if (!layer->is_conv()) return x.unsqueeze(1);
  const ApproxConv2dImpl& conv = as_conv(layer);
  return conv.unfold_input(x).view({x.size(0), -1, conv.weight.numel() / conv.weight.size(0)});
}

// R of one dense layer, 1/2 sum_ok S_ok, with its gradient written out (the fused form of weight_sensitivity's
// expression for L = 1; the same sums in another order, so equal to float rounding):
//   R = m/(2n) sum_no d_no^2 Q_no + c/(2n) sum_no d_no^2 s_o^2 |x_n|^2,  Q = (x + za)^2 (w + zw)^2^T,
// with d = delta {N, O}, x {N, K}, w {O, K}, m the multiplier variance, c the memory code variance, s the weight
// scale. Its backward: dR/dd = d (m Q + c s^2 |x|^2) / n, dR/dx = (m (x + za) (d^2 (w + zw)^2) + c x (d^2 s^2)) / n,
// dR/dw = m (w + zw) ((d^2)^T (x + za)^2) / n. Held constant, as in weight_sensitivity: the quantisation
// offsets, scales and noise moments. One GEMM forward, three backward, instead of an autograd graph of some
// twenty {O, K} and {N, K} operations (and their double backward).
struct DenseSensitivity : torch::autograd::Function<DenseSensitivity> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& delta,
                               const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& w_offset,
                               const torch::Tensor& w_scale_sq, double x_offset, double multiplier, double memory) {
    const auto n = static_cast<double>(x.size(0));
    const auto d2 = delta * delta;
    auto weight = torch::zeros_like(delta);  // m Q + c s^2 |x|^2, {N, O}
    if (multiplier > 0) {
      const auto a2 = (x + x_offset).square(), ws2 = (w + w_offset).square();  // {N, K}, {O, K}
      weight = weight + multiplier * torch::mm(a2, ws2.t());
    }
    if (memory > 0) weight = weight + memory * (x.square().sum(1, true) * w_scale_sq.reshape({1, -1}));
    ctx->save_for_backward({delta, x, w, w_offset, w_scale_sq, weight});
    ctx->saved_data["x_offset"] = x_offset;
    ctx->saved_data["multiplier"] = multiplier;
    ctx->saved_data["memory"] = memory;
    return (d2 * weight).sum() / (2 * n);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &delta = saved[0], &x = saved[1], &w = saved[2], &w_offset = saved[3], &w_scale_sq = saved[4];
    const auto& weight = saved[5];
    const double x_offset = ctx->saved_data["x_offset"].toDouble();
    const double multiplier = ctx->saved_data["multiplier"].toDouble();
    const double memory = ctx->saved_data["memory"].toDouble();
    const auto g = grads[0] / static_cast<double>(x.size(0));  // dR/dR over n, a 0-dim tensor
    const auto d2 = delta * delta;
    torch::Tensor d_delta, d_x, d_w;
    if (ctx->needs_input_grad(0)) d_delta = g * delta * weight;
    const bool need_x = ctx->needs_input_grad(1), need_w = ctx->needs_input_grad(2);
    if (need_x) d_x = torch::zeros_like(x);
    if (need_w) d_w = torch::zeros_like(w);
    if (multiplier > 0) {
      const auto a = x + x_offset, ws = w + w_offset;
      if (need_x) d_x = d_x + (g * multiplier) * a * torch::mm(d2, ws.square());
      if (need_w) d_w = d_w + (g * multiplier) * ws * torch::mm(d2.t(), a.square());
    }
    if (memory > 0 && need_x) d_x = d_x + (g * memory) * x * torch::mm(d2, w_scale_sq.reshape({-1, 1}));
    return {d_delta, d_x, d_w, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

// The multiplier part of R for one convolution, 1/2 sum_ok S_ok with memory noise off, as one convolution:
//   R = m/(2n) sum_nol d_nol^2 Q_nol,  Q = conv((x + za)^2, (w + zw)^2),
// the input padded with za (weight_sensitivity's padded rows read 0 + za): the sums of the general expression
// in another order, so equal to float rounding. Autograd differentiates it through torch's convolution (twice
// for act's double backward) instead of the rows' einsum graph over {N, L, K} tensors.
torch::Tensor conv_multiplier_term(ApproxConv2dImpl& conv, const torch::Tensor& delta, double multiplier) {
  const LayerRecord& r = conv.record();
  const auto dtype = conv.weight.scalar_type();
  const double x_offset = (r.input_quant.zero_point * r.input_quant.scale).to(dtype).item<double>();
  const auto w_offset =
      (broadcast_channel(r.weight_quant.zero_point, 4) * broadcast_channel(r.weight_quant.scale, 4)).to(dtype);
  const int64_t pad = conv.options.padding();
  auto a = r.input + x_offset;
  if (pad > 0) a = torch::constant_pad_nd(a, {pad, pad, pad, pad}, x_offset);
  const auto q = torch::conv2d(a.square(), (conv.weight + w_offset).square(), {}, conv.options.stride());
  return (multiplier / (2.0 * static_cast<double>(r.input.size(0)))) * (delta.square() * q).sum();
}

}  // namespace

std::vector<LayerNoise> layer_noise(const std::vector<ApproxLayer*>& layers, const HardwareState& target) {
  torch::NoGradGuard no_grad;
  std::vector<LayerNoise> noise;
  const double memory = memory_code_variance(target.memory);
  for (ApproxLayer* layer : layers) {
    const LayerRecord& r = layer->record();
    AXT_ASSERT(r.input.defined());
    LayerNoise n;
    n.memory_code_variance = memory;
    if (target.matmul) {
      const torch::Tensor w = layer->weight_tensor();
      const auto hw_hist = quantized_histogram(w.reshape({w.size(0), -1}), r.weight_quant);
      const auto hx_hist = quantized_histogram(r.input.reshape({r.input.size(0), -1}), r.input_quant);
      n.multiplier_variance = target.matmul->multiplier().relative_errors().moments(hw_hist, hx_hist).variance;
    }
    noise.push_back(n);
  }
  return noise;
}

std::vector<torch::Tensor> weight_sensitivity(const std::vector<ApproxLayer*>& layers,
                                              const std::vector<torch::Tensor>& deltas,
                                              const std::vector<LayerNoise>& noise) {
  AXT_ASSERT(layers.size() == deltas.size() && layers.size() == noise.size());
  std::vector<torch::Tensor> result;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    ApproxLayer* layer = layers[l];
    const LayerRecord& r = layer->record();
    const torch::Tensor w = layer->weight_tensor();
    const int64_t out = w.size(0);
    const auto n = static_cast<double>(r.input.size(0));
    const auto x = operand_rows(layer, r.input);                         // {N, L, K}
    const auto delta = deltas[l].reshape({deltas[l].size(0), out, -1});  // {N, O, L}
    const auto delta_sq = delta * delta;
    const auto w2 = w.reshape({out, -1});
    auto s = torch::zeros_like(w2);
    if (noise[l].multiplier_variance > 0) {
      const auto wz = (broadcast_channel(r.weight_quant.zero_point, 2) * broadcast_channel(r.weight_quant.scale, 2))
                          .to(w.scalar_type());
      const auto w_seen = w2 + wz;                                                                   // c_w scale_w
      const auto a_seen = x + (r.input_quant.zero_point * r.input_quant.scale).to(x.scalar_type());  // c_a scale_a
      const auto paired = torch::einsum("nol,nlk->ok", {delta_sq, a_seen * a_seen}) / n;
      s = s + noise[l].multiplier_variance * w_seen * w_seen * paired;
    }
    if (noise[l].memory_code_variance > 0) {
      const auto scale = broadcast_channel(r.weight_quant.scale, 2).to(w.scalar_type());
      torch::Tensor squared_grad;  // E_x[(sum_p delta a)^2], {O, K}
      if (x.size(1) == 1) {
        // One output position (dense): (delta_o a_k)^2 = delta_o^2 a_k^2, a GEMM instead of an {N, O, K} tensor.
        squared_grad = torch::mm(delta_sq.squeeze(2).t(), (x * x).squeeze(1)) / n;
      } else {
        const auto per_sample_grad = torch::einsum("nol,nlk->nok", {delta, x});  // sum_p delta a
        squared_grad = (per_sample_grad * per_sample_grad).mean(0);
      }
      s = s + noise[l].memory_code_variance * scale * scale * squared_grad;
    }
    result.push_back(s.view(w.sizes()));
  }
  return result;
}

torch::Tensor sensitivity_term(const std::vector<ApproxLayer*>& layers, const std::vector<torch::Tensor>& deltas,
                               const std::vector<LayerNoise>& noise) {
  AXT_ASSERT(layers.size() == deltas.size() && layers.size() == noise.size());
  torch::Tensor r;
  for (std::size_t l = 0; l < layers.size(); ++l) {
    ApproxLayer* layer = layers[l];
    torch::Tensor term;
    if (layer->is_conv()) {  // several output positions per weight
      ApproxConv2dImpl& conv = as_conv(layer);
      term = torch::zeros({}, conv.weight.options());
      if (noise[l].multiplier_variance > 0) term = conv_multiplier_term(conv, deltas[l], noise[l].multiplier_variance);
      if (noise[l].memory_code_variance > 0) {  // the general expression
        const LayerNoise memory_only{.multiplier_variance = 0, .memory_code_variance = noise[l].memory_code_variance};
        term = term + 0.5 * weight_sensitivity({layer}, {deltas[l]}, {memory_only})[0].sum();
      }
    } else {
      const LayerRecord& rec = layer->record();
      const torch::Tensor w = layer->weight_tensor();
      const auto dtype = w.scalar_type();
      const auto& qw = rec.weight_quant;
      const auto w_offset = (broadcast_channel(qw.zero_point, 2) * broadcast_channel(qw.scale, 2)).to(dtype);
      const auto w_scale_sq = (qw.scale * qw.scale).reshape({-1}).expand({w.size(0)}).to(dtype).contiguous();
      const double x_offset = (rec.input_quant.zero_point * rec.input_quant.scale).to(dtype).item<double>();
      term = DenseSensitivity::apply(deltas[l], rec.input, w, w_offset, w_scale_sq, x_offset,
                                     noise[l].multiplier_variance, noise[l].memory_code_variance);
    }
    r = r.defined() ? r + term : term;
  }
  return r.defined() ? r : torch::zeros({});
}

}  // namespace axtrain
