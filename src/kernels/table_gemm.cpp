// TableGemm: table preparation, argument checks, zero-point sums, run-time dispatch and the OpenMP split, plus
// the scalar and AVX2 tile kernels. The AVX-512 kernel lives in table_gemm_avx512.cpp.
#include "axtrain/kernels/table_gemm.h"

#include "axtrain/kernels/gemm_reference.h"
#include "axtrain/util/check.h"
#include "table_gemm_kernels.h"

#include <immintrin.h>
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstddef>
#include <cstring>
#include <limits>

namespace axtrain {

using table_gemm_detail::TileArgs;

std::string_view table_path_name(TablePath path) {
  switch (path) {
    case TablePath::kScalar: return "scalar";
    case TablePath::kAvx2: return "avx2";
    case TablePath::kVbmi: return "avx512-vbmi";
  }
  AXT_ASSERT(false);
  return "";
}

bool table_path_supported(TablePath path) {
  __builtin_cpu_init();
  switch (path) {
    case TablePath::kScalar: return true;
    case TablePath::kAvx2: return __builtin_cpu_supports("avx2");
    case TablePath::kVbmi:
      return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
             __builtin_cpu_supports("avx512vbmi");
  }
  return false;
}

namespace {

// The faster of the avx2 and scalar tiles on this CPU, timed once on one 256 x 256 tile of a random table (about
// 0.5 ms in all). The AVX2 gather is not always the faster: measured about 20 % slower than the scalar loop on an
// AMD EPYC without AVX-512 (`axtrain bench`, 2026-12-02), faster on CPUs with quick gathers. Both give the same
// integers, so the choice changes speed only.
TablePath faster_of_avx2_and_scalar() {
  constexpr int kDepth = 256, kWidth = table_gemm_detail::kAvx2Block, kRepeats = 8;
  std::vector<std::int32_t> products(65536);
  std::vector<std::uint8_t> a(kDepth), b(std::size_t{kDepth} * kWidth);
  std::uint32_t state = 12345;
  const auto next = [&] { return state = state * 1664525u + 1013904223u, state >> 16; };
  for (std::int32_t& v : products) v = static_cast<std::int32_t>(next() & 0xFFFF);
  for (std::uint8_t& v : a) v = static_cast<std::uint8_t>(next());
  for (std::uint8_t& v : b) v = static_cast<std::uint8_t>(next());
  std::int64_t row_weight[256] = {};
  std::vector<std::int32_t> c(kWidth);
  const TileArgs args{kDepth, a.data(), kDepth, b.data(), kWidth, c.data(), kWidth, row_weight, 0, nullptr};
  using Clock = std::chrono::steady_clock;
  const auto fastest = [&](auto&& tile, double best) {
    const auto start = Clock::now();
    tile(args, products.data(), 0, 0, kWidth);
    return std::min(best, std::chrono::duration<double>(Clock::now() - start).count());
  };
  double avx2 = 1e9, scalar = 1e9;
  for (int r = 0; r < kRepeats; ++r) {  // interleaved, the fastest of each: robust to a busy machine
    avx2 = fastest(table_gemm_detail::avx2_tile, avx2);
    scalar = fastest(table_gemm_detail::scalar_tile, scalar);
  }
  return avx2 <= scalar ? TablePath::kAvx2 : TablePath::kScalar;
}

}  // namespace

TablePath best_table_path() {
  static const TablePath best = [] {
    if (table_path_supported(TablePath::kVbmi)) return TablePath::kVbmi;  // 4-8x the others wherever it runs
    return table_path_supported(TablePath::kAvx2) ? faster_of_avx2_and_scalar() : TablePath::kScalar;
  }();
  return best;
}

namespace {

constexpr int kMaxGroupWidth = 1024;

// Sums of the codes (Code: std::uint8_t or std::int8_t) of B[p][j0 + j], j < width <= kMaxGroupWidth, added to
// sums[j]: in 16-bit partial sums of 256 rows (|256 codes| <= 32768 fits int16 and uint16), four rows per pass,
// which vectorise far wider than int32 sums of one row.
template <typename Code, typename Partial>
void add_column_sums(const std::uint8_t* b, int ldb, int k, int j0, int width, std::int32_t* sums) {
  Partial part[kMaxGroupWidth];
  auto row = [&](int p) { return reinterpret_cast<const Code*>(b + static_cast<std::size_t>(p) * ldb + j0); };
  for (int p0 = 0; p0 < k; p0 += 256) {
    const int p1 = std::min(k, p0 + 256);
    std::fill(part, part + width, Partial{0});
    int p = p0;
    for (; p + 4 <= p1; p += 4) {
      const Code *r0 = row(p), *r1 = row(p + 1), *r2 = row(p + 2), *r3 = row(p + 3);
      for (int j = 0; j < width; ++j) part[j] = static_cast<Partial>(part[j] + r0[j] + r1[j] + r2[j] + r3[j]);
    }
    for (; p < p1; ++p) {
      const Code* r = row(p);
      for (int j = 0; j < width; ++j) part[j] = static_cast<Partial>(part[j] + r[j]);
    }
    for (int j = 0; j < width; ++j) sums[j] += part[j];
  }
}

// out[j] = za * sum_p code(B[p][j0 + j]) for j < width. |sum of codes| <= 255 * kGemmMaxK: za * sum fits int32.
void column_terms_of(const std::uint8_t* b, int ldb, int k, int j0, int width, int za, bool is_signed,
                     std::int32_t* out) {
  std::fill(out, out + width, 0);
  if (is_signed)
    add_column_sums<std::int8_t, std::int16_t>(b, ldb, k, j0, width, out);
  else
    add_column_sums<std::uint8_t, std::uint16_t>(b, ldb, k, j0, width, out);
  for (int j = 0; j < width; ++j) out[j] *= za;
}

}  // namespace

TableGemm::TableGemm(const Multiplier& f) : TableGemm(f.table()) {}

TableGemm::TableGemm(const ProductTable& table) : signed_(table.is_signed()), products_(65536) {
  // Stored byte -> table index: the byte itself unsigned; code + 128 = byte ^ 0x80 for two's complement.
  const int flip = signed_ ? 0x80 : 0;
  const std::int32_t lo = signed_ ? -32768 : 0, hi = signed_ ? 32767 : 65535;
  fast_ = true;
  for (int wa = 0; wa < 256; ++wa) {
    for (int wb = 0; wb < 256; ++wb) {
      const std::int32_t v = table.at(wa ^ flip, wb ^ flip);
      products_[wa * 256 + wb] = v;
      fast_ = fast_ && v >= lo && v <= hi;
    }
  }
  if (!fast_) return;
  offsets_.resize(256);
  planes_.resize(256);
  for (int wa = 0; wa < 256; ++wa) {
    const std::int32_t* row = products_.data() + std::ptrdiff_t{256} * wa;
    const std::int32_t offset = *std::min_element(row, row + 256);
    offsets_[wa] = offset;
    for (int wb = 0; wb < 256; ++wb) {
      const std::int32_t v = row[wb] - offset;  // 0..65535: the entries span at most 65535
      AXT_ASSERT(v >= 0 && v <= 65535);
      planes_[wa].lo[wb] = static_cast<std::uint8_t>(v & 0xFF);
      planes_[wa].hi[wb] = static_cast<std::uint8_t>(v >> 8);
    }
  }
}

void TableGemm::run(TablePath path, int m, int n, int k, const std::uint8_t* a, int lda, int za, const std::uint8_t* b,
                    int ldb, int zb, std::int32_t* c, int ldc) const {
  // The checks and messages of gemm_reference.
  AXT_CHECK(m >= 0 && n >= 0, "GEMM shape m={} n={} is invalid; m and n must be >= 0", m, n);
  AXT_CHECK(k >= 1 && k <= kGemmMaxK, "GEMM depth k={} is out of range; use 1..{} (int32 accumulation)", k, kGemmMaxK);
  AXT_CHECK(lda >= k && ldb >= n && ldc >= n, "GEMM strides lda={} ldb={} ldc={} are too small for k={} n={}", lda, ldb,
            ldc, k, n);
  const int lo = signed_ ? -128 : 0;
  const int hi = signed_ ? 127 : 255;
  AXT_CHECK(za >= lo && za <= hi && zb >= lo && zb <= hi,
            "zero points za={} zb={} are outside the {} code range {}..{}", za, zb, signed_ ? "signed" : "unsigned", lo,
            hi);
  AXT_CHECK(table_path_supported(path),
            "table GEMM path '{}' is not supported by this CPU; use '{}' (best_table_path())", table_path_name(path),
            table_path_name(best_table_path()));
  if (m == 0 || n == 0) return;

  const TablePath used = fast_ ? path : TablePath::kScalar;
  const int block = used == TablePath::kVbmi   ? table_gemm_detail::kVbmiBlock
                    : used == TablePath::kAvx2 ? table_gemm_detail::kAvx2Block
                                               : table_gemm_detail::kScalarBlock;
  std::int64_t row_weight[256];
  for (int w = 0; w < 256; ++w) {
    const int code = signed_ ? w - (w & 0x80) * 2 : w;  // the stored byte read as a code
    row_weight[w] = (used == TablePath::kVbmi ? offsets_[w] : 0) - std::int64_t{zb} * code;
  }
  std::vector<std::int32_t> col_term(za != 0 ? n : 0);
  const TileArgs args{
      k, a, lda, b, ldb, c, ldc, row_weight, std::int64_t{k} * za * zb, za != 0 ? col_term.data() : nullptr};
  const int blocks = (n + block - 1) / block;
  // Tiles run in groups of kGroup column blocks: every row over the group's blocks, then the next group.
  // A row's table rows stay in L1 across its blocks, and the group's columns of B in L2 across the rows.
  constexpr int kGroup = kMaxGroupWidth / table_gemm_detail::kMaxBlock;  // 4
  const int group_width = kGroup * block;
  const int groups = (blocks + kGroup - 1) / kGroup;
  const std::int64_t tiles = std::int64_t{groups} * m * kGroup;  // includes the missing blocks of the last group
  // A team pays off above about 15 us of single-thread work (vbmi runs about 5 times faster than the others);
  // below that, waking it (and, on a busy machine, waiting for a descheduled thread) costs more than it saves.
  const std::int64_t cost = used == TablePath::kVbmi ? 1 : 5;
  const bool parallel = std::int64_t{m} * n * k * cost >= (std::int64_t{1} << 18);

  auto tile = [&](int i, int j0) {
    const int width = std::min(block, n - j0);
    switch (used) {
      case TablePath::kScalar: table_gemm_detail::scalar_tile(args, products_.data(), i, j0, width); break;
      case TablePath::kAvx2: table_gemm_detail::avx2_tile(args, products_.data(), i, j0, width); break;
      case TablePath::kVbmi: table_gemm_detail::vbmi_tile(args, planes_.data(), i, j0, width); break;
    }
  };
  auto column_terms = [&](int j0) {
    if (za != 0) column_terms_of(b, ldb, k, j0, std::min(group_width, n - j0), za, signed_, col_term.data() + j0);
  };
  // With enough groups for every thread, a thread takes whole groups and sums the group's columns of B itself
  // just before its tiles read them (B is read from memory once). Otherwise column sums come first, then tiles.
  const bool by_group = !parallel || groups >= 4 * omp_get_max_threads();

#pragma omp parallel if (parallel)
  {
    if (by_group) {
#pragma omp for schedule(dynamic)
      for (int g = 0; g < groups; ++g) {
        const int g0 = g * group_width, g1 = g0 + std::min(group_width, n - g0);
        column_terms(g0);
        for (int i = 0; i < m; ++i)
          for (int j0 = g0; j0 < g1; j0 += block) tile(i, j0);
      }
    } else {
      if (za != 0) {
#pragma omp for schedule(static)
        for (int g = 0; g < groups; ++g) column_terms(g * group_width);
      }
      // Dynamic chunks keep a descheduled thread (a busy machine) from holding a fixed share of the work.
      const std::int64_t chunk =
          std::max<std::int64_t>(1, tiles / (8 * static_cast<std::int64_t>(omp_get_num_threads())));
#pragma omp for schedule(dynamic, chunk)
      for (std::int64_t t = 0; t < tiles; ++t) {
        const std::int64_t in_group = t % (std::int64_t{m} * kGroup);
        const std::int64_t j = (t / (std::int64_t{m} * kGroup)) * group_width + (in_group % kGroup) * block;
        if (j < n) tile(static_cast<int>(in_group / kGroup), static_cast<int>(j));
      }
    }
  }
}

namespace table_gemm_detail {

void scalar_tile(const TileArgs& t, const std::int32_t* products, int i, int j0, int width) {
  std::int64_t acc[kScalarBlock] = {};
  std::int64_t row_term = t.row_const;
  const std::uint8_t* arow = t.a + static_cast<std::size_t>(i) * t.lda;
  for (int p = 0; p < t.k; ++p) {
    row_term += t.row_weight[arow[p]];
    const std::int32_t* row = products + std::ptrdiff_t{256} * arow[p];
    const std::uint8_t* brow = t.b + static_cast<std::size_t>(p) * t.ldb + j0;
    for (int j = 0; j < width; ++j) acc[j] += row[brow[j]];
  }
  std::int32_t* crow = t.c + static_cast<std::size_t>(i) * t.ldc + j0;
  for (int j = 0; j < width; ++j) {
    const std::int64_t v = acc[j] + row_term - (t.col_term ? t.col_term[j0 + j] : 0);
    AXT_ASSERT(v >= std::numeric_limits<std::int32_t>::min() && v <= std::numeric_limits<std::int32_t>::max());
    crow[j] = static_cast<std::int32_t>(v);
  }
}

namespace {

// sum[0..7] += row[bytes[0..7]].
__attribute__((target("avx2"))) inline void add_gathered(std::int32_t* sum, const int* row, __m128i bytes) {
  auto* v = reinterpret_cast<__m256i*>(sum);
  _mm256_store_si256(
      v, _mm256_add_epi32(_mm256_load_si256(v), _mm256_i32gather_epi32(row, _mm256_cvtepu8_epi32(bytes), 4)));
}

}  // namespace

// Sums in memory (L1): p outermost, so each table row (1 KiB) serves the gathers of a whole 256-column block.
__attribute__((target("avx2"))) void avx2_tile(const TileArgs& t, const std::int32_t* products, int i, int j0,
                                               int width) {
  alignas(32) std::int32_t acc[kAvx2Block + 8] = {};  // + 8: the short last group
  const int full = width / 8 * 8, rest = width - full;
  std::uint32_t row_term = static_cast<std::uint32_t>(t.row_const);  // mod 2^32 (table_gemm_kernels.h)
  const std::uint8_t* arow = t.a + static_cast<std::size_t>(i) * t.lda;
  for (int p = 0; p < t.k; ++p) {
    row_term += static_cast<std::uint32_t>(t.row_weight[arow[p]]);
    const int* row = products + std::ptrdiff_t{256} * arow[p];
    const std::uint8_t* brow = t.b + static_cast<std::size_t>(p) * t.ldb + j0;
    for (int j = 0; j < full; j += 8)
      add_gathered(acc + j, row, _mm_loadl_epi64(reinterpret_cast<const __m128i*>(brow + j)));
    if (rest > 0) {
      // Read only the last group's bytes; the other lanes index entry 0 of the row (never stored).
      long long v = 0;
      std::memcpy(&v, brow + full, static_cast<std::size_t>(rest));
      add_gathered(acc + full, row, _mm_cvtsi64_si128(v));
    }
  }
  std::int32_t* crow = t.c + static_cast<std::size_t>(i) * t.ldc + j0;
  for (int j = 0; j < width; ++j) {
    const std::uint32_t col = t.col_term ? static_cast<std::uint32_t>(t.col_term[j0 + j]) : 0;
    crow[j] = static_cast<std::int32_t>(static_cast<std::uint32_t>(acc[j]) + row_term - col);
  }
}

}  // namespace table_gemm_detail
}  // namespace axtrain
