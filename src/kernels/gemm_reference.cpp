#include "axtrain/kernels/gemm_reference.h"

#include "axtrain/util/check.h"

#include <limits>
#include <vector>

namespace axtrain {

void gemm_reference(const Multiplier& f, int m, int n, int k, const std::uint8_t* a, int lda, int za,
                    const std::uint8_t* b, int ldb, int zb, std::int32_t* c, int ldc) {
  AXT_CHECK(m >= 0 && n >= 0, "GEMM shape m={} n={} is invalid; m and n must be >= 0", m, n);
  AXT_CHECK(k >= 1 && k <= kGemmMaxK, "GEMM depth k={} is out of range; use 1..{} (int32 accumulation)", k, kGemmMaxK);
  AXT_CHECK(lda >= k && ldb >= n && ldc >= n, "GEMM strides lda={} ldb={} ldc={} are too small for k={} n={}", lda, ldb,
            ldc, k, n);
  const int lo = f.is_signed() ? -128 : 0;
  const int hi = f.is_signed() ? 127 : 255;
  AXT_CHECK(za >= lo && za <= hi && zb >= lo && zb <= hi,
            "zero points za={} zb={} are outside the {} code range {}..{}", za, zb,
            f.is_signed() ? "signed" : "unsigned", lo, hi);
  auto code = [&f](std::uint8_t byte) {
    return f.is_signed() ? static_cast<int>(static_cast<std::int8_t>(byte)) : int{byte};
  };

  // Row sums of A and column sums of B for the zero-point terms.
  std::vector<std::int64_t> row_sum(m, 0), col_sum(n, 0);
  for (int i = 0; i < m; ++i)
    for (int p = 0; p < k; ++p) row_sum[i] += code(a[i * lda + p]);
  for (int p = 0; p < k; ++p)
    for (int j = 0; j < n; ++j) col_sum[j] += code(b[p * ldb + j]);

  for (int i = 0; i < m; ++i) {
    for (int j = 0; j < n; ++j) {
      std::int64_t acc = 0;
      for (int p = 0; p < k; ++p) acc += f.multiply(code(a[i * lda + p]), code(b[p * ldb + j]));
      acc += -std::int64_t{zb} * row_sum[i] - std::int64_t{za} * col_sum[j] + std::int64_t{k} * za * zb;
      AXT_ASSERT(acc >= std::numeric_limits<std::int32_t>::min() && acc <= std::numeric_limits<std::int32_t>::max());
      c[i * ldc + j] = static_cast<std::int32_t>(acc);
    }
  }
}

}  // namespace axtrain
