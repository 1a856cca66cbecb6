// The hardware-noise sensitivity of every weight (SPEC 2.7), the AxTrain-act term R and the reported metric.
//
// For a layer with weights W (out x in), inputs a, pre-activation outputs z and delta = d loss / d z of one
// sample, over output positions p:
//   S_ij = E_x[ sum_p delta_{p,i}^2 v_{ij,p} + s_w^2 (sum_p delta_{p,i} a_{p,j})^2 ]
// with multiplier noise v_{ij,p} = s_m^2 (c_w c_a scale_w scale_a)^2, s_m^2 the variance of the multiplier's
// relative error over this layer's operand codes, and memory noise s_w^2 = sum_b p_b (2^b scale_w)^2.
// Here c_w scale_w = w + zero_w scale_w and c_a scale_a = a + zero_a scale_a: the codes the multiplier sees,
// unrounded, so S is smooth in the weights. Quantisation parameters and noise moments are held constant
// (detached) within a step; the gradient of R = 1/2 sum S is otherwise exact (double backward).
#pragma once

#include "axtrain/train/approx_layers.h"
#include "axtrain/train/hardware_state.h"

#include <torch/types.h>

#include <vector>

namespace axtrain {

// The noise of the target hardware as it acts on one layer.
struct LayerNoise {
  double multiplier_variance = 0;   // s_m^2: variance of the relative product error
  double memory_code_variance = 0;  // variance of a stored weight code's change, code units^2
};

// Noise of `target` on each layer, from the layers' last records (their operand codes).
std::vector<LayerNoise> layer_noise(const std::vector<ApproxLayer*>& layers, const HardwareState& target);

// Per-weight sensitivity {out, in...} of each layer, averaged over the batch, from the layers' records and
// deltas[l] = d(sum over samples of the per-sample loss) / d(layer l's output). Differentiable when the
// deltas were computed with create_graph.
std::vector<torch::Tensor> weight_sensitivity(const std::vector<ApproxLayer*>& layers,
                                              const std::vector<torch::Tensor>& deltas,
                                              const std::vector<LayerNoise>& noise);

// R of one dense layer (delta {N, O}, x {N, K}, w {O, K}, quantised by qx and qw), the fused form
// sensitivity_term uses, differentiable in delta, x and w (not again: its backward has no graph). Its value and
// gradients are those of the tensor expressions it replaced, bit for bit, for inputs of any dense layout
// (test Sensitivity.DenseTermIsTheFormerTensorExpressionBitForBit).
torch::Tensor dense_sensitivity(const torch::Tensor& delta, const torch::Tensor& x, const torch::Tensor& w,
                                const QuantParams& qx, const QuantParams& qw, const LayerNoise& noise);

// R = 1/2 sum of every layer's S, the term act adds to the loss, differentiable (through the deltas, the layer
// inputs and the weights), equal to 1/2 sum weight_sensitivity to float rounding (test
// Sensitivity.FusedTermsEqualTheGeneralExpression): dense layers take a fused form with its gradient written
// out, convolutions their multiplier part as one convolution of the squared operands and their memory part
// as the general expression.
torch::Tensor sensitivity_term(const std::vector<ApproxLayer*>& layers, const std::vector<torch::Tensor>& deltas,
                               const std::vector<LayerNoise>& noise);

}  // namespace axtrain
