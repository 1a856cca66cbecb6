#include "axtrain/train/sensitivity.h"

#include "axtrain/util/check.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <algorithm>

namespace axtrain {
namespace {

ApproxConv2dImpl& as_conv(ApproxLayer* layer) {
  auto* conv = dynamic_cast<ApproxConv2dImpl*>(layer);
  AXT_ASSERT(conv != nullptr);
  return *conv;
}

// Rows of operands as the GEMM of group g (of `groups`) sees them: {N, L, K} (L = 1 for a dense layer).
torch::Tensor operand_rows(ApproxLayer* layer, const torch::Tensor& x, int64_t g, int64_t groups) {
  if (!layer->is_conv()) return x.unsqueeze(1);
  const ApproxConv2dImpl& conv = as_conv(layer);
  const int64_t group_in = x.size(1) / groups;
  const auto xg = groups == 1 ? x : x.narrow(1, g * group_in, group_in);
  return conv.unfold_input(xg).view({x.size(0), -1, conv.weight.numel() / conv.weight.size(0)});
}

// One offset per row of a {R, K} tensor, or one for all rows: the broadcast of a {R, 1} or one-element tensor.
template <typename T>
struct RowOffsets {
  explicit RowOffsets(const torch::Tensor& t)
      : values(t.contiguous()), data(values.data_ptr<T>()), step(values.numel() == 1 ? 0 : 1) {}
  T operator[](int64_t r) const { return data[r * step]; }
  torch::Tensor values;
  const T* data;
  int64_t step;
};

// Calls entry(r, k, i) for every entry (r, k) of a dense 2-D tensor t, i its offset in t's storage, walking the
// storage in order, the outer dimension split over the threads.
template <typename Entry>
void for_each_entry(const torch::Tensor& t, const Entry& entry) {
  AXT_ASSERT(t.dim() == 2 && t.is_non_overlapping_and_dense());
  const int64_t rows = t.size(0), cols = t.size(1), s0 = t.stride(0), s1 = t.stride(1);
  const bool by_rows = s0 >= s1;
  const int64_t outer = by_rows ? rows : cols, inner = by_rows ? cols : rows;
  const int64_t grain = std::max<int64_t>(1, 16384 / std::max<int64_t>(inner, 1));
  at::parallel_for(0, outer, grain, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o)
      for (int64_t j = 0; j < inner; ++j) {
        const int64_t r = by_rows ? o : j, k = by_rows ? j : o;
        entry(r, k, r * s0 + k * s1);
      }
  });
}

// (t + offset_r)^2 of every entry of a 2-D t: the values and the layout of torch's (t + offset).square() in t's
// dtype (the layout decides the summation order of a GEMM that reads it), in one pass instead of two.
torch::Tensor shifted_squares(const torch::Tensor& t, const torch::Tensor& offset) {
  auto out = torch::empty_like(t);
  AXT_ASSERT(out.strides() == t.strides());
  AT_DISPATCH_FLOATING_TYPES(t.scalar_type(), "shifted_squares", [&] {
    const RowOffsets<scalar_t> o(offset.to(t.scalar_type()));
    const scalar_t* in = t.data_ptr<scalar_t>();
    scalar_t* sq = out.data_ptr<scalar_t>();
    for_each_entry(t, [&](int64_t r, int64_t, int64_t i) {
      const scalar_t v = in[i] + o[r];
      sq[i] = v * v;
    });
  });
  return out;
}

