#include "axtrain/kernels/approx_gemm.h"

#include "axtrain/kernels/int8_gemm.h"
#include "axtrain/util/check.h"

#include <fmt/format.h>

namespace axtrain {
namespace {

TablePath table_path(GemmPath path) {
  switch (path) {
    case GemmPath::kTableVbmi: return TablePath::kVbmi;
    case GemmPath::kTableAvx2: return TablePath::kAvx2;
    default: return TablePath::kScalar;
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
                     int ldb, int zb, std::int32_t* c, int ldc) const {
  AXT_CHECK(supports(path, k, za, zb), "GEMM path {} does not apply to {} at depth {} on this CPU",
            gemm_path_name(path), multiplier_.spec(), k);
  if (path == GemmPath::kDecomposed)
    decomposed_->run(m, n, k, a, lda, za, b, ldb, zb, c, ldc);
  else
    table_.run(table_path(path), m, n, k, a, lda, za, b, ldb, zb, c, ldc);
}

std::string ApproxGemm::describe(GemmPath path) const {
  if (path == GemmPath::kDecomposed && decomposed_) return fmt::format("decomposed: {}", decomposed_->describe());
  return std::string(gemm_path_name(path));
}

}  // namespace axtrain
