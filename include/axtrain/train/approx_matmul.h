// The approximate product of two code matrices on torch tensors, bit-exact with gemm_reference:
//   C[o][n] = sum_k f(A[o][k], B[k][n])        (no zero-point terms; the layer adds them)
// Fast path (the "decomposed table GEMM"): when f's error table has an exact integer decomposition
// f(a, b) = a*b + sum_t u_t(a) v_t(b) (Kulkarni, truncation, DRUM: rank <= 8), C = A@B + sum_t U_t(A)@V_t(B)
// in float64 matmuls, exact because every partial sum is an integer below 2^53 (checked per call).
// Otherwise a per-MAC table gather, parallel over rows.
#pragma once

#include "axtrain/hw/multiplier.h"

#include <torch/types.h>

namespace axtrain {

class ApproxMatmul {
 public:
  explicit ApproxMatmul(const Multiplier& multiplier);

  // a: {O, K} codes, b: {K, N} codes, both float64 holding integers in the multiplier's code range.
  // Returns {O, N} float64. No gradient.
  torch::Tensor operator()(const torch::Tensor& a, const torch::Tensor& b) const;

  const Multiplier& multiplier() const { return multiplier_; }
  bool decomposed() const { return terms_ >= 0; }  // the exact design counts (0 terms)

  // The per-MAC gather, always available (the fast path is tested against it).
  torch::Tensor gather(const torch::Tensor& a, const torch::Tensor& b) const;

 private:
  Multiplier multiplier_;
  int terms_ = -1;       // factor pairs of the integer decomposition; -1 = none (gather only)
  torch::Tensor u_, v_;  // {256, terms} float64, indexed by operand index
  double max_abs_u_ = 0, max_abs_v_ = 0;
  torch::Tensor table_;  // {65536} int64 products by operand index, for the gather
};

}  // namespace axtrain
