// The reference GEMM against a naive per-element loop that calls each design's formula directly.
#include "axtrain/kernels/gemm_reference.h"

#include "../support/run_cli.h"
#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <gtest/gtest.h>

#include <variant>

namespace axtrain {
namespace {

// f(a, b) straight from the design's definition (not through the product table), for codes.
std::int32_t formula(const Multiplier& m, int a, int b) {
  return std::visit(
      [&](const auto& d) -> std::int32_t {
        if constexpr (std::is_same_v<std::decay_t<decltype(d)>, LutMul>)
          return m.table().at(m.table().index_of(a), m.table().index_of(b));
        else
          return d(a, b);
      },
      m.design());
}

struct Case {
  int m, n, k, lda, ldb, za, zb;
  enum Fill { kRandom, kZeros, kMax, kMin, kAlternating } fill;
};

void check_case(const Multiplier& mul, const Case& c, std::uint64_t seed) {
  std::vector<std::uint8_t> a(static_cast<std::size_t>(c.m) * c.lda + 1), b(static_cast<std::size_t>(c.k) * c.ldb + 1);
  Rng rng(derive_key({seed, static_cast<std::uint64_t>(c.m), static_cast<std::uint64_t>(c.k)}));
  auto fill = [&](std::vector<std::uint8_t>& v) {
    for (std::size_t i = 0; i < v.size(); ++i) {
      switch (c.fill) {
        case Case::kRandom: v[i] = static_cast<std::uint8_t>(rng.below(256)); break;
        case Case::kZeros: v[i] = 0; break;
        case Case::kMax: v[i] = mul.is_signed() ? 0x7F : 0xFF; break;
        case Case::kMin: v[i] = mul.is_signed() ? 0x80 : 0x00; break;
        case Case::kAlternating: v[i] = (i % 2) ? 0xFF : 0x80; break;
      }
    }
  };
  fill(a);
  fill(b);
  const int ldc = c.n + 2;
  std::vector<std::int32_t> out(static_cast<std::size_t>(c.m) * ldc, -7);
  gemm_reference(mul, c.m, c.n, c.k, a.data(), c.lda, c.za, b.data(), c.ldb, c.zb, out.data(), ldc);
  auto code = [&](std::uint8_t x) { return mul.is_signed() ? int(static_cast<std::int8_t>(x)) : int(x); };
  for (int i = 0; i < c.m; ++i) {
    for (int j = 0; j < c.n; ++j) {
      std::int64_t expected = 0;
      for (int p = 0; p < c.k; ++p) {
        const int x = code(a[i * c.lda + p]), y = code(b[p * c.ldb + j]);
        expected += formula(mul, x, y) - x * c.zb - c.za * y + c.za * c.zb;
      }
      ASSERT_EQ(out[i * ldc + j], expected) << mul.spec() << " m=" << c.m << " n=" << c.n << " k=" << c.k
                                            << " za=" << c.za << " zb=" << c.zb << " at (" << i << "," << j << ")";
    }
    for (int j = c.n; j < ldc; ++j) ASSERT_EQ(out[i * ldc + j], -7) << "wrote outside the n columns";
  }
}

std::vector<Case> cases(bool is_signed) {
  const int lo = is_signed ? -128 : 0, hi = is_signed ? 127 : 255, mid = is_signed ? 0 : 128;
  std::vector<Case> list;
  for (int k : {1, 2, 7, 13, 64, 257})
    for (auto [za, zb] : {std::pair{lo, lo}, {hi, hi}, {lo, hi}, {mid, 3}})
      list.push_back({3, 5, k, k + 3, 7, za, zb, Case::kRandom});
  for (auto fill : {Case::kZeros, Case::kMax, Case::kMin, Case::kAlternating})
    for (auto [za, zb] : {std::pair{lo, hi}, {hi, lo}}) list.push_back({2, 3, 31, 31, 3, za, zb, fill});
  list.push_back({1, 1, 1, 1, 1, hi, hi, Case::kMax});
  list.push_back({0, 4, 5, 5, 4, 0, 0, Case::kRandom});
  return list;
}

TEST(GemmReference, EveryBuiltinDesignMatchesNaiveLoop) {
  for (const std::string& spec : builtin_multiplier_specs()) {
    const Multiplier mul = Multiplier::parse(spec);
    for (const Case& c : cases(false)) check_case(mul, c, 1);
  }
}

TEST(GemmReference, SignedTableReadsCodesAsInt8) {
  // Exact except that negative x negative products lose 1; stored two's-complement and loaded as lut:.
  std::vector<std::int32_t> products(65536);
  for (int ia = 0; ia < 256; ++ia)
    for (int ib = 0; ib < 256; ++ib) products[ia * 256 + ib] = (ia - 128) * (ib - 128) - (ia < 128 && ib < 128);
  test::TempDir dir;
  save_table(ProductTable(true, products), dir.file("s.bin"), TableFormat::kBin, SignedLayout::kTwos);
  const Multiplier mul = Multiplier::parse("lut:" + dir.file("s.bin") + ",signed=twos");
  ASSERT_TRUE(mul.is_signed());
  EXPECT_EQ(mul.multiply(-3, -5), 14);
  for (const Case& c : cases(true)) check_case(mul, c, 2);
}

TEST(GemmReference, ExactDesignIsTheZeroPointCorrectedProduct) {
  const Multiplier mul = Multiplier::parse("exact");
  const std::uint8_t a[] = {0, 255, 17};  // 1 x 3
  const std::uint8_t b[] = {255, 0, 9};   // 3 x 1
  std::int32_t c = 0;
  gemm_reference(mul, 1, 1, 3, a, 3, 128, b, 1, 7, &c, 1);
  EXPECT_EQ(c, (0 - 128) * (255 - 7) + (255 - 128) * (0 - 7) + (17 - 128) * (9 - 7));
}

TEST(GemmReference, BadArgumentsAreUserErrors) {
  const Multiplier mul = Multiplier::parse("K1");
  std::uint8_t a[4] = {}, b[4] = {};
  std::int32_t c[4] = {};
  EXPECT_THROW(gemm_reference(mul, 1, 1, 0, a, 1, 0, b, 1, 0, c, 1), Error);
  EXPECT_THROW(gemm_reference(mul, 1, 1, kGemmMaxK + 1, a, kGemmMaxK + 1, 0, b, 1, 0, c, 1), Error);
  EXPECT_THROW(gemm_reference(mul, 1, 2, 2, a, 1, 0, b, 2, 0, c, 2), Error);  // lda < k
  EXPECT_THROW(gemm_reference(mul, 1, 1, 1, a, 1, 256, b, 1, 0, c, 1), Error);
  EXPECT_THROW(gemm_reference(mul, 1, 1, 1, a, 1, -1, b, 1, 0, c, 1), Error);
}

}  // namespace
}  // namespace axtrain
