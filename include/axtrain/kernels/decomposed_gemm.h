// The decomposed approximate GEMM: a multiplier whose error table has an exact integer decomposition
// f(a, b) = a*b + sum_t u_t(a) v_t(b) (ErrorDecomposition) runs as a few exact int8 GEMMs.
//
// Every factor (the codes themselves for the a*b part, and each u_t, v_t) is written as
//   value = g * (offset + sum_d base^d digit_d)
// with digits that fit the int8 GEMM's operands: u8 (0..255) on the first operand's side, s8 of
// int8_gemm_signed_bits() bits on the second's. Kulkarni's designs, truncation and DRUM need one digit per
// factor (`axtrain bench` prints each plan). The product of two factors expands into
//   digit x digit GEMM segments, each with an integer scale g_u g_v base_u^i base_v^j;
//   row terms  (the other side's offset times a row sum of a digit) and column terms;
//   a constant per k.
// Segments of equal scale are stacked into one GEMM of depth (segments * k), so K3 is one GEMM of depth 2k.
//
// Exactness: each GEMM's depth is capped at kInt8GemmMaxDepth (int32 accumulation never overflows), and the
// combination is computed modulo 2^32. The true result fits int32 whenever result_fits() holds, and then
// the modular sum equals it: bit-identical to gemm_reference, with no rounding anywhere.
#pragma once

#include "axtrain/hw/multiplier.h"
#include "axtrain/kernels/byte_lookup.h"
#include "axtrain/kernels/int8_gemm.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace axtrain {

class DecomposedGemm {
 public:
  // The plan for f, or nullopt when f's error has no integer decomposition (then use the table kernel).
  // signed_bits: width of the second operand's digits (int8_gemm_signed_bits(); tests force 7).
  static std::optional<DecomposedGemm> plan(const Multiplier& f, int signed_bits);

  // gemm_reference's contract and result. Requires result_fits(k, za, zb). With BLayout::kNByK, b holds B
  // transposed (n x k, row stride ldb >= k): the stacked operand is then built along k, with no transpose.
  void run(int m, int n, int k, const std::uint8_t* a, int lda, int za, const std::uint8_t* b, int ldb, int zb,
           std::int32_t* c, int ldc, BLayout layout = BLayout::kKByN) const;

  // True when every result of a depth-k GEMM with these zero points provably fits int32.
  bool result_fits(int k, int za, int zb) const;
  // Number of depth-k int8 GEMM segments (the cost in units of one int8 GEMM of the same shape).
  int segment_count() const;
  // e.g. "2 int8 GEMMs of depth 2k (4 segments)".
  std::string describe() const;

 private:
  struct Segment {
    int p, q;  // indices into p_tables_ / q_tables_
  };
  struct Group {
    std::int64_t scale;
    std::vector<Segment> segments;
  };
  DecomposedGemm() = default;
  int add_p_table(const ByteTable& table);
  int add_q_table(const ByteTable& table);

  bool is_signed_ = false;
  std::int64_t max_abs_product_ = 0;
  std::vector<ByteTable> p_tables_;  // u8 digits of first-operand factors, by stored byte
  std::vector<ByteTable> q_tables_;  // s8 digits (as bytes) of second-operand factors, by stored byte
  std::vector<Group> groups_;
  std::vector<std::uint32_t> row_coef_;  // by P table: coefficient * sum_p P(a[i][p]) is added to row i
  std::vector<std::uint32_t> col_coef_;  // by Q table: coefficient * sum_p Q(b[p][j]) is added to column j
  std::int64_t constant_ = 0;            // k * constant added to every element
};

}  // namespace axtrain
