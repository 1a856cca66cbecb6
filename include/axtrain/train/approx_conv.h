// The forward pass of an approximate convolution as a GEMM over rows of input patches (SPEC 2.1).
#pragma once

#include "axtrain/kernels/conv_rows.h"
#include "axtrain/train/approx_forward.h"

#include <torch/types.h>

namespace axtrain {

// x {N, C, H, W} as rows of patches {N L, C k k}: torch's im2col, transposed; differentiable.
torch::Tensor unfold_input_rows(const torch::Tensor& x, const ConvGeometry& g);

// approx_forward(unfold_input_rows(x, g), w, bias, ...) with the same values and gradients, {N L, O}; w is
// {O, C k k}. In kEmulate the input is quantised before it is unfolded (one code per input entry, not one
// per patch entry), the codes are unfolded as bytes, and the backward unfolds the dequantised input and
// folds the input gradient back itself, in torch's order: no float patches in the forward pass.
torch::Tensor approx_conv_forward(const torch::Tensor& x, const torch::Tensor& w, const torch::Tensor& bias,
                                  const ConvGeometry& g, const QuantParams& qx, const QuantParams& qw,
                                  const HardwareState& hw, int layer_id, LayerRuntime& runtime);

}  // namespace axtrain
