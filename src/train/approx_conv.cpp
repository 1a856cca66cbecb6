#include "axtrain/train/approx_conv.h"

#include "axtrain/util/check.h"

#include <ATen/Dispatch.h>
#include <ATen/Parallel.h>
#include <torch/torch.h>

#include <vector>

namespace axtrain {
namespace {

// rows {N L, C k k} of images {N, C, H, W} (code bytes, float32 or float64), each sample unfolded by unfold_rows.
template <typename T>
void unfold_each(const torch::Tensor& in, const ConvGeometry& g, const torch::Tensor& pad, torch::Tensor& rows) {
  const T* src = in.data_ptr<T>();
  T* dst = rows.data_ptr<T>();
  const T fill = pad.item<T>();
  at::parallel_for(0, in.size(0), 1, [&](int64_t begin, int64_t end) {
    for (int64_t n = begin; n < end; ++n)
      unfold_rows<T>(src + n * g.image(), g, fill, dst + n * g.positions() * g.patch());
  });
}

torch::Tensor unfold_samples(const torch::Tensor& images, const ConvGeometry& g, const torch::Tensor& pad) {
  const auto in = images.contiguous();
  auto rows = torch::empty({in.size(0) * g.positions(), g.patch()}, in.options());
  if (in.scalar_type() == torch::kUInt8) {
    unfold_each<std::uint8_t>(in, g, pad, rows);
  } else {
    AT_DISPATCH_FLOATING_TYPES(in.scalar_type(), "unfold_samples", [&] { unfold_each<scalar_t>(in, g, pad, rows); });
  }
  return rows;
}

// images {N, C, H, W} from rows {N L, C k k}, each sample folded by fold_rows (torch's col2im order).
torch::Tensor fold_samples(const torch::Tensor& rows_in, const ConvGeometry& g) {
  const auto rows = rows_in.contiguous();
  const int64_t samples = rows.size(0) / g.positions();
  auto images = torch::empty({samples, g.channels, g.height, g.width}, rows.options());
  AT_DISPATCH_FLOATING_TYPES(rows.scalar_type(), "fold_samples", [&] {
    const scalar_t* src = rows.data_ptr<scalar_t>();
    scalar_t* dst = images.data_ptr<scalar_t>();
    at::parallel_for(0, samples, 1, [&](int64_t begin, int64_t end) {
      for (int64_t n = begin; n < end; ++n)
        fold_rows<scalar_t>(src + n * g.positions() * g.patch(), g, dst + n * g.image());
    });
  });
  return images;
}

std::vector<int64_t> to_list(const ConvGeometry& g) {
  return {g.channels, g.height, g.width, g.kernel, g.stride, g.padding};
}
ConvGeometry from_list(const std::vector<int64_t>& v) {
  return ConvGeometry{v[0], v[1], v[2], v[3], v[4], v[5]};
}

struct FoldRows;

// rows = unfold(x) as an autograd node: torch's im2col, transposed, and its backward (the fold, col2im's
// order), both differentiable again for double backward. The values are those of torch's im2col graph
// (test ConvRows.*), without its transposed copy.
struct UnfoldRows : torch::autograd::Function<UnfoldRows> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                               const std::vector<int64_t>& geometry);
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads);
};

// x = fold(rows): col2im of the rows; its backward is the unfold.
struct FoldRows : torch::autograd::Function<FoldRows> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& rows,
                               const std::vector<int64_t>& geometry) {
    ctx->saved_data["geometry"] = geometry;
    return fold_samples(rows, from_list(geometry));
  }
  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    return {UnfoldRows::apply(grads[0], ctx->saved_data["geometry"].toIntVector()), torch::Tensor()};
  }
};

torch::Tensor UnfoldRows::forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x,
                                  const std::vector<int64_t>& geometry) {
  ctx->saved_data["geometry"] = geometry;
  return unfold_samples(x, from_list(geometry), torch::zeros({}, x.options()));
}

torch::autograd::tensor_list UnfoldRows::backward(torch::autograd::AutogradContext* ctx,
                                                  torch::autograd::tensor_list grads) {
  return {FoldRows::apply(grads[0], ctx->saved_data["geometry"].toIntVector()), torch::Tensor()};
}

