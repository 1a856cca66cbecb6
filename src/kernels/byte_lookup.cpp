#include "axtrain/kernels/byte_lookup.h"

#include <immintrin.h>

#include <algorithm>
#include <cstring>

namespace axtrain {
namespace {

// Compiled for AVX-512 VBMI only inside these functions; called only when the CPU has it.
#define AXT_VBMI __attribute__((target("avx512f,avx512bw,avx512vbmi,bmi2")))

// vpermi2b reads the low 7 bits of each index; bit 7 chooses between the two 128-byte halves.
AXT_VBMI inline __m512i lookup64(__m512i t0, __m512i t1, __m512i t2, __m512i t3, __m512i x) {
  const __m512i low_half = _mm512_permutex2var_epi8(t0, x, t1);
  const __m512i high_half = _mm512_permutex2var_epi8(t2, x, t3);
  return _mm512_mask_blend_epi8(_mm512_movepi8_mask(x), low_half, high_half);
}

AXT_VBMI void lookup_vbmi(const ByteTable& table, const std::uint8_t* in, std::uint8_t* out, std::size_t n) {
  const __m512i t0 = _mm512_loadu_si512(table.data());
  const __m512i t1 = _mm512_loadu_si512(table.data() + 64);
  const __m512i t2 = _mm512_loadu_si512(table.data() + 128);
  const __m512i t3 = _mm512_loadu_si512(table.data() + 192);
  std::size_t i = 0;
  for (; i + 64 <= n; i += 64) _mm512_storeu_si512(out + i, lookup64(t0, t1, t2, t3, _mm512_loadu_si512(in + i)));
  if (i < n) {
    const __mmask64 tail = _bzhi_u64(~0ULL, static_cast<unsigned>(n - i));
    _mm512_mask_storeu_epi8(out + i, tail, lookup64(t0, t1, t2, t3, _mm512_maskz_loadu_epi8(tail, in + i)));
  }
}

}  // namespace

bool byte_lookup_has_vbmi() {
  static const bool has = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
                          __builtin_cpu_supports("avx512vbmi") && __builtin_cpu_supports("bmi2");
  return has;
}

void lookup_bytes(const ByteTable& table, const std::uint8_t* in, std::uint8_t* out, std::size_t n, bool use_vbmi) {
  if (use_vbmi && byte_lookup_has_vbmi()) {
    lookup_vbmi(table, in, out, n);
    return;
  }
  for (std::size_t i = 0; i < n; ++i) out[i] = table[in[i]];
}

namespace {

// The sum of n bytes, each read as (byte ^ flip): 32 at a time, the tail (rows as short as 25 bytes are
// common) through a 32-byte block filled with `flip`, which reads as 0.
std::uint64_t sum_flipped_bytes(const std::uint8_t* in, std::size_t n, std::uint8_t flip) {
  const __m256i flips = _mm256_set1_epi8(static_cast<char>(flip));
  const auto block_sum = [&](const std::uint8_t* p) {
    const __m256i bytes = _mm256_xor_si256(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(p)), flips);
    return _mm256_sad_epu8(bytes, _mm256_setzero_si256());
  };
  __m256i acc = _mm256_setzero_si256();
  std::size_t i = 0;
  for (; i + 32 <= n; i += 32) acc = _mm256_add_epi64(acc, block_sum(in + i));
  if (i < n) {
    alignas(32) std::uint8_t tail[32];
    std::memset(tail, flip, sizeof(tail));
    std::memcpy(tail, in + i, n - i);
    acc = _mm256_add_epi64(acc, block_sum(tail));
  }
  alignas(32) std::uint64_t lanes[4];
  _mm256_store_si256(reinterpret_cast<__m256i*>(lanes), acc);
  return lanes[0] + lanes[1] + lanes[2] + lanes[3];
}

}  // namespace

// AVX2 is part of the x86-64-v3 baseline the project compiles for.
std::uint32_t sum_bytes(const std::uint8_t* in, std::size_t n) {
  return static_cast<std::uint32_t>(sum_flipped_bytes(in, n, 0));
}

std::uint32_t sum_signed_bytes(const std::uint8_t* in, std::size_t n) {
  // int8(x) = (x ^ 0x80) - 128: the unsigned sum of the flipped bytes, less 128 per byte.
  return static_cast<std::uint32_t>(sum_flipped_bytes(in, n, 0x80) - 128 * static_cast<std::uint64_t>(n));
}

void count_bytes(const std::uint8_t* in, std::size_t n, std::array<std::int64_t, 256>& counts) {
  // Four interleaved partial histograms: a run of equal bytes (the zeros after a ReLU) increments four counters
  // in turn instead of waiting each time on the store to one counter. 32-bit partial counts hold a chunk.
  constexpr std::size_t kChunk = std::size_t{1} << 30;
  std::array<std::array<std::uint32_t, 256>, 4> part{};
  for (std::size_t start = 0; start < n; start += kChunk) {
    const std::size_t len = std::min(kChunk, n - start);
    const std::uint8_t* p = in + start;
    for (auto& h : part) h.fill(0);
    std::size_t i = 0;
    for (; i + 4 <= len; i += 4) {
      ++part[0][p[i]];
      ++part[1][p[i + 1]];
      ++part[2][p[i + 2]];
      ++part[3][p[i + 3]];
    }
    for (; i < len; ++i) ++part[0][p[i]];
    for (std::size_t b = 0; b < 256; ++b) counts[b] += std::int64_t{part[0][b]} + part[1][b] + part[2][b] + part[3][b];
  }
}

void add_signed_bytes(const std::uint8_t* in, std::uint32_t coefficient, std::uint32_t* sums, std::size_t n) {
  const __m256i coef = _mm256_set1_epi32(static_cast<int>(coefficient));
  std::size_t j = 0;
  for (; j + 8 <= n; j += 8) {
    const __m256i bytes = _mm256_cvtepi8_epi32(_mm_loadl_epi64(reinterpret_cast<const __m128i*>(in + j)));
    auto* out = reinterpret_cast<__m256i*>(sums + j);
    _mm256_storeu_si256(out, _mm256_add_epi32(_mm256_loadu_si256(out), _mm256_mullo_epi32(bytes, coef)));
  }
  for (; j < n; ++j) sums[j] += coefficient * static_cast<std::uint32_t>(static_cast<std::int8_t>(in[j]));
}

}  // namespace axtrain
