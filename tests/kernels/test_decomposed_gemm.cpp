// The decomposed GEMM (int8 GEMMs on factor digits) against gemm_reference, bit for bit.
#include "axtrain/kernels/decomposed_gemm.h"

#include "../support/kernel_cases.h"
#include "axtrain/kernels/byte_lookup.h"
#include "axtrain/kernels/int8_gemm.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace axtrain {
namespace {

using test::GemmCase;

void expect_exact(const Multiplier& f, const DecomposedGemm& plan, const GemmCase& c, std::uint64_t seed) {
  const test::GemmOperands o = test::operands(c, seed);
  const std::vector<std::int32_t> expected = test::reference_result(f, c, o);
  std::vector<std::int32_t> out(expected.size(), test::kUntouched);
  plan.run(c.m, c.n, c.k, o.a.data(), o.lda, c.za, o.b.data(), o.ldb, c.zb, out.data(), o.ldc);
  ASSERT_EQ(out, expected) << f.spec() << " m=" << c.m << " n=" << c.n << " k=" << c.k << " za=" << c.za
                           << " zb=" << c.zb << " fill=" << static_cast<int>(c.fill);
  const test::TransposedB t = test::transposed_b(c, o);  // the same B stored n x k
  std::vector<std::int32_t> out_t(expected.size(), test::kUntouched);
  plan.run(c.m, c.n, c.k, o.a.data(), o.lda, c.za, t.b.data(), t.ldb, c.zb, out_t.data(), o.ldc, BLayout::kNByK);
  ASSERT_EQ(out_t, expected) << f.spec() << " (B as n x k) m=" << c.m << " n=" << c.n << " k=" << c.k << " za=" << c.za
                             << " zb=" << c.zb << " fill=" << static_cast<int>(c.fill);
}

// Low-rank signed designs in both table layouts, and an unsigned one whose factors need several digits and
// a common divisor (the wider path).
std::vector<Multiplier> table_designs() {
  auto chunk3 = [](int x) { return (x & 3) == 3 ? 1 : 0; };
  return {
      test::table_multiplier("signed_twos", SignedLayout::kTwos,
                             [&](int a, int b) { return a * b - 2 * chunk3(a) * (b & 0x3F); }),
      test::table_multiplier("signed_offset", SignedLayout::kOffset,
                             [&](int a, int b) { return a * b + 3 * ((a + 128) >> 5) * ((b + 128) & 7) - 40; }),
      test::table_multiplier("wide_factors", std::nullopt,
                             [](int a, int b) {
                               const int wide = a >= 128 ? std::min(600, 7 * b * b % 601) : 0;  // range > 255
                               const int scaled = a % 3 == 0 && a >= 30 && b >= 100 ? 512 * (b % 5) : 0;
                               return a * b - wide - scaled;
                             }),
  };
}

std::vector<Multiplier> decomposable_designs() {
  std::vector<Multiplier> designs;
  for (const std::string& spec : builtin_multiplier_specs()) {
    Multiplier f = Multiplier::parse(spec);
    if (f.decomposition().integer) designs.push_back(f);
  }
  for (const Multiplier& f : table_designs()) designs.push_back(f);
  return designs;
}

TEST(DecomposedGemm, EveryDecomposableDesignIsBitExactOverEdgeShapesAndFills) {
  for (int bits : {int8_gemm_signed_bits(), 7}) {
    for (const Multiplier& f : decomposable_designs()) {
      const auto plan = DecomposedGemm::plan(f, bits);
      ASSERT_TRUE(plan.has_value()) << f.spec();
      std::uint64_t seed = 1;
      for (const GemmCase& c : test::edge_cases(f.is_signed())) expect_exact(f, *plan, c, ++seed);
    }
  }
}

TEST(DecomposedGemm, DepthUpToTheBoundSplitsGemmsAndStaysExact) {
  // k = kGemmMaxK: truncated:8 stacks 7 segments of scale 256, more than one GEMM may hold.
  for (const char* spec : {"truncated:8", "K1", "exact"}) {
    const Multiplier f = Multiplier::parse(spec);
    const auto plan = DecomposedGemm::plan(f, int8_gemm_signed_bits());
    for (test::Fill fill : {test::Fill::kAllFF, test::Fill::kRandom})
      expect_exact(f, *plan, GemmCase{2, 3, kGemmMaxK, 0, 0, fill}, 7);
  }
}

TEST(DecomposedGemm, KulkarniNeedsOneDigitPerFactorAndRankPlusOneSegments) {
  // K3: a*b and one error term stacked into a single GEMM of depth 2k; truncated:8 has rank 8.
  EXPECT_EQ(DecomposedGemm::plan(Multiplier::parse("K3"), 8)->describe(), "1 int8 GEMM of depth 2k (2 segments)");
  EXPECT_EQ(DecomposedGemm::plan(Multiplier::parse("K2"), 8)->segment_count(), 3);
  EXPECT_EQ(DecomposedGemm::plan(Multiplier::parse("K1"), 8)->segment_count(), 4);
  EXPECT_EQ(DecomposedGemm::plan(Multiplier::parse("truncated:8"), 8)->segment_count(), 9);
  EXPECT_EQ(DecomposedGemm::plan(Multiplier::parse("exact"), 8)->segment_count(), 1);
}

TEST(DecomposedGemm, NoPlanWithoutAnIntegerDecomposition) {
  EXPECT_FALSE(DecomposedGemm::plan(Multiplier::parse("mitchell"), 8).has_value());
}

TEST(DecomposedGemm, RefusesDepthsWhoseResultCouldOverflow) {
  const auto plan = DecomposedGemm::plan(Multiplier::parse("K3"), 8);
  EXPECT_TRUE(plan->result_fits(kGemmMaxK, 0, 0));
  EXPECT_FALSE(plan->result_fits(kGemmMaxK, 255, 255));
}

TEST(ByteLookup, VbmiAndScalarGiveTheSameBytesForEveryLengthAndTable) {
  ByteTable table{};
  Rng rng(3);
  for (auto& t : table) t = static_cast<std::uint8_t>(rng.below(256));
  const std::vector<std::uint8_t> in = test::filled(300, test::Fill::kRandom, 5);
  for (std::size_t n : {0, 1, 63, 64, 65, 128, 200, 300}) {
    std::vector<std::uint8_t> fast(n + 1, 0xAB), slow(n + 1, 0xAB);
    lookup_bytes(table, in.data(), fast.data(), n, true);
    lookup_bytes(table, in.data(), slow.data(), n, false);
    EXPECT_EQ(fast, slow) << n;
    for (std::size_t i = 0; i < n; ++i) ASSERT_EQ(slow[i], table[in[i]]);
    EXPECT_EQ(fast[n], 0xAB) << "wrote past the end";
  }
  if (!byte_lookup_has_vbmi()) GTEST_SKIP() << "this CPU lacks AVX-512 VBMI: only the scalar lookup was checked";
}

TEST(ByteLookup, SumsOfBytesAndScaledSignedBytesMatchPlainLoops) {
  for (test::Fill fill : test::all_fills()) {
    const std::vector<std::uint8_t> in = test::filled(300, fill, 9);
    for (std::size_t n : {0, 1, 25, 31, 32, 33, 150, 300}) {
      std::uint32_t plain = 0;
      std::vector<std::uint32_t> sums(n + 1, 5), expected(n + 1, 5);
      for (std::size_t i = 0; i < n; ++i) {
        plain += in[i];
        expected[i] += 0xFFFFFF01u * static_cast<std::uint32_t>(static_cast<std::int8_t>(in[i]));
      }
      EXPECT_EQ(sum_bytes(in.data(), n), plain) << n;
      std::uint32_t plain_signed = 0;
      for (std::size_t i = 0; i < n; ++i) plain_signed += static_cast<std::uint32_t>(static_cast<std::int8_t>(in[i]));
      EXPECT_EQ(sum_signed_bytes(in.data(), n), plain_signed) << n;
      add_signed_bytes(in.data(), 0xFFFFFF01u, sums.data(), n);
      EXPECT_EQ(sums, expected) << n;
    }
  }
}

TEST(ByteLookup, ByteCountsMatchAPlainLoopAndAddToTheGivenCounts) {
  for (test::Fill fill : test::all_fills()) {
    const std::vector<std::uint8_t> in = test::filled(1001, fill, 4);
    for (std::size_t n : {0, 1, 3, 4, 5, 7, 64, 1001}) {
      std::array<std::int64_t, 256> counts{}, expected{};
      counts[7] = expected[7] = 1000;  // counts are added to, not overwritten
      for (std::size_t i = 0; i < n; ++i) ++expected[in[i]];
      count_bytes(in.data(), n, counts);
      EXPECT_EQ(counts, expected) << n;
    }
  }
}

TEST(Int8Gemm, SignedOperandWidthFollowsTheCpuAndTheIsaLimit) {
  // ctest also runs this binary with DNNL_MAX_CPU_ISA=AVX512_CORE (oneDNN without VNNI): 7-bit digits.
  const char* limit = std::getenv("DNNL_MAX_CPU_ISA");
  if (limit && std::string(limit) == "AVX512_CORE")
    EXPECT_EQ(int8_gemm_signed_bits(), 7);
  else
    EXPECT_EQ(int8_gemm_signed_bits(), __builtin_cpu_supports("avx512vnni") ? 8 : 7);
}

}  // namespace
}  // namespace axtrain
