#include "axtrain/train/sensitivity.h"

#include "axtrain/util/check.h"

#include <torch/torch.h>

namespace axtrain {
namespace {

// Rows of operands as the layer's GEMM sees them: {N, L, K} (L = 1 for a dense layer).
torch::Tensor operand_rows(ApproxLayer* layer, const torch::Tensor& x) {
  if (!layer->is_conv()) return x.unsqueeze(1);
  auto* conv = dynamic_cast<ApproxConv2dImpl*>(layer);
  AXT_ASSERT(conv != nullptr);
  return conv->unfold_input(x).view({x.size(0), -1, conv->weight.numel() / conv->weight.size(0)});
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
      const auto bw = quantize_rows(w.reshape({w.size(0), -1}), r.weight_quant).bytes;
      const auto bx = quantize_rows(r.input.reshape({r.input.size(0), -1}), r.input_quant).bytes;
      n.multiplier_variance = operand_error_moments(bw, bx, target).variance;
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

}  // namespace axtrain
