// The reference approximate GEMM: the specification every faster kernel is checked against, bit for bit.
// Written to be obviously correct, not fast.
#pragma once

#include "axtrain/hw/multiplier.h"

#include <cstdint>

namespace axtrain {

// Largest K for which every result fits int32 whatever the codes, zero points and design.
inline constexpr int kGemmMaxK = 16384;

// C[i][j] = sum_k f(A[i][k], B[k][j]) - zb * sum_k A[i][k] - za * sum_k B[k][j] + K * za * zb
//         = sum_k (f(A[i][k], B[k][j]) - A[i][k] zb - za B[k][j] + za zb)
// which is sum_k (A - za)(B - zb) when f is exact (SPEC 2.1: the design multiplies the raw codes, the
// zero-point terms are exact).
//   a: m x k codes, row-major, row stride lda >= k;  b: k x n codes, row-major, row stride ldb >= n
//   c: m x n int32, row-major, row stride ldc >= n (written, not accumulated)
// Codes are stored bytes: an unsigned design reads 0..255, a signed one reads them as int8 (-128..127).
// Zero points za, zb are codes in the same range (0 for symmetric signed quantisation).
// Requires m, n >= 0 and 1 <= k <= kGemmMaxK; throws axtrain::Error otherwise.
void gemm_reference(const Multiplier& f, int m, int n, int k, const std::uint8_t* a, int lda, int za,
                    const std::uint8_t* b, int ldb, int zb, std::int32_t* c, int ldc);

}  // namespace axtrain