// 0 + (scale (t + offset_r)) factor for every entry of 2-D tensors of one shape: the values and the layout
// (t's) of zeros_like(t) + scale * (t + offset) * factor, the gradient expression's order (0 + turns -0 into
// +0 as the sum with zeros did), in one pass instead of four tensor operations.
torch::Tensor scale_by_shifted(const torch::Tensor& t, const torch::Tensor& offset, const torch::Tensor& scale,
                               const torch::Tensor& factor) {
  AXT_ASSERT(factor.sizes() == t.sizes());
  auto out = torch::empty_like(t);
  AXT_ASSERT(out.strides() == t.strides());
  const int64_t f0 = factor.stride(0), f1 = factor.stride(1);
  AT_DISPATCH_FLOATING_TYPES(t.scalar_type(), "scale_by_shifted", [&] {
    const RowOffsets<scalar_t> o(offset.to(t.scalar_type()));
    const auto s = scale.item<scalar_t>();
    const scalar_t* in = t.data_ptr<scalar_t>();
    const scalar_t* f = factor.data_ptr<scalar_t>();
    scalar_t* result = out.data_ptr<scalar_t>();
    for_each_entry(t, [&](int64_t r, int64_t k, int64_t i) {
      result[i] = scalar_t(0) + (s * (in[i] + o[r])) * f[r * f0 + k * f1];
    });
  });
  return out;
}

// R of one dense layer, 1/2 sum_ok S_ok, with its gradient written out (the fused form of weight_sensitivity's
// expression for L = 1; the same sums in another order, so equal to float rounding):
//   R = m/(2n) sum_no d_no^2 Q_no + c/(2n) sum_no d_no^2 s_o^2 |x_n|^2,  Q = (x + za)^2 (w + zw)^2^T,
// with d = delta {N, O}, x {N, K}, w {O, K}, m the multiplier variance, c the memory code variance, s the weight
// scale. Its backward: dR/dd = d (m Q + c s^2 |x|^2) / n, dR/dx = (m (x + za) (d^2 (w + zw)^2) + c x (d^2 s^2)) / n,
// dR/dw = m (w + zw) ((d^2)^T (x + za)^2) / n. Held constant, as in weight_sensitivity: the quantisation
// offsets, scales and noise moments. One GEMM forward, two backward; the squared operands are kept from the
// forward pass, and the elementwise steps around the GEMMs are fused passes with the values of the tensor
// expressions they replace.
struct DenseSensitivity : torch::autograd::Function<DenseSensitivity> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& delta,
                               const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& w_offset,
                               const torch::Tensor& w_scale_sq, double x_offset, double multiplier, double memory) {
    const auto n = static_cast<double>(x.size(0));
    const auto x_shift = torch::scalar_tensor(x_offset, x.options());
    torch::Tensor weight, a2, ws2;  // m Q + c s^2 |x|^2 {N, O}; (x + za)^2 {N, K}; (w + zw)^2 {O, K}
    if (multiplier > 0) {
      a2 = shifted_squares(x, x_shift), ws2 = shifted_squares(w, w_offset);
      weight = torch::mm(a2, ws2.t());
      weight.mul_(multiplier).add_(0.0);  // zeros + m Q, as the sum with zeros gave
    } else {
      weight = torch::zeros_like(delta);
    }
    if (memory > 0) weight = weight + memory * (x.square().sum(1, true) * w_scale_sq.reshape({1, -1}));
    ctx->save_for_backward({delta, x, w, w_offset, w_scale_sq, weight, x_shift, a2, ws2});
    ctx->saved_data["multiplier"] = multiplier;
    ctx->saved_data["memory"] = memory;
    return (delta * delta * weight).sum() / (2 * n);
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const auto &delta = saved[0], &x = saved[1], &w = saved[2], &w_offset = saved[3], &w_scale_sq = saved[4];
    const auto &weight = saved[5], &x_shift = saved[6], &a2 = saved[7], &ws2 = saved[8];
    const double multiplier = ctx->saved_data["multiplier"].toDouble();
    const double memory = ctx->saved_data["memory"].toDouble();
    const auto g = grads[0] / static_cast<double>(x.size(0));  // dR/dR over n, a 0-dim tensor
    const auto d2 = delta * delta;
    torch::Tensor d_delta, d_x, d_w;
    if (ctx->needs_input_grad(0)) d_delta = g * delta * weight;
    const bool need_x = ctx->needs_input_grad(1), need_w = ctx->needs_input_grad(2);
    if (multiplier > 0) {
      const auto scale = g * multiplier;
      if (need_x) d_x = scale_by_shifted(x, x_shift, scale, torch::mm(d2, ws2));
      if (need_w) d_w = scale_by_shifted(w, w_offset, scale, torch::mm(d2.t(), a2));
    } else {
      if (need_x) d_x = torch::zeros_like(x);
      if (need_w) d_w = torch::zeros_like(w);
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
  const std::vector<int64_t> stride = {conv.options.stride()}, no_padding = {0}, dilation = {1};
  const auto q = torch::conv2d(a.square(), (conv.weight_tensor() + w_offset).square(), torch::Tensor(), stride,
                               no_padding, dilation, conv.options.groups());
  return (multiplier / (2.0 * static_cast<double>(r.input.size(0)))) * (delta.square() * q).sum();
}

}  // namespace

