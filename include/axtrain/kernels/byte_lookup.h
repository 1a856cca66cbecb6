// out[i] = table[in[i]] for a 256-entry byte table: the per-element step that turns 8-bit codes into the
// factor operands of the decomposed GEMM. AVX-512 VBMI (vpermi2b, 64 lookups per instruction pair) where
// the CPU has it, a scalar loop otherwise; both give the same bytes.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

namespace axtrain {

using ByteTable = std::array<std::uint8_t, 256>;

// True when the CPU runs the VBMI path (checked once at run time).
bool byte_lookup_has_vbmi();

// out[i] = table[in[i]] for i < n; in and out may not overlap. use_vbmi = false forces the scalar loop
// (tests); true uses VBMI when the CPU has it.
void lookup_bytes(const ByteTable& table, const std::uint8_t* in, std::uint8_t* out, std::size_t n,
                  bool use_vbmi = true);

// sum_i in[i] of unsigned bytes.
std::uint32_t sum_bytes(const std::uint8_t* in, std::size_t n);
// sum_i int8(in[i]) modulo 2^32, of bytes read as two's complement.
std::uint32_t sum_signed_bytes(const std::uint8_t* in, std::size_t n);
// counts[b] += the number of i < n with in[i] == b: a histogram of code bytes.
void count_bytes(const std::uint8_t* in, std::size_t n, std::array<std::int64_t, 256>& counts);
// sums[j] += coefficient * int8(in[j]) for j < n, modulo 2^32 (the decomposed GEMM's column terms).
void add_signed_bytes(const std::uint8_t* in, std::uint32_t coefficient, std::uint32_t* sums, std::size_t n);

}  // namespace axtrain
