// Error-table rank and decomposition: exact integer factors where they exist, reported residual otherwise.
#include "axtrain/hw/error_decomposition.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/util/rng.h"

#include <gtest/gtest.h>

#include <cmath>

namespace axtrain {
namespace {

// Reconstruction f == a*b + sum_t u_t(a) v_t(b), checked in exact integer arithmetic.
void expect_exact_reconstruction(const ProductTable& table, const ErrorDecomposition& d) {
  ASSERT_TRUE(d.integer);
  for (int ia = 0; ia < 256; ++ia) {
    for (int ib = 0; ib < 256; ++ib) {
      long long sum = 0;
      for (int t = 0; t < d.terms; ++t) {
        const double u = d.u[ia * d.terms + t], v = d.v[ib * d.terms + t];
        ASSERT_EQ(u, std::round(u));
        ASSERT_EQ(v, std::round(v));
        sum += static_cast<long long>(u) * static_cast<long long>(v);
      }
      ASSERT_EQ(table.exact_at(ia, ib) + sum, table.at(ia, ib)) << ia << " " << ib;
    }
  }
}

TEST(ErrorDecomposition, KulkarniRanksFollowBlockStructure) {
  // E = -2 X N X^T with N[i][j] = 4^(i+j) [i + j < k] on 4 chunk indicators: rank N = 1,2,3,4,3,2,1.
  const int expected_rank[8] = {0, 1, 2, 3, 4, 3, 2, 1};
  for (int k = 0; k <= 7; ++k) {
    SCOPED_TRACE(k);
    const Multiplier m = Multiplier::parse("kulkarni:" + std::to_string(k));
    const ErrorDecomposition d = decompose_error(m.table());
    EXPECT_EQ(d.rank, expected_rank[k]);
    EXPECT_EQ(error_table_rank(m.table()), expected_rank[k]);
    EXPECT_EQ(d.terms, expected_rank[k]);
    expect_exact_reconstruction(m.table(), d);
    EXPECT_EQ(d.max_abs_residual, 0);
  }
}

TEST(ErrorDecomposition, TruncatedIsIntegerAndExact) {
  for (int t : {1, 4, 8, 12}) {
    SCOPED_TRACE(t);
    const Multiplier m = Multiplier::parse("truncated:" + std::to_string(t));
    const ErrorDecomposition d = decompose_error(m.table());
    EXPECT_LE(d.rank, 8);  // E = -x(a)^T T x(b) over 8 bit indicators
    EXPECT_GE(d.rank, 1);
    expect_exact_reconstruction(m.table(), d);
  }
}

TEST(ErrorDecomposition, ConstructedRankTwoTableIsFoundExactly) {
  // f = a*b + u1(a) v1(b) + u2(a) v2(b) with seeded small integers: rank exactly 2 (checked independently:
  // the 2x2 minor below is non-zero) and an exact integer decomposition.
  Rng rng(derive_key({7, 1}));
  std::vector<int> u1(256), v1(256), u2(256), v2(256);
  for (int i = 0; i < 256; ++i) {
    u1[i] = static_cast<int>(rng.below(7)) - 3;
    v1[i] = static_cast<int>(rng.below(7)) - 3;
    u2[i] = static_cast<int>(rng.below(5)) - 2;
    v2[i] = static_cast<int>(rng.below(5)) - 2;
  }
  u1[0] = 1, u2[0] = 0, u1[1] = 0, u2[1] = 1, v1[0] = 1, v2[0] = 0, v1[1] = 0, v2[1] = 1;  // minor = 1
  std::vector<std::int32_t> products(65536);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) products[a * 256 + b] = a * b + u1[a] * v1[b] + u2[a] * v2[b];
  const ProductTable table(false, products);
  const ErrorDecomposition d = decompose_error(table);
  EXPECT_EQ(d.rank, 2);
  expect_exact_reconstruction(table, d);
}

TEST(ErrorDecomposition, FullRankTableFallsBackToRealWithResidual) {
  Rng rng(derive_key({11}));
  std::vector<std::int32_t> products(65536);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) products[a * 256 + b] = a * b + static_cast<int>(rng.below(1001)) - 500;
  const ProductTable table(false, products);
  const ErrorDecomposition d = decompose_error(table, 8);
  EXPECT_GE(d.rank, 250);  // a random integer matrix is almost surely of full rank
  EXPECT_FALSE(d.integer);
  EXPECT_EQ(d.terms, 8);
  EXPECT_GT(d.max_abs_residual, 0);
  EXPECT_GT(d.rms_residual, 0);
  // Uniform noise on -500..500 has rms ~289; eight singular directions can remove only a little of it.
  EXPECT_LT(d.rms_residual, 289.2);
  EXPECT_GT(d.rms_residual, 200);
}

TEST(ErrorDecomposition, RealTermsReduceTheResidual) {
  const Multiplier m = Multiplier::parse("mitchell");
  const ErrorDecomposition small = decompose_error(m.table(), 2);
  const ErrorDecomposition large = decompose_error(m.table(), 12);
  EXPECT_GT(small.rank, 12);
  EXPECT_FALSE(large.integer);
  EXPECT_LT(large.rms_residual, small.rms_residual);
  // The residual each reports is the one we can measure.
  double max_abs = 0;
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b)
      max_abs = std::max(max_abs, std::abs(m.table().error_at(a, b) - large.value_at(a, b)));
  EXPECT_DOUBLE_EQ(max_abs, large.max_abs_residual);
}

TEST(ErrorDecomposition, SignedTableIndicesAreCodes) {
  // A signed design whose error depends on the sign of the codes: E = -[a<0][b<0] (rank 1).
  std::vector<std::int32_t> products(65536);
  for (int ia = 0; ia < 256; ++ia)
    for (int ib = 0; ib < 256; ++ib) products[ia * 256 + ib] = (ia - 128) * (ib - 128) - (ia < 128 && ib < 128);
  const ProductTable table(true, products);
  const ErrorDecomposition d = decompose_error(table);
  EXPECT_EQ(d.rank, 1);
  expect_exact_reconstruction(table, d);
}

}  // namespace
}  // namespace axtrain
