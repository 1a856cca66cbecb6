// The tile kernels behind TableGemm (axtrain/kernels/table_gemm.h), one per path. Internal to axt_kernels.
// A tile is one row i of C and a block of at most the path's block width of columns starting at j0.
#pragma once

#include "axtrain/kernels/table_gemm.h"

#include <cstdint>

namespace axtrain::table_gemm_detail {

// One call's operands and the zero-point terms, shared by every tile of the call.
//   C[i][j] = sum_p (table(A[i][p], B[p][j]) + row_weight[A[i][p]]) + row_const - col_term[j]
struct TileArgs {
  int k;
  const std::uint8_t* a;
  int lda;
  const std::uint8_t* b;
  int ldb;
  std::int32_t* c;
  int ldc;
  // [byte of a]: -zb * code, plus the row offset on the vbmi path (whose planes hold table - offset).
  const std::int64_t* row_weight;
  std::int64_t row_const;        // k * za * zb
  const std::int32_t* col_term;  // [j]: za * sum_p code(B[p][j]) (fits int32 for k <= kGemmMaxK); nullptr if za == 0
};

inline constexpr int kScalarBlock = 256;
inline constexpr int kAvx2Block = 256;
inline constexpr int kVbmiBlock = 256;
inline constexpr int kMaxBlock = 256;
static_assert(kScalarBlock <= kMaxBlock && kAvx2Block <= kMaxBlock && kVbmiBlock <= kMaxBlock);

// products: the [byte of a][byte of b] table. Accumulates in int64 and checks the result fits int32.
void scalar_tile(const TileArgs& t, const std::int32_t* products, int i, int j0, int width);
// Same table; int32 sums (exact for entries in the 16-bit file range). Needs AVX2.
void avx2_tile(const TileArgs& t, const std::int32_t* products, int i, int j0, int width);
// The byte planes; int32 sums. Needs AVX-512 F, BW and VBMI.
void vbmi_tile(const TileArgs& t, const TableGemm::RowPlanes* planes, int i, int j0, int width);

// The fast paths add in wrapping 32-bit arithmetic (vector lanes, std::uint32_t in scalar code): the true
// result fits int32 for tables in the 16-bit file range and k <= kGemmMaxK, so the wrapped sum of its parts is
// the result.

}  // namespace axtrain::table_gemm_detail
