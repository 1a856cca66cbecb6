#include "axtrain/util/rng.h"

#include <gtest/gtest.h>

#include <set>

namespace axtrain {
namespace {

TEST(Rng, SameKeySameStream) {
  Rng a(derive_key({42, 3, 7})), b(derive_key({42, 3, 7}));
  for (int i = 0; i < 1000; ++i) ASSERT_EQ(a.next_u64(), b.next_u64());
}

TEST(Rng, KeysDifferInEveryPartAndOrder) {
  std::set<std::uint64_t> keys = {derive_key({42, 3, 7}), derive_key({43, 3, 7}), derive_key({42, 4, 7}),
                                  derive_key({42, 3, 8}), derive_key({7, 3, 42}), derive_key({42, 3}),
                                  derive_key({0}),        derive_key({0, 0})};
  EXPECT_EQ(keys.size(), 8u);
}

TEST(Rng, UniformOpenIsInsideTheUnitIntervalWithTheRightMean) {
  Rng rng(derive_key({1}));
  double sum = 0;
  constexpr int kN = 200000;
  for (int i = 0; i < kN; ++i) {
    const double u = rng.uniform_open();
    ASSERT_GT(u, 0.0);
    ASSERT_LT(u, 1.0);
    sum += u;
  }
  // Mean 1/2, sd of the mean sqrt(1/12/N) ~ 6.5e-4: six sd.
  EXPECT_NEAR(sum / kN, 0.5, 6 * 6.5e-4);
}

TEST(Rng, BelowCoversTheRangeUniformly) {
  Rng rng(derive_key({2}));
  std::vector<int> counts(6, 0);
  constexpr int kN = 60000;
  for (int i = 0; i < kN; ++i) ++counts[rng.below(6)];
  // Each count ~ Binomial(60000, 1/6): mean 10000, sd ~91; six sd.
  for (int c : counts) EXPECT_NEAR(c, 10000, 6 * 91);
}

}  // namespace
}  // namespace axtrain
