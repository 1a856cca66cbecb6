// The approximate product of two code matrices on torch tensors, bit-exact with gemm_reference:
//   C[o][n] = sum_k f(A[o][k], X[n][k])        (no zero-point terms; the layer adds them)
// computed by the kernels' adaptor (kernels/approx_gemm.h): int8 GEMMs on an exact integer decomposition of
// f's error (Kulkarni, truncation, DRUM), or the vectorised table kernel for any other table.
#pragma once

#include "axtrain/hw/multiplier.h"
#include "axtrain/kernels/approx_gemm.h"

#include <torch/types.h>

namespace axtrain {

class ApproxMatmul {
 public:
  explicit ApproxMatmul(const Multiplier& multiplier);

  // a: {O, K} codes, x: {N, K} codes, both float64 holding integers in the multiplier's code range.
  // Returns {O, N} float64 (exact integers). No gradient. `path` must be supported at depth K (choose()).
  torch::Tensor operator()(const torch::Tensor& a, const torch::Tensor& x, GemmPath path) const;
  // The same on stored bytes (code_bytes): a {O, K} and x {N, K}, contiguous.
  torch::Tensor of_bytes(const torch::Tensor& a, const torch::Tensor& x, GemmPath path) const;
  // The likely fastest exact path for products of depth k, by rule (decomposed when short enough).
  GemmPath choose(int64_t k) const;
  // The product on every candidate path for this depth (decomposed, the best table path), each run twice;
  // checks that they agree bit for bit and sets *fastest to the one whose second run took least time. The
  // layer calls this once per depth and keeps the path: paths never change results, only speed.
  torch::Tensor tuned(const torch::Tensor& a, const torch::Tensor& x, GemmPath* fastest) const;  // on bytes

  const Multiplier& multiplier() const { return gemm_.multiplier(); }
  const ApproxGemm& gemm() const { return gemm_; }

 private:
  ApproxGemm gemm_;
};

// Stored bytes of codes (float64 integers): unsigned codes as they are, signed codes as two's complement.
torch::Tensor code_bytes(const torch::Tensor& codes, bool is_signed);
// The codes (float64) of stored bytes.
torch::Tensor codes_of_bytes(const torch::Tensor& bytes, bool is_signed);

}  // namespace axtrain
