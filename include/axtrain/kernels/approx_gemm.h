// The one entry point to the approximate GEMM kernels: prepares every path a multiplier can use once, and
// picks the fastest exact one for a shape. All paths give gemm_reference's result bit for bit.
//   decomposed   int8 GEMMs on the factor digits of an exact integer error decomposition (decomposed_gemm.h):
//                Kulkarni, truncation, DRUM, the exact multiplier, low-rank user tables.
//   table-vbmi   byte-plane table lookups, 64 per instruction (table_gemm.h): any table.
//   table-avx2   gathers of 8 products: any table, on CPUs without AVX-512 VBMI.
//   gather       one table load per product: the scalar baseline, always available.
#pragma once

#include "axtrain/hw/multiplier.h"
#include "axtrain/kernels/decomposed_gemm.h"
#include "axtrain/kernels/table_gemm.h"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace axtrain {

enum class GemmPath { kDecomposed, kTableVbmi, kTableAvx2, kGather };

std::string_view gemm_path_name(GemmPath path);  // "decomposed", "table-vbmi", "table-avx2", "gather"

// A decomposition with more segments than this runs on the table kernel instead: past it one table lookup
// per product is cheaper than that many int8 GEMMs (measured with `axtrain bench`, docs/kernels.md).
inline constexpr int kMaxDecomposedSegments = 16;

class ApproxGemm {
 public:
  explicit ApproxGemm(const Multiplier& f);

  const Multiplier& multiplier() const { return multiplier_; }
  // The decomposed plan, or null when the multiplier has none.
  const DecomposedGemm* decomposed() const { return decomposed_ ? &*decomposed_ : nullptr; }

  // Whether `path` can compute a depth-k GEMM with these zero points exactly on this CPU.
  bool supports(GemmPath path, int k, int za, int zb) const;
  // The fastest supported path: decomposed when it applies and is short enough, else the best table path.
  GemmPath choose(int k, int za, int zb) const;

  // gemm_reference's contract and result on `path` (which must be supported; throws axtrain::Error if not).
  // With BLayout::kNByK, b holds B transposed (n x k, ldb >= k): the decomposed path reads it as it is, the
  // table paths (which stream along n) from a transposed copy.
  void run(GemmPath path, int m, int n, int k, const std::uint8_t* a, int lda, int za, const std::uint8_t* b, int ldb,
           int zb, std::int32_t* c, int ldc, BLayout layout = BLayout::kKByN) const;

  // One line: the path and, for the decomposed one, its plan.
  std::string describe(GemmPath path) const;

 private:
  Multiplier multiplier_;
  std::optional<DecomposedGemm> decomposed_;
  TableGemm table_;
};

}  // namespace axtrain
