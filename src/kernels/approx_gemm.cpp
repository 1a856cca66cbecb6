#include "axtrain/kernels/approx_gemm.h"

#include "axtrain/kernels/int8_gemm.h"
#include "axtrain/util/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

namespace axtrain {
namespace {

TablePath table_path(GemmPath path) {
  switch (path) {
    case GemmPath::kTableVbmi: return TablePath::kVbmi;
    case GemmPath::kTableAvx2: return TablePath::kAvx2;
    default: return TablePath::kScalar;
  }
}

// out (k x n, row stride n) = the transpose of in (n x k, row stride ld), in tiles that stay in L1.
void transpose_bytes(const std::uint8_t* in, std::size_t ld, std::size_t n, std::size_t k, std::uint8_t* out) {
  constexpr std::size_t kTile = 64;
  for (std::size_t j0 = 0; j0 < n; j0 += kTile) {
    const std::size_t j1 = std::min(n, j0 + kTile);
    for (std::size_t p0 = 0; p0 < k; p0 += kTile) {
      const std::size_t p1 = std::min(k, p0 + kTile);
      for (std::size_t j = j0; j < j1; ++j)
        for (std::size_t p = p0; p < p1; ++p) out[p * n + j] = in[j * ld + p];
    }
  }
}

}  // namespace

std::string_view gemm_path_name(GemmPath path) {
  switch (path) {
    case GemmPath::kDecomposed: return "decomposed";
    case GemmPath::kTableVbmi: return "table-vbmi";
    case GemmPath::kTableAvx2: return "table-avx2";
    case GemmPath::kGather: return "gather";
  }
  return "?";
}

ApproxGemm::ApproxGemm(const Multiplier& f)
    : multiplier_(f), decomposed_(DecomposedGemm::plan(f, int8_gemm_signed_bits())), table_(f) {}

bool ApproxGemm::supports(GemmPath path, int k, int za, int zb) const {
  if (path == GemmPath::kDecomposed) return decomposed_ && decomposed_->result_fits(k, za, zb);
  return table_path_supported(table_path(path));
}

GemmPath ApproxGemm::choose(int k, int za, int zb) const {
  if (supports(GemmPath::kDecomposed, k, za, zb) && decomposed_->segment_count() <= kMaxDecomposedSegments)
    return GemmPath::kDecomposed;
  switch (best_table_path()) {
    case TablePath::kVbmi: return GemmPath::kTableVbmi;
    case TablePath::kAvx2: return GemmPath::kTableAvx2;
    case TablePath::kScalar: break;
  }
  return GemmPath::kGather;
}

void ApproxGemm::run(GemmPath path, int m, int n, int k, const std::uint8_t* a, int lda, int za, const std::uint8_t* b,
                     int ldb, int zb, std::int32_t* c, int ldc, BLayout layout) const {
  AXT_CHECK(supports(path, k, za, zb), "GEMM path {} does not apply to {} at depth {} on this CPU",
            gemm_path_name(path), multiplier_.spec(), k);
  if (path == GemmPath::kDecomposed) {
    decomposed_->run(m, n, k, a, lda, za, b, ldb, zb, c, ldc, layout);
    return;
  }
  if (layout == BLayout::kNByK) {
    AXT_CHECK(n >= 0 && k >= 1 && ldb >= k, "GEMM shape n={} k={} with row stride ldb={} is invalid", n, k, ldb);
    thread_local std::vector<std::uint8_t> transposed;
    transposed.resize(static_cast<std::size_t>(n) * static_cast<std::size_t>(k));
    transpose_bytes(b, static_cast<std::size_t>(ldb), static_cast<std::size_t>(n), static_cast<std::size_t>(k),
                    transposed.data());
    b = transposed.data(), ldb = n;
  }
  table_.run(table_path(path), m, n, k, a, lda, za, b, ldb, zb, c, ldc);
}

std::string ApproxGemm::describe(GemmPath path) const {
  if (path == GemmPath::kDecomposed && decomposed_) return fmt::format("decomposed: {}", decomposed_->describe());
  return std::string(gemm_path_name(path));
}

}  // namespace axtrain