// The emulated convolution as one autograd node: forward returns the hardware's rows {N L, O}; backward is
// HardwareProduct's straight-through gradient for the rows operand unfold_input_rows(x), with the im2col
// backward that followed it: dw = g^T fq_rows (fq_rows unfolded from the dequantised input), dx = the fold of
// g fq_w. For double backward (create_graph) it rebuilds that graph from x, so second-order gradients are the
// former ones too.
struct ConvHardwareProduct : torch::autograd::Function<ConvHardwareProduct> {
  static torch::Tensor forward(torch::autograd::AutogradContext* ctx, const torch::Tensor& x, const torch::Tensor& w,
                               const torch::Tensor& value, const torch::Tensor& deq_x, const torch::Tensor& deq_w,
                               const torch::Tensor& deq_pad, const std::vector<int64_t>& geometry) {
    ctx->save_for_backward({x, w, deq_x, deq_w, deq_pad});
    ctx->saved_data["geometry"] = geometry;
    return value;
  }

  static torch::autograd::tensor_list backward(torch::autograd::AutogradContext* ctx,
                                               torch::autograd::tensor_list grads) {
    const auto saved = ctx->get_saved_variables();
    const torch::Tensor &x = saved[0], &w = saved[1], &deq_x = saved[2], &g = grads[0];
    const ConvGeometry geometry = from_list(ctx->saved_data["geometry"].toIntVector());
    const bool need_x = ctx->needs_input_grad(0), need_w = ctx->needs_input_grad(1);
    torch::Tensor fq_w = saved[3], dx, dw;
    const torch::Tensor& pad = saved[4];  // the dequantised code of 0.0
    if (torch::GradMode::is_enabled()) {
      fq_w = fq_w + (w - w.detach());
      if (need_x) dx = FoldRows::apply(g.mm(fq_w), to_list(geometry));
      if (need_w) {
        const auto rows = unfold_input_rows(x, geometry);
        dw = g.t().mm(unfold_samples(deq_x, geometry, pad) + (rows - rows.detach()));
      }
    } else {
      if (need_x) dx = fold_samples(g.mm(fq_w), geometry);
      if (need_w) dw = g.t().mm(unfold_samples(deq_x, geometry, pad));
    }
    return {dx, dw, torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor(), torch::Tensor()};
  }
};

}  // namespace

torch::Tensor unfold_input_rows(const torch::Tensor& x, const ConvGeometry& g) {
  return UnfoldRows::apply(x, to_list(g));
}

torch::Tensor approx_conv_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                                  const ConvGeometry& g, const QuantParams& qx, const QuantParams& qw,
                                  const HardwareState& hw, int layer_id, LayerRuntime& runtime) {
  AXT_ASSERT(x.dim() == 4 && w.dim() == 2 && w.size(1) == g.patch());
  if (hw.mode != ForwardMode::kEmulate)
    return approx_forward(unfold_input_rows(x, g), w, bias, qx, qw, hw, layer_id, runtime);
  const int64_t samples = x.size(0);
  QuantizedRows rx, rw, pad;
  torch::Tensor deq_x, value;
  {
    torch::NoGradGuard no_grad;
    // Quantisation is elementwise, so the codes of the unfolded input are the unfolded codes of the input,
    // and a padded entry (0.0) has the code of 0.0.
    const QuantizedRows image = quantize_rows(x.reshape({samples, -1}), qx);
    pad = quantize_rows(torch::zeros({1, 1}, x.options()), qx);
    rx.bytes = unfold_samples(image.bytes.view({samples, g.channels, g.height, g.width}), g, pad.bytes[0][0]);
    rx.code_sums = byte_row_sums(rx.bytes, hw.is_signed());
    deq_x = image.dequantized.view(x.sizes());
    rw = quantize_rows(w, qw);
    value = hardware_output(rx, rw, qx, qw, hw, layer_id, runtime, x.scalar_type());
  }
  auto y = ConvHardwareProduct::apply(x, w, value, deq_x, rw.dequantized, pad.dequantized[0][0], to_list(g));
  return bias.defined() ? y + bias : y;
}

}  // namespace axtrain
