// Each built-in design against an independent statement of its definition, and spec parsing.
#include "axtrain/hw/multiplier.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <cstdlib>

namespace axtrain {
namespace {

// Kulkarni's error, derived independently: each approximate block (i, j) errs only on 3 x 3 (7 vs 9),
// so E = -2 * sum over approximate blocks with both chunks equal to 3 of 4^(i+j).
int kulkarni_error(int k, int a, int b) {
  int e = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j)
      if (i + j < k && ((a >> (2 * i)) & 3) == 3 && ((b >> (2 * j)) & 3) == 3) e -= 2 << (2 * (i + j));
  return e;
}

TEST(Kulkarni, ErrorMatchesBlockDefinitionForEveryK) {
  for (int k = 0; k <= 7; ++k) {
    const KulkarniMul mul{.k = k};
    for (int a = 0; a < 256; ++a)
      for (int b = 0; b < 256; ++b) ASSERT_EQ(mul(a, b) - a * b, kulkarni_error(k, a, b)) << k << " " << a << " " << b;
  }
}

TEST(Kulkarni, FullDesignOnAllOnes) {
  // 255 = chunks 3,3,3,3: every block is 7 instead of 9; error = -2 * (1+4+16+64)^2 = -14450.
  EXPECT_EQ(KulkarniMul{.k = 7}(255, 255), 255 * 255 - 14450);
  EXPECT_EQ(KulkarniMul{.k = 7}(3, 3), 7);
  EXPECT_EQ(KulkarniMul{.k = 0}(255, 255), 255 * 255);
}

TEST(Truncated, DropsExactlyTheLowPartialProducts) {
  for (int t : {0, 1, 4, 8, 15}) {
    const TruncatedMul mul{.t = t};
    for (int a = 0; a < 256; ++a) {
      for (int b = 0; b < 256; ++b) {
        int dropped = 0;
        for (int i = 0; i < 8; ++i)
          for (int j = 0; j < 8; ++j)
            if (i + j < t && ((a >> i) & 1) && ((b >> j) & 1)) dropped += 1 << (i + j);
        ASSERT_EQ(mul(a, b), a * b - dropped) << t << " " << a << " " << b;
      }
    }
  }
  EXPECT_EQ(TruncatedMul{.t = 15}(255, 255), 0);
}

TEST(Drum, SmallOperandsExactAndHandValues) {
  const DrumMul drum4{.k = 4};
  for (int a = 0; a < 16; ++a)
    for (int b = 0; b < 16; ++b) EXPECT_EQ(drum4(a, b), a * b);
  // 200 = 1100'1000b: leading one at 7, keep 4 bits 1100 -> 1101 = 13, shift 4.
  // 100 = 110'0100b: leading one at 6, keep 1100 -> 1101 = 13, shift 3. 13 * 13 << 7 = 21632.
  EXPECT_EQ(drum4(200, 100), 21632);
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) ASSERT_EQ(DrumMul{.k = 8}(a, b), a * b);
}

TEST(Mitchell, KnownValuesAndErrorBound) {
  const MitchellMul mitchell;
  EXPECT_EQ(mitchell(3, 3), 8);  // log2 3 ~ 1.5, antilog of 3 = 8
  EXPECT_EQ(mitchell(0, 77), 0);
  EXPECT_EQ(mitchell(255, 0), 0);
  for (int a = 1; a < 256; ++a) {
    for (int b = 1; b < 256; ++b) {
      const int f = mitchell(a, b);
      ASSERT_LE(f, a * b) << a << " " << b;              // Mitchell never overestimates
      ASSERT_GE(9.0 * f, 8.0 * a * b) << a << " " << b;  // and errs by at most 1/9 (11.1 %)
      if ((a & (a - 1)) == 0) {
        ASSERT_EQ(f, a * b) << "a power of two is exact: " << a << " " << b;
      }
    }
  }
}

TEST(MultiplierSpec, ParsesAndPrintsBackUnchanged) {
  for (const std::string& spec : builtin_multiplier_specs()) {
    const Multiplier m = Multiplier::parse(spec);
    EXPECT_EQ(m.spec(), spec);
    EXPECT_FALSE(m.is_signed());
  }
  for (const char* spec : {"kulkarni:0", "kulkarni:7", "truncated:0", "truncated:15", "drum:1", "drum:8"})
    EXPECT_EQ(Multiplier::parse(spec).spec(), spec);
}

TEST(MultiplierSpec, PresetsAreKulkarniFiveToSeven) {
  for (auto [preset, k] : {std::pair{"K1", 5}, {"K2", 6}, {"K3", 7}}) {
    const Multiplier m = Multiplier::parse(preset);
    ASSERT_TRUE(std::holds_alternative<KulkarniMul>(m.design()));
    EXPECT_EQ(std::get<KulkarniMul>(m.design()).k, k);
    EXPECT_EQ(m.table().products(), Multiplier::parse("kulkarni:" + std::to_string(k)).table().products());
  }
}

TEST(MultiplierSpec, TableAgreesWithFormula) {
  const Multiplier m = Multiplier::parse("drum:5");
  for (int a = 0; a < 256; a += 3)
    for (int b = 0; b < 256; b += 5) EXPECT_EQ(m.multiply(a, b), (DrumMul{.k = 5}(a, b)));
}

void expect_bad_spec(const std::string& spec, const std::string& fragment) {
  try {
    Multiplier::parse(spec);
    ADD_FAILURE() << "spec '" << spec << "' was accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find(fragment), std::string::npos) << e.what();
    EXPECT_EQ(std::string(e.what()).find('\n'), std::string::npos) << "one line: " << e.what();
  }
}

TEST(MultiplierSpec, BadSpecsNameTheRule) {
  expect_bad_spec("kulkarni:9", "0..7");
  expect_bad_spec("kulkarni:", "0..7");
  expect_bad_spec("kulkarni:5x", "0..7");
  expect_bad_spec("truncated:-1", "0..15");
  expect_bad_spec("truncated:16", "0..15");
  expect_bad_spec("drum:0", "1..8");
  expect_bad_spec("drum:9", "1..8");
  expect_bad_spec("foo", "unknown multiplier 'foo'");
  expect_bad_spec("k1", "unknown multiplier 'k1'");
  expect_bad_spec("", "unknown multiplier ''");
  expect_bad_spec("wallace:3", "unknown multiplier 'wallace:3'");
  expect_bad_spec("lut:", "needs a table file path");
  expect_bad_spec("lut:/nonexistent/m.bin", "/nonexistent/m.bin");
}

}  // namespace
}  // namespace axtrain
