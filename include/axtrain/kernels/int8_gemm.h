// Exact integer GEMM on 8-bit operands with int32 accumulation: oneDNN's u8 x s8 GEMM (VNNI where the CPU
// has it). The building block of the decomposed approximate GEMM (decomposed_gemm.h).
#pragma once

#include <cstdint>

namespace axtrain {

// Largest |sum| an int8 GEMM may reach: every partial sum stays below 2^31, so int32 accumulation is exact.
// A u8 x s8 product is at most 255 * 128 in magnitude, so a depth of kInt8GemmMaxDepth always fits.
inline constexpr int kInt8GemmMaxDepth = 65793;  // floor((2^31 - 1) / (255 * 128))

// Widest signed operand (in bits) for which the GEMM is exact on this CPU. With VNNI (vpdpbusd) every
// u8 x s8 pair accumulates in int32: 8 bits. Without it oneDNN sums pairs of products in int16 with
// saturation (vpmaddubsw), which is exact only while 2 * 255 * |b| <= 32767: signed operands of 7 bits.
int int8_gemm_signed_bits();

// How the second operand B of a GEMM is stored: k x n row-major (B[p][j] at b[p * ldb + j], ldb >= n), or
// as its transpose, n x k row-major (B[p][j] at b[j * ldb + p], ldb >= k): both operands then run along k,
// which is how a layer holds its activations (one row per sample), so no transpose is needed.
enum class BLayout { kKByN, kNByK };

// C[i][j] = sum_p A[i][p] * B[p][j], exactly.
//   a: m x k u8, row stride lda >= k;  b: s8 in `layout` (k x n, or n x k);  c: m x n int32, stride ldc >= n.
// Signed operands must lie in the range of int8_gemm_signed_bits() (checked in debug builds only: the
// callers build them). Requires 1 <= k <= kInt8GemmMaxDepth. Threads: oneDNN's OpenMP team.
void int8_gemm(int m, int n, int k, const std::uint8_t* a, int lda, const std::int8_t* b, int ldb, std::int32_t* c,
               int ldc, BLayout layout = BLayout::kKByN);

}  // namespace axtrain
