#include "axtrain/hw/memory_faults.h"

#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdlib>
#include <string>
#include <vector>

namespace axtrain {
namespace {

constexpr double kSigmas = 6;              // statistical bound: a false failure is ~1e-9 per check
constexpr std::size_t kCodes = 1'000'000;  // 8e6 cells per statistical check

// Seeds for the statistical tests: one by default; AXT_STAT_SEEDS=N runs N (a local check of the bounds).
std::vector<std::uint64_t> stat_seeds() {
  const char* env = std::getenv("AXT_STAT_SEEDS");
  const int n = env ? std::max(1, std::atoi(env)) : 1;
  std::vector<std::uint64_t> seeds;
  for (int i = 0; i < n; ++i) seeds.push_back(static_cast<std::uint64_t>(1000 + i));
  return seeds;
}

std::vector<std::uint8_t> random_codes(std::size_t n, std::uint64_t seed) {
  Rng rng(derive_key({seed, 0xC0DE}));
  std::vector<std::uint8_t> codes(n);
  for (auto& c : codes) c = static_cast<std::uint8_t>(rng.next_u64() >> 56);
  return codes;
}

std::size_t bits_differing(const std::vector<std::uint8_t>& a, const std::vector<std::uint8_t>& b) {
  std::size_t n = 0;
  for (std::size_t i = 0; i < a.size(); ++i) {
    n += static_cast<std::size_t>(std::popcount(static_cast<std::uint8_t>(a[i] ^ b[i])));
  }
  return n;
}

// |count - n p| within kSigmas binomial standard deviations.
void expect_binomial(std::size_t count, double n, double p, const std::string& what) {
  const double mean = n * p;
  const double sd = std::sqrt(n * p * (1 - p));
  EXPECT_LE(std::abs(static_cast<double>(count) - mean), kSigmas * sd)
      << what << ": " << count << " events, expected " << mean << " +- " << sd << " (n " << n << ", p " << p << ")";
}

TEST(TransientFaults, SymmetricRateMatchesBinomial) {
  const double p = 1e-3;
  for (const std::uint64_t seed : stat_seeds()) {
    std::vector<std::uint8_t> codes = random_codes(kCodes, seed);
    const std::vector<std::uint8_t> before = codes;
    const std::size_t flips = inject_transient_faults(codes, MemoryFaultModel::symmetric(p), derive_key({seed, 1, 0}));
    EXPECT_EQ(flips, bits_differing(before, codes));
    expect_binomial(flips, 8.0 * kCodes, p, "symmetric flips");
  }
}

TEST(TransientFaults, AsymmetricRatesFollowTheStoredValue) {
  const MemoryFaultModel model{.p01 = 2e-3, .p10 = 5e-4};
  for (const std::uint64_t seed : stat_seeds()) {
    std::vector<std::uint8_t> zeros(kCodes, 0x00);
    expect_binomial(inject_transient_faults(zeros, model, derive_key({seed, 2, 0})), 8.0 * kCodes, model.p01,
                    "0 -> 1 flips of an all-zero buffer");
    std::vector<std::uint8_t> ones(kCodes, 0xFF);
    expect_binomial(inject_transient_faults(ones, model, derive_key({seed, 2, 1})), 8.0 * kCodes, model.p10,
                    "1 -> 0 flips of an all-one buffer");
    // Both kinds in every code: the low nibble stores 0s, the high nibble 1s.
    std::vector<std::uint8_t> mixed(kCodes, 0xF0);
    inject_transient_faults(mixed, model, derive_key({seed, 2, 2}));
    std::size_t up = 0, down = 0;
    for (const std::uint8_t c : mixed) {
      up += static_cast<std::size_t>(std::popcount(static_cast<std::uint8_t>(c & 0x0F)));
      down += static_cast<std::size_t>(std::popcount(static_cast<std::uint8_t>(~c & 0xF0)));
    }
    expect_binomial(up, 4.0 * kCodes, model.p01, "0 -> 1 flips in the low nibble");
    expect_binomial(down, 4.0 * kCodes, model.p10, "1 -> 0 flips in the high nibble");
  }
}

TEST(TransientFaults, ProtectedBitsNeverFlip) {
  const MemoryFaultModel model{.p01 = 0.3, .p10 = 0.1, .protected_bits = 0x81};
  std::vector<std::uint8_t> codes = random_codes(100'000, 7);
  const std::vector<std::uint8_t> before = codes;
  const std::size_t flips = inject_transient_faults(codes, model, derive_key({7, 3, 0}));
  for (std::size_t i = 0; i < codes.size(); ++i) {
    ASSERT_EQ((codes[i] ^ before[i]) & 0x81, 0) << "code " << i << ": " << int(before[i]) << " -> " << int(codes[i]);
  }
  EXPECT_GT(flips, 100'000u);  // the six unprotected positions do flip (about 6e5 * 0.2)
}

TEST(TransientFaults, SameKeyReplaysAndAnotherStepDiffers) {
  const MemoryFaultModel model = MemoryFaultModel::symmetric(1e-3);
  const std::vector<std::uint8_t> original = random_codes(100'000, 11);
  std::vector<std::uint8_t> a = original, b = original, c = original;
  inject_transient_faults(a, model, derive_key({11, 4, 0}));
  inject_transient_faults(b, model, derive_key({11, 4, 0}));
  inject_transient_faults(c, model, derive_key({11, 4, 1}));
  EXPECT_NE(a, original);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
}

TEST(TransientFaults, ZeroRateChangesNothing) {
  const std::vector<std::uint8_t> original = random_codes(10'000, 12);
  std::vector<std::uint8_t> codes = original;
  EXPECT_EQ(inject_transient_faults(codes, MemoryFaultModel{}, 5), 0u);
  EXPECT_EQ(inject_transient_faults(codes, MemoryFaultModel::symmetric(1.0, 0xFF), 5), 0u);
  EXPECT_EQ(codes, original);
}

TEST(TransientFaults, RateOneFlipsEveryUnprotectedBit) {
  const std::vector<std::uint8_t> original = random_codes(10'000, 13);
  std::vector<std::uint8_t> codes = original;
  EXPECT_EQ(inject_transient_faults(codes, MemoryFaultModel::symmetric(1.0, 0x80), 6), 7u * codes.size());
  for (std::size_t i = 0; i < codes.size(); ++i) ASSERT_EQ(codes[i], original[i] ^ 0x7F) << "code " << i;
  // p01 = 1, p10 = 0: every 0 becomes 1 and no 1 changes.
  codes = original;
  inject_transient_faults(codes, MemoryFaultModel{.p01 = 1.0, .p10 = 0.0}, 7);
  for (const std::uint8_t c : codes) ASSERT_EQ(c, 0xFF);
}

TEST(TransientFaults, EmptySpanIsFine) {
  std::vector<std::uint8_t> none;
  EXPECT_EQ(inject_transient_faults(none, MemoryFaultModel::symmetric(0.5), 1), 0u);
}

TEST(TransientFaults, InvalidModelThrows) {
  std::vector<std::uint8_t> codes(16);
  EXPECT_THROW(inject_transient_faults(codes, MemoryFaultModel{.p01 = std::nan("")}, 1), Error);
  EXPECT_THROW(inject_transient_faults(codes, MemoryFaultModel{.p10 = -0.1}, 1), Error);
  EXPECT_THROW(inject_transient_faults(codes, MemoryFaultModel{.p01 = 1.5}, 1), Error);
  EXPECT_THROW(MemoryFaultModel::symmetric(2.0), Error);
  try {
    MemoryFaultModel{.p10 = 1.5}.validate();
    ADD_FAILURE() << "expected axtrain::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("p10 = 1.5 is outside [0, 1]"), std::string::npos) << e.what();
  }
}

TEST(FaultMap, SameKeySameMapAnotherKeyDiffers) {
  const MemoryFaultModel model = MemoryFaultModel::symmetric(1e-3);
  const FaultMap a = FaultMap::sample(100'000, model, derive_key({21, 0, 0}));
  const FaultMap b = FaultMap::sample(100'000, model, derive_key({21, 0, 0}));
  const FaultMap c = FaultMap::sample(100'000, model, derive_key({21, 0, 1}));
  std::vector<std::uint8_t> ra(100'000, 0x0F), rb = ra, rc = ra;
  a.apply(ra);
  b.apply(rb);
  c.apply(rc);
  EXPECT_EQ(a.faulty_cells(), b.faulty_cells());
  EXPECT_EQ(ra, rb);
  EXPECT_NE(ra, rc);
}

TEST(FaultMap, ApplyIsIdempotent) {
  const FaultMap map = FaultMap::sample(100'000, MemoryFaultModel{.p01 = 3e-3, .p10 = 1e-3}, derive_key({22}));
  std::vector<std::uint8_t> codes = random_codes(100'000, 22);
  const std::vector<std::uint8_t> original = codes;
  const std::size_t changed = map.apply(codes);
  EXPECT_GT(changed, 0u);
  EXPECT_EQ(changed, bits_differing(original, codes));
  const std::vector<std::uint8_t> once = codes;
  EXPECT_EQ(map.apply(codes), 0u);
  EXPECT_EQ(codes, once);
}

TEST(FaultMap, FaultyCellShareMatchesRates) {
  const MemoryFaultModel model{.p01 = 1e-3, .p10 = 2e-3};
  const MemoryFaultModel guarded{.p01 = 1e-3, .p10 = 2e-3, .protected_bits = 0x80};
  for (const std::uint64_t seed : stat_seeds()) {
    const FaultMap map = FaultMap::sample(kCodes, model, derive_key({seed, 23}));
    EXPECT_EQ(map.size(), kCodes);
    expect_binomial(map.faulty_cells(), 8.0 * kCodes, model.p01 + model.p10, "faulty cells");
    expect_binomial(map.stuck_at_one_cells(), 8.0 * kCodes, model.p01, "stuck-at-1 cells");
    const FaultMap guarded_map = FaultMap::sample(kCodes, guarded, derive_key({seed, 24}));
    expect_binomial(guarded_map.faulty_cells(), 7.0 * kCodes, model.p01 + model.p10, "faulty unprotected cells");
  }
}

TEST(FaultMap, StuckCellsForceTheirValuesWhateverIsStored) {
  const std::size_t n = 200'000;
  const FaultMap map =
      FaultMap::sample(n, MemoryFaultModel{.p01 = 4e-3, .p10 = 2e-3, .protected_bits = 0x80}, derive_key({25}));
  std::vector<std::uint8_t> stuck_one(n, 0x00), reads_of_ones(n, 0xFF);
  map.apply(stuck_one);      // bits set here are the stuck-at-1 cells
  map.apply(reads_of_ones);  // bits cleared here are the stuck-at-0 cells
  std::vector<std::uint8_t> codes = random_codes(n, 25);
  const std::vector<std::uint8_t> original = codes;
  map.apply(codes);
  std::size_t ones = 0, zeros = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const auto stuck_zero = static_cast<std::uint8_t>(~reads_of_ones[i]);
    ASSERT_EQ(stuck_one[i] & stuck_zero, 0) << "code " << i << ": a cell stuck at both values";
    ASSERT_EQ((stuck_one[i] | stuck_zero) & 0x80, 0) << "code " << i << ": a protected cell is stuck";
    ASSERT_EQ(codes[i], (original[i] | stuck_one[i]) & ~stuck_zero) << "code " << i;
    ones += static_cast<std::size_t>(std::popcount(stuck_one[i]));
    zeros += static_cast<std::size_t>(std::popcount(stuck_zero));
  }
  EXPECT_EQ(ones, map.stuck_at_one_cells());
  EXPECT_EQ(ones + zeros, map.faulty_cells());
}

TEST(FaultMap, ReadErrorRateEqualsTheTransientMarginal) {
  const double p = 1e-3;  // a symmetric map marks 2p of the cells but misreads random data at rate p
  for (const std::uint64_t seed : stat_seeds()) {
    std::vector<std::uint8_t> codes = random_codes(kCodes, seed);
    const FaultMap map = FaultMap::sample(kCodes, MemoryFaultModel::symmetric(p), derive_key({seed, 26}));
    expect_binomial(map.apply(codes), 8.0 * kCodes, p, "misread bits");
  }
}

TEST(FaultMap, RejectsSizeMismatchAndRatesAboveOne) {
  const FaultMap map = FaultMap::sample(100, MemoryFaultModel::symmetric(1e-2), 1);
  std::vector<std::uint8_t> codes(99);
  try {
    map.apply(codes);
    ADD_FAILURE() << "expected axtrain::Error";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("covers 100 codes but the buffer has 99"), std::string::npos) << e.what();
  }
  EXPECT_THROW(FaultMap::sample(100, MemoryFaultModel{.p01 = 0.6, .p10 = 0.5}, 1), Error);
  EXPECT_THROW(FaultMap::sample(100, MemoryFaultModel{.p01 = -1}, 1), Error);
  std::vector<std::uint8_t> none;
  EXPECT_EQ(FaultMap::sample(0, MemoryFaultModel::symmetric(0.5), 1).apply(none), 0u);
}

TEST(FaultMap, FullFaultRateMarksEveryUnprotectedCell) {
  const FaultMap map = FaultMap::sample(1000, MemoryFaultModel{.p01 = 1.0, .protected_bits = 0x01}, 3);
  EXPECT_EQ(map.faulty_cells(), 7000u);
  EXPECT_EQ(map.stuck_at_one_cells(), 7000u);
}

TEST(ExpectedFlipsPerKib, FollowsTheFormula) {
  EXPECT_DOUBLE_EQ(expected_flips_per_kib(MemoryFaultModel::symmetric(1e-3)), 8.192);
  EXPECT_DOUBLE_EQ(expected_flips_per_kib(MemoryFaultModel::symmetric(1e-3, 0x80)), 7.168);
  EXPECT_DOUBLE_EQ(expected_flips_per_kib(MemoryFaultModel{.p01 = 1e-3, .p10 = 3e-3}), 16.384);
  EXPECT_EQ(expected_flips_per_kib(MemoryFaultModel{}), 0.0);
  EXPECT_THROW(expected_flips_per_kib(MemoryFaultModel{.p01 = 2}), Error);
}

}  // namespace
}  // namespace axtrain