torch::Tensor dense_sensitivity(const torch::Tensor& delta, const torch::Tensor& x, const torch::Tensor& w,
                                const QuantParams& qx, const QuantParams& qw, const LayerNoise& noise) {
  const auto dtype = w.scalar_type();
  const auto w_offset = (broadcast_channel(qw.zero_point, 2) * broadcast_channel(qw.scale, 2)).to(dtype);
  const auto w_scale_sq = (qw.scale * qw.scale).reshape({-1}).expand({w.size(0)}).to(dtype).contiguous();
  const double x_offset = (qx.zero_point * qx.scale).to(dtype).item<double>();
  return DenseSensitivity::apply(delta, x, w, w_offset, w_scale_sq, x_offset, noise.multiplier_variance,
                                 noise.memory_code_variance);
}

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
    const int64_t out = w.size(0), groups = layer->is_conv() ? as_conv(layer).options.groups() : 1;
    const int64_t group_out = out / groups;
    const auto n = static_cast<double>(r.input.size(0));
    const auto all_deltas = deltas[l].reshape({deltas[l].size(0), out, -1});   // {N, O, L}
    const auto zero_points = broadcast_channel(r.weight_quant.zero_point, 2);  // {} or {O, 1}
    const auto scales = broadcast_channel(r.weight_quant.scale, 2);
    const auto rows_of_group = [&](const torch::Tensor& t, int64_t g) {  // a per-channel {O, ...} tensor's rows
      return groups == 1 || t.numel() == 1 ? t : t.narrow(0, g * group_out, group_out);
    };
    std::vector<torch::Tensor> parts;  // one per group: each group is a convolution of its own
    for (int64_t g = 0; g < groups; ++g) {
      const auto x = operand_rows(layer, r.input, g, groups);                                        // {N, L, K}
      const auto delta = groups == 1 ? all_deltas : all_deltas.narrow(1, g * group_out, group_out);  // {N, O, L}
      const auto delta_sq = delta * delta;
      const auto w2 = rows_of_group(w.reshape({out, -1}), g);
      auto s = torch::zeros_like(w2);
      if (noise[l].multiplier_variance > 0) {
        const auto wz = (rows_of_group(zero_points, g) * rows_of_group(scales, g)).to(w.scalar_type());
        const auto w_seen = w2 + wz;                                                                   // c_w scale_w
        const auto a_seen = x + (r.input_quant.zero_point * r.input_quant.scale).to(x.scalar_type());  // c_a scale_a
        const auto paired = torch::einsum("nol,nlk->ok", {delta_sq, a_seen * a_seen}) / n;
        s = s + noise[l].multiplier_variance * w_seen * w_seen * paired;
      }
      if (noise[l].memory_code_variance > 0) {
        const auto scale = rows_of_group(scales, g).to(w.scalar_type());
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
      parts.push_back(s);
    }
    result.push_back((groups == 1 ? parts[0] : torch::cat(parts, 0)).view(w.sizes()));
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
      term =
          dense_sensitivity(deltas[l], rec.input, layer->weight_tensor(), rec.input_quant, rec.weight_quant, noise[l]);
    }
    r = r.defined() ? r + term : term;
  }
  return r.defined() ? r : torch::zeros({});
}

}  // namespace axtrain
