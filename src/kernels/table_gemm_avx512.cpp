// The avx512-vbmi tile kernel of TableGemm: byte-plane lookups with vpermi2b (see table_gemm.h).
// Every function here that touches AVX-512 carries the target attribute: the project compiles for x86-64-v3,
// and TableGemm::run only calls in after table_path_supported(kVbmi).
#include "axtrain/util/check.h"
#include "table_gemm_kernels.h"

// GCC 12's AVX-512 intrinsics build their "undefined" pass-through vectors by self-initialisation, which
// -Wmaybe-uninitialized reports once they are inlined (GCC bug 105593); the values are never read.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>

#include <algorithm>
#include <cstddef>

#define AXT_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi")))

namespace axtrain::table_gemm_detail {
namespace {

// Steps of p between flushes: a 16-bit lane then holds at most 256 * 255 = 65280.
constexpr int kFlushSteps = 256;

// The first `count` of 16 lanes (count clamped to 0..16).
AXT_VBMI inline __mmask16 first_lanes16(int count) {
  if (count >= 16) return static_cast<__mmask16>(0xFFFF);
  if (count <= 0) return static_cast<__mmask16>(0);
  return static_cast<__mmask16>((1u << count) - 1);
}

// Sums for one 64-column chunk over up to 256 steps of p, per plane: w = the 16-bit lanes summed as they
// are (even byte + 256 * odd byte, mod 2^16) and o = the odd bytes summed. The even-byte sum is w - 256 o
// mod 2^16, exact because it is below 2^16: one shift and two adds per plane and step, no masking.
struct ChunkSums {
  __m512i w_lo, o_lo, w_hi, o_hi;
};

// The 16-bit lanes 16 h .. 16 h + 15 of v, zero-extended to int32.
AXT_VBMI inline __m512i half(__m512i v, int h) {
  return _mm512_cvtepu16_epi32(_mm512_castsi512_si256(h == 0 ? v : _mm512_shuffle_i64x2(v, v, 0xEE)));
}

// Adds (kFirst: stores) the 64 column sums of one chunk, as 4 x 16 int32 in column order, to acc[0..63].
template <bool kFirst>
AXT_VBMI inline void flush_chunk(const ChunkSums& s, std::int32_t* acc) {
  const __m512i e_lo = _mm512_sub_epi16(s.w_lo, _mm512_slli_epi16(s.o_lo, 8));
  const __m512i e_hi = _mm512_sub_epi16(s.w_hi, _mm512_slli_epi16(s.o_hi, 8));
  // Even lanes hold columns 0, 2, ..., odd lanes 1, 3, ...: widen each half, combine the planes, interleave.
  const __m512i first = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
  const __m512i second = _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13, 29, 14, 30, 15, 31);
  for (int h = 0; h < 2; ++h) {
    const __m512i even = _mm512_add_epi32(_mm512_slli_epi32(half(e_hi, h), 8), half(e_lo, h));
    const __m512i odd = _mm512_add_epi32(_mm512_slli_epi32(half(s.o_hi, h), 8), half(s.o_lo, h));
    std::int32_t* out = acc + std::ptrdiff_t{32} * h;
    const __m512i v0 = _mm512_permutex2var_epi32(even, first, odd), v1 = _mm512_permutex2var_epi32(even, second, odd);
    _mm512_store_si512(out, kFirst ? v0 : _mm512_add_epi32(_mm512_load_si512(out), v0));
    _mm512_store_si512(out + 16, kFirst ? v1 : _mm512_add_epi32(_mm512_load_si512(out + 16), v1));
  }
}

// t0..t3 [x] for 64 bytes x, t0..t3 holding 64 entries each. vpermi2b reads index bits 0..6, so lanes with bit 7
// (upper) first keep their index (the pass-through of the masked vpermi2b), then look it up in t2, t3: two
// vpermi2b and no blend.
AXT_VBMI inline __m512i lookup(__m512i x, __mmask64 lower, __mmask64 upper, __m512i t0, __m512i t1, __m512i t2,
                               __m512i t3) {
  return _mm512_mask2_permutex2var_epi8(t2, _mm512_mask2_permutex2var_epi8(t0, x, lower, t1), upper, t3);
}

// NC chunks of 64 columns; with kMasked the last chunk holds width - 64 (NC - 1) (1..63) columns and is read
// with a masked load (no byte past column width - 1 is touched).
template <int NC, bool kMasked>
AXT_VBMI void vbmi_block(const TileArgs& t, const TableGemm::RowPlanes* planes, int i, int j0, int width) {
  const int tail = width - 64 * (NC - 1);
  const __mmask64 tail_mask = kMasked ? (~std::uint64_t{0} >> (64 - tail)) : ~std::uint64_t{0};
  // The sums of the products as the planes hold them (table - row offset), flushed every kFlushSteps.
  alignas(64) std::int32_t acc[NC * 64];
  std::uint32_t row_term = static_cast<std::uint32_t>(t.row_const);  // mod 2^32 (table_gemm_kernels.h)

  const std::uint8_t* arow = t.a + static_cast<std::size_t>(i) * t.lda;
  const std::uint8_t* bcol = t.b + j0;
  for (int p0 = 0; p0 < t.k; p0 += kFlushSteps) {
    const int p1 = std::min(t.k, p0 + kFlushSteps);
    __m512i w_lo[NC], o_lo[NC], w_hi[NC], o_hi[NC];
    for (int c = 0; c < NC; ++c) w_lo[c] = o_lo[c] = w_hi[c] = o_hi[c] = _mm512_setzero_si512();
    for (int p = p0; p < p1; ++p) {
      row_term += static_cast<std::uint32_t>(t.row_weight[arow[p]]);  // scalar ports, beside the vector work
      const TableGemm::RowPlanes& r = planes[arow[p]];
      const __m512i l0 = _mm512_load_si512(r.lo), l1 = _mm512_load_si512(r.lo + 64);
      const __m512i l2 = _mm512_load_si512(r.lo + 128), l3 = _mm512_load_si512(r.lo + 192);
      const __m512i h0 = _mm512_load_si512(r.hi), h1 = _mm512_load_si512(r.hi + 64);
      const __m512i h2 = _mm512_load_si512(r.hi + 128), h3 = _mm512_load_si512(r.hi + 192);
      const std::uint8_t* brow = bcol + static_cast<std::size_t>(p) * t.ldb;
#pragma GCC unroll 4
      for (int c = 0; c < NC; ++c) {
        const __m512i x = kMasked && c == NC - 1 ? _mm512_maskz_loadu_epi8(tail_mask, brow + std::ptrdiff_t{64} * c)
                                                 : _mm512_loadu_si512(brow + std::ptrdiff_t{64} * c);
        const __mmask64 upper = _mm512_movepi8_mask(x), lower = _knot_mask64(upper);
        const __m512i lo = lookup(x, lower, upper, l0, l1, l2, l3);
        const __m512i hi = lookup(x, lower, upper, h0, h1, h2, h3);
        w_lo[c] = _mm512_add_epi16(w_lo[c], lo);
        o_lo[c] = _mm512_add_epi16(o_lo[c], _mm512_srli_epi16(lo, 8));
        w_hi[c] = _mm512_add_epi16(w_hi[c], hi);
        o_hi[c] = _mm512_add_epi16(o_hi[c], _mm512_srli_epi16(hi, 8));
      }
    }
    for (int c = 0; c < NC; ++c) {
      if (p0 == 0)
        flush_chunk<true>({w_lo[c], o_lo[c], w_hi[c], o_hi[c]}, acc + 64 * c);
      else
        flush_chunk<false>({w_lo[c], o_lo[c], w_hi[c], o_hi[c]}, acc + 64 * c);
    }
  }

  const __m512i rt = _mm512_set1_epi32(static_cast<std::int32_t>(row_term));
  std::int32_t* crow = t.c + static_cast<std::size_t>(i) * t.ldc + j0;
  for (int q = 0; q < NC * 4; ++q) {
    const std::ptrdiff_t at = std::ptrdiff_t{16} * q;
    const __mmask16 lanes = first_lanes16(width - 16 * q);
    __m512i v = _mm512_add_epi32(_mm512_load_si512(acc + at), rt);
    if (t.col_term) v = _mm512_sub_epi32(v, _mm512_maskz_loadu_epi32(lanes, t.col_term + j0 + at));
    _mm512_mask_storeu_epi32(crow + at, lanes, v);
  }
}

}  // namespace

void vbmi_tile(const TileArgs& t, const TableGemm::RowPlanes* planes, int i, int j0, int width) {
  static_assert(kVbmiBlock <= 256);
  const int chunks = (width + 63) / 64;
  const bool masked = width % 64 != 0;
  switch (chunks * 2 + (masked ? 1 : 0)) {
    case 2: vbmi_block<1, false>(t, planes, i, j0, width); break;
    case 3: vbmi_block<1, true>(t, planes, i, j0, width); break;
    case 4: vbmi_block<2, false>(t, planes, i, j0, width); break;
    case 5: vbmi_block<2, true>(t, planes, i, j0, width); break;
    case 6: vbmi_block<3, false>(t, planes, i, j0, width); break;
    case 7: vbmi_block<3, true>(t, planes, i, j0, width); break;
    case 8: vbmi_block<4, false>(t, planes, i, j0, width); break;
    case 9: vbmi_block<4, true>(t, planes, i, j0, width); break;
    default: AXT_ASSERT(false);
  }
}

}  // namespace axtrain::table_gemm_detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
