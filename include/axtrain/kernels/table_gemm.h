// Approximate GEMM for any 256 x 256 product table, vectorised, bit-exact with gemm_reference.
//
// The kernel never evaluates a design: it looks products up. Three paths compute the same integers:
//   scalar      one int32 table load per multiply-accumulate ("today's gather"); the baseline and the fallback.
//   avx2        the same int32 table, 8 products per _mm256_i32gather_epi32.
//   avx512-vbmi byte-plane lookups. With the first operand's code w = A[i][p] fixed, f(w, .) is a 256-entry row.
//               Each row is stored, after subtracting its minimum (the row offset), as two 256-byte planes: the
//               low and the high byte of the 16-bit value. Both planes of row A[i][p] sit in 8 zmm registers;
//               64 codes B[p][j..j+63] (contiguous: B is row-major) are looked up in each plane with two chained,
//               masked vpermi2b (7 index bits, 128 bytes in two registers; index bit 7 picks the mask). The 64
//               low and 64 high bytes are summed in 16-bit lanes split into even and odd columns (no unpacking
//               in the inner loop) and flushed to int32 every 256 steps of p, before a lane of byte sums can
//               overflow. C = 256 * sum(high) + sum(low) + sum_p offset(A[i][p]) plus the zero-point terms of
//               gemm_reference. The four vpermi2b per 64 products bound it (on Sapphire Rapids each takes two
//               cycles of port 5): measured about 5 products per cycle and core, 4-5 times the scalar path.
// Planes are indexed by the stored byte (a signed design's two's-complement byte), so codes are never
// converted per element. Results are integers, so the order of the sums (and the number of threads) does not
// change them. Work is split over tiles (row i, block of columns) in an OpenMP team.
//
// Fallback: the avx2 and avx512-vbmi paths accumulate in int32 and need every entry inside the 16-bit range
// a table file allows (0..65535 unsigned, -32768..32767 signed), so that every row fits 16 bits after its
// offset (max - min <= 65535) and no sum can overflow for k <= kGemmMaxK. Every Multiplier's table does
// (table files are checked on load; formula designs are within 0..65535). A ProductTable built in code with
// an entry outside that range (e.g. a row whose range exceeds 65535) runs on the scalar path whatever path is
// asked for; fast_paths_apply() says which.
#pragma once

#include "axtrain/hw/multiplier.h"
#include "axtrain/hw/product_table.h"

#include <cstdint>
#include <string_view>
#include <vector>

namespace axtrain {

enum class TablePath { kScalar, kAvx2, kVbmi };

std::string_view table_path_name(TablePath path);  // "scalar", "avx2", "avx512-vbmi"
// Whether this CPU can run the path (checked at run time; the scalar path always can).
bool table_path_supported(TablePath path);
// The fastest supported path: avx512-vbmi where the CPU has it, else the faster of avx2 and scalar, timed once
// per process on one tile (the AVX2 gather is slower than the scalar loop on some CPUs), else scalar.
TablePath best_table_path();

// One multiplier's lookup tables, built once. Immutable afterwards: run() may be called from many threads.
class TableGemm {
 public:
  explicit TableGemm(const Multiplier& f);
  explicit TableGemm(const ProductTable& table);

  // gemm_reference's contract and result, bit for bit: C (m x n, stride ldc) is written, not accumulated;
  // za, zb are the zero points; arguments are checked the same way (axtrain::Error). Runs on `path`, and throws
  // axtrain::Error if this CPU does not support it. Products above about 15 us of work run in an OpenMP team
  // (omp_get_max_threads() threads); smaller ones on the calling thread.
  void run(TablePath path, int m, int n, int k, const std::uint8_t* a, int lda, int za, const std::uint8_t* b, int ldb,
           int zb, std::int32_t* c, int ldc) const;

  bool is_signed() const { return signed_; }
  // False when the table has an entry outside the 16-bit file range: avx2 and avx512-vbmi then run scalar.
  bool fast_paths_apply() const { return fast_; }

  // Both byte planes of one table row, indexed by the stored byte of the second operand.
  struct alignas(64) RowPlanes {
    std::uint8_t lo[256];
    std::uint8_t hi[256];
  };

 private:
  bool signed_;
  bool fast_;
  std::vector<std::int32_t> products_;  // [byte of a][byte of b]: f of the two codes those bytes store
  std::vector<std::int32_t> offsets_;   // [byte of a]: the row minimum subtracted in planes_ (fast_ only)
  std::vector<RowPlanes> planes_;       // [byte of a] (fast_ only)
};

}  // namespace axtrain
