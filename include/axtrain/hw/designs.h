// The built-in multiplier designs (SPEC 2.2), each a small value type whose call operator is the
// design's definition on unsigned 8-bit codes a, b in 0..255. These formulas are the ground truth that
// tables, decompositions and kernels are checked against.
#pragma once

#include <cstdint>

namespace axtrain {

// a * b.
struct ExactMul {
  std::int32_t operator()(int a, int b) const { return a * b; }
  bool operator==(const ExactMul&) const = default;
};

// Kulkarni, Gupta, Ercegovac (VLSI Design 2011) under-designed multiplier. The product is the exact sum
// of 16 2x2 blocks; block (i, j) multiplies 2-bit chunk i of a with chunk j of b (weight 4^(i+j)) and is
// the approximate block (3 x 3 = 7, otherwise exact) iff i + j < k. k in 0..7; 0 = exact, 7 = all blocks.
struct KulkarniMul {
  int k = 7;
  static constexpr int kMax = 7;
  std::int32_t operator()(int a, int b) const;
  bool operator==(const KulkarniMul&) const = default;
};

// Truncated array multiplier: partial-product bits a_i b_j with i + j < t are dropped, no compensation.
// t in 0..15; 0 = exact, 15 drops every partial product.
struct TruncatedMul {
  int t = 8;
  static constexpr int kMax = 15;
  std::int32_t operator()(int a, int b) const;
  bool operator==(const TruncatedMul&) const = default;
};

// DRUM (Hashemi, Bahar, Reda, ICCAD 2015): each operand of 2^k or more keeps the k bits that start at its
// leading one, with the lowest kept bit forced to 1 (unbiasing); the k x k product is shifted back.
// Operands below 2^k are used exactly. k in 1..8; 8 = exact.
struct DrumMul {
  int k = 6;
  static constexpr int kMin = 1;
  static constexpr int kMax = 8;
  std::int32_t operator()(int a, int b) const;
  bool operator==(const DrumMul&) const = default;
};

// Mitchell's logarithmic multiplier (1962): log2 x ~ n + m / 2^n for x = 2^n + m (leading one at n), the
// logarithms are added and the antilogarithm is taken with the same piecewise-linear approximation. On
// integers this is exact arithmetic (no rounding): with x = 2^na + ma and y = 2^nb + mb,
//   s = ma 2^nb + mb 2^na;  f = 2^(na+nb) + s if s < 2^(na+nb), else 2 s.  f(0, y) = f(x, 0) = 0.
struct MitchellMul {
  std::int32_t operator()(int a, int b) const;
  bool operator==(const MitchellMul&) const = default;
};

}  // namespace axtrain
