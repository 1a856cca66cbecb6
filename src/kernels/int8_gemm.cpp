#include "axtrain/kernels/int8_gemm.h"

#include "axtrain/util/check.h"

#include <oneapi/dnnl/dnnl.h>

namespace axtrain {

int int8_gemm_signed_bits() {
  static const int bits = [] {
    const dnnl_cpu_isa_t isa = dnnl_get_effective_cpu_isa();
    const bool vnni = (isa & dnnl_cpu_isa_avx512_core_vnni) == dnnl_cpu_isa_avx512_core_vnni ||
                      (isa & dnnl_cpu_isa_avx2_vnni) == dnnl_cpu_isa_avx2_vnni;
    return vnni ? 8 : 7;
  }();
  return bits;
}

void int8_gemm(int m, int n, int k, const std::uint8_t* a, int lda, const std::int8_t* b, int ldb, std::int32_t* c,
               int ldc, BLayout layout) {
  AXT_CHECK(m >= 0 && n >= 0 && k >= 1 && k <= kInt8GemmMaxDepth,
            "int8 GEMM shape m={} n={} k={} is invalid; use m, n >= 0 and 1 <= k <= {}", m, n, k, kInt8GemmMaxDepth);
  const bool transposed = layout == BLayout::kNByK;
  AXT_CHECK(lda >= k && ldb >= (transposed ? k : n) && ldc >= n,
            "int8 GEMM strides lda={} ldb={} ldc={} are too small for k={} n={}", lda, ldb, ldc, k, n);
  if (m == 0 || n == 0) return;
  const std::int32_t no_offset = 0;  // oneDNN reads the C offset even when it is zero
  const dnnl_status_t status = dnnl_gemm_u8s8s32('N', transposed ? 'T' : 'N', 'F', m, n, k, 1.0f, a, lda, 0, b, ldb, 0,
                                                 0.0f, c, ldc, &no_offset);
  AXT_CHECK(status == dnnl_success, "oneDNN int8 GEMM failed with status {} (m={} n={} k={})", static_cast<int>(status),
            m, n, k);
}

}  // namespace axtrain
