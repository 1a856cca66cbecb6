// TableGemm against gemm_reference, bit for bit, on every path this CPU supports: edge shapes around the
// 64-byte vector width and the 256-step flush, padded and tight strides, operand fills, zero points, every
// built-in design, random unsigned and signed tables, and a table that must fall back to the scalar path.
// Operand buffers end exactly at their last element, so AddressSanitizer catches any read past a tail.
#include "axtrain/kernels/table_gemm.h"

#include "../support/kernel_cases.h"
#include "../support/run_cli.h"
#include "axtrain/kernels/gemm_reference.h"
#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <gtest/gtest.h>
#include <omp.h>

#include <cstdint>
#include <string>
#include <thread>
#include <vector>

namespace axtrain {
namespace {

constexpr TablePath kAllPaths[] = {TablePath::kScalar, TablePath::kAvx2, TablePath::kVbmi};
constexpr std::int32_t kSentinel = -7;

std::vector<TablePath> supported_paths() {
  std::vector<TablePath> paths;
  for (TablePath path : kAllPaths)
    if (table_path_supported(path)) paths.push_back(path);
  return paths;
}

using test::Fill;

// rows x cols bytes with row stride ld, allocated to end at the last element (no slack after it).
std::vector<std::uint8_t> operand(int rows, int cols, int ld, Fill fill, std::uint64_t seed) {
  return test::filled(rows == 0 ? 0 : static_cast<std::size_t>(rows - 1) * ld + cols, fill, seed);
}

struct Shape {
  int m, n, k;
  int lda_pad = 5, ldb_pad = 3, ldc_pad = 2;
};

// Runs gemm_reference and every supported path of g on one case; C outside the m x n block must stay untouched.
void expect_paths_match(const Multiplier& mul, const TableGemm& g, const Shape& s, int za, int zb, Fill fill,
                        std::uint64_t seed) {
  const int lda = s.k + s.lda_pad, ldb = s.n + s.ldb_pad, ldc = s.n + s.ldc_pad;
  const auto a = operand(s.m, s.k, lda, fill, derive_key({seed, 1}));
  const auto b = operand(s.k, s.n, ldb, fill, derive_key({seed, 2}));
  const std::size_t c_size = static_cast<std::size_t>(s.m) * ldc;
  std::vector<std::int32_t> expected(c_size, kSentinel);
  gemm_reference(mul, s.m, s.n, s.k, a.data(), lda, za, b.data(), ldb, zb, expected.data(), ldc);
  for (TablePath path : supported_paths()) {
    std::vector<std::int32_t> got(c_size, kSentinel);
    g.run(path, s.m, s.n, s.k, a.data(), lda, za, b.data(), ldb, zb, got.data(), ldc);
    for (std::size_t e = 0; e < c_size; ++e) {
      ASSERT_EQ(got[e], expected[e]) << mul.spec() << " path " << table_path_name(path) << " m=" << s.m << " n=" << s.n
                                     << " k=" << s.k << " lda=" << lda << " ldb=" << ldb << " ldc=" << ldc
                                     << " za=" << za << " zb=" << zb << " fill " << static_cast<int>(fill) << " at ("
                                     << e / ldc << "," << e % ldc << ")";
    }
  }
}

const int kEdges[] = {1, 2, 3, 63, 64, 65, 127, 129, 200};

// The grids run on one thread: thousands of short calls, where an OpenMP team's spin-waiting on a busy machine
// (ctest -j) would cost more than the products. TeamsOfAnySizeAgree covers the teams.
class OneThread {
 public:
  OneThread() : saved_(omp_get_max_threads()) { omp_set_num_threads(1); }
  ~OneThread() { omp_set_num_threads(saved_); }
  OneThread(const OneThread&) = delete;
  OneThread& operator=(const OneThread&) = delete;

 private:
  int saved_;
};

// The shape grid on one design: every (n, k) edge pair at small m (and some at m = 65), every m, depths across the
// flush boundary, tight strides, and the deepest k.
void expect_shape_grid_matches(const Multiplier& mul, int za, int zb) {
  const OneThread one_thread;
  const TableGemm g(mul);
  std::uint64_t seed = 100;
  for (int m : {1, 3})
    for (int n : kEdges)
      for (int k : kEdges) expect_paths_match(mul, g, {m, n, k}, za, zb, Fill::kRandom, ++seed);
  for (int n : kEdges)
    for (int k : {1, 64, 129}) expect_paths_match(mul, g, {65, n, k}, za, zb, Fill::kRandom, ++seed);
  for (int m : kEdges)
    for (int n : {65, 129, 200}) expect_paths_match(mul, g, {m, n, 13}, za, zb, Fill::kRandom, ++seed);
  for (int k : {255, 256, 257, 300, 513})
    for (int n : {1, 64, 100, 257}) expect_paths_match(mul, g, {3, n, k}, za, zb, Fill::kRandom, ++seed);
  for (int n : {1, 63, 64, 65, 130}) expect_paths_match(mul, g, {2, n, 7, 0, 0, 0}, za, zb, Fill::kRandom, ++seed);
  expect_paths_match(mul, g, {200, 200, 129, 0, 0, 0}, za, zb, Fill::kRandom, ++seed);
  for (Fill fill : {Fill::kRandom, Fill::kAllFF, Fill::kAll80})
    expect_paths_match(mul, g, {2, 65, kGemmMaxK}, za, zb, fill, ++seed);
}

// Every fill at a few shapes, for each zero-point pair.
void expect_fills_match(const Multiplier& mul, const std::vector<std::pair<int, int>>& zero_points) {
  const OneThread one_thread;
  const TableGemm g(mul);
  std::uint64_t seed = 7;
  for (auto [za, zb] : zero_points)
    for (Fill fill : test::all_fills())
      for (Shape s : {Shape{1, 1, 1}, Shape{3, 65, 31}, Shape{2, 129, 257}, Shape{65, 70, 64}})
        expect_paths_match(mul, g, s, za, zb, fill, ++seed);
}

const std::vector<std::pair<int, int>> kUnsignedZeroPoints = {{0, 0}, {128, 3}, {255, 255}};
const std::vector<std::pair<int, int>> kSignedZeroPoints = {{0, 0}, {-128, -128}, {127, 127}, {-128, 127}};

// A lut: multiplier from a table of codes, written into dir (two's complement layout when signed).
Multiplier lut(const test::TempDir& dir, const std::string& name, const ProductTable& table) {
  const std::string path = dir.file(name + ".bin");
  if (table.is_signed()) {
    save_table(table, path, TableFormat::kBin, SignedLayout::kTwos);
    return Multiplier::parse("lut:" + path + ",signed=twos");
  }
  save_table(table, path, TableFormat::kBin, std::nullopt);
  return Multiplier::parse("lut:" + path);
}

// Random entries over the full 16-bit range, with the range ends in row 5 so one row spans exactly 65535.
ProductTable random_table(bool is_signed, std::uint64_t seed) {
  Rng rng(seed);
  const std::int32_t lo = is_signed ? -32768 : 0;
  std::vector<std::int32_t> products(65536);
  for (std::int32_t& v : products) v = lo + static_cast<std::int32_t>(rng.below(65536));
  products[5 * 256 + 17] = lo;
  products[5 * 256 + 200] = lo + 65535;
  return ProductTable(is_signed, products);
}

TEST(TableGemm, PathSupportFollowsCpuFeatures) {
  __builtin_cpu_init();
  const bool avx2 = __builtin_cpu_supports("avx2");
  const bool vbmi =
      __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512vbmi");
  EXPECT_TRUE(table_path_supported(TablePath::kScalar));
  EXPECT_EQ(table_path_supported(TablePath::kAvx2), avx2);
  EXPECT_EQ(table_path_supported(TablePath::kVbmi), vbmi);
  const TablePath best = best_table_path();
  EXPECT_TRUE(table_path_supported(best));
  if (vbmi) {
    EXPECT_EQ(best, TablePath::kVbmi);
  }
  if (!avx2) {
    EXPECT_EQ(best, TablePath::kScalar);
  }
  EXPECT_EQ(best_table_path(), best) << "chosen once per process";
  EXPECT_EQ(table_path_name(TablePath::kScalar), "scalar");
  EXPECT_EQ(table_path_name(TablePath::kAvx2), "avx2");
  EXPECT_EQ(table_path_name(TablePath::kVbmi), "avx512-vbmi");
}

// Every other test checks the paths this CPU supports; this one says so when the avx512-vbmi kernel is left
// unchecked here (a CPU without AVX-512 VBMI).
TEST(TableGemm, VbmiPathIsCheckedOnThisCpu) {
  if (!table_path_supported(TablePath::kVbmi))
    GTEST_SKIP() << "this CPU lacks AVX-512 VBMI: the avx512-vbmi table kernel is not checked here";
  EXPECT_EQ(best_table_path(), TablePath::kVbmi);
  EXPECT_EQ(supported_paths().size(), 3u);
}

TEST(TableGemm, UnsupportedPathThrows) {
  const TableGemm g(Multiplier::parse("mitchell"));
  const std::uint8_t a[1] = {3}, b[1] = {5};
  std::int32_t c[1] = {};
  int unsupported = 0;
  for (TablePath path : kAllPaths) {
    if (table_path_supported(path)) continue;
    ++unsupported;
    EXPECT_THROW(g.run(path, 1, 1, 1, a, 1, 0, b, 1, 0, c, 1), Error) << table_path_name(path);
  }
  if (unsupported == 0) GTEST_SKIP() << "this CPU supports every path, so none can be refused";
}

TEST(TableGemm, BadArgumentsAreUserErrors) {
  const TableGemm g(Multiplier::parse("K1"));
  std::uint8_t a[4] = {}, b[4] = {};
  std::int32_t c[4] = {};
  for (TablePath path : supported_paths()) {
    EXPECT_THROW(g.run(path, 1, 1, 0, a, 1, 0, b, 1, 0, c, 1), Error);
    EXPECT_THROW(g.run(path, 1, 1, kGemmMaxK + 1, a, kGemmMaxK + 1, 0, b, 1, 0, c, 1), Error);
    EXPECT_THROW(g.run(path, -1, 1, 1, a, 1, 0, b, 1, 0, c, 1), Error);
    EXPECT_THROW(g.run(path, 1, 2, 2, a, 1, 0, b, 2, 0, c, 2), Error);  // lda < k
    EXPECT_THROW(g.run(path, 1, 2, 1, a, 1, 0, b, 1, 0, c, 2), Error);  // ldb < n
    EXPECT_THROW(g.run(path, 1, 2, 1, a, 1, 0, b, 2, 0, c, 1), Error);  // ldc < n
    EXPECT_THROW(g.run(path, 1, 1, 1, a, 1, 256, b, 1, 0, c, 1), Error);
    EXPECT_THROW(g.run(path, 1, 1, 1, a, 1, 0, b, 1, -1, c, 1), Error);
  }
}

TEST(TableGemm, EmptyShapesWriteNothing) {
  const TableGemm g(Multiplier::parse("drum:4"));
  std::uint8_t a[8] = {1, 2, 3, 4, 5, 6, 7, 8}, b[8] = {8, 7, 6, 5, 4, 3, 2, 1};
  for (TablePath path : supported_paths()) {
    std::int32_t c[4] = {kSentinel, kSentinel, kSentinel, kSentinel};
    g.run(path, 0, 4, 2, a, 2, 0, b, 4, 0, c, 4);
    g.run(path, 2, 0, 2, a, 2, 0, b, 0, 0, c, 0);
    for (std::int32_t v : c) EXPECT_EQ(v, kSentinel) << table_path_name(path);
  }
}

TEST(TableGemm, MitchellShapeGridUnsigned) {
  const Multiplier mul = Multiplier::parse("mitchell");
  for (auto [za, zb] : kUnsignedZeroPoints) expect_shape_grid_matches(mul, za, zb);
}

TEST(TableGemm, EveryBuiltinDesignEveryFill) {
  for (const std::string& spec : builtin_multiplier_specs()) {
    const Multiplier mul = Multiplier::parse(spec);
    EXPECT_TRUE(TableGemm(mul).fast_paths_apply()) << spec;
    expect_fills_match(mul, kUnsignedZeroPoints);
  }
}

TEST(TableGemm, RandomUnsignedTable) {
  test::TempDir dir;
  const Multiplier mul = lut(dir, "u", random_table(false, 11));
  EXPECT_TRUE(TableGemm(mul).fast_paths_apply());
  expect_fills_match(mul, kUnsignedZeroPoints);
  expect_shape_grid_matches(mul, 255, 255);
}

TEST(TableGemm, RandomSignedTable) {
  test::TempDir dir;
  const Multiplier mul = lut(dir, "s", random_table(true, 12));
  ASSERT_TRUE(mul.is_signed());
  EXPECT_TRUE(TableGemm(mul).fast_paths_apply());
  expect_fills_match(mul, kSignedZeroPoints);
  expect_shape_grid_matches(mul, -128, 127);
}

TEST(TableGemm, SignedExactTableIsTheCenteredProduct) {
  std::vector<std::int32_t> products(65536);
  for (int ia = 0; ia < 256; ++ia)
    for (int ib = 0; ib < 256; ++ib) products[ia * 256 + ib] = (ia - 128) * (ib - 128);
  test::TempDir dir;
  const Multiplier mul = lut(dir, "exact_signed", ProductTable(true, products));
  expect_fills_match(mul, kSignedZeroPoints);
  const TableGemm g(mul);
  const std::uint8_t a[] = {0x80, 0x7F, 0xFD};  // -128, 127, -3 as two's complement bytes; 1 x 3
  const std::uint8_t b[] = {0x80, 0x05, 0xFF};  // -128, 5, -1; 3 x 1
  for (TablePath path : supported_paths()) {
    std::int32_t c = 0;
    g.run(path, 1, 1, 3, a, 3, 0, b, 1, 0, &c, 1);
    EXPECT_EQ(c, 128 * 128 + 127 * 5 + 3) << table_path_name(path);
  }
}

// Shapes big enough for run() to use a team (above about 256k products on vbmi, 50k on the others), with teams
// of 1 to 3 threads: tiles and column sums split any way give the same integers.
TEST(TableGemm, TeamsOfAnySizeAgree) {
  const Multiplier mul = Multiplier::parse("drum:5");
  const TableGemm g(mul);
  const int saved = omp_get_max_threads();
  for (int threads : {1, 2, 3}) {
    omp_set_num_threads(threads);
    expect_paths_match(mul, g, {6, 8000, 25}, 128, 3, Fill::kRandom, 41);  // LeNet conv1-like: many column blocks
    expect_paths_match(mul, g, {70, 300, 129}, 255, 0, Fill::kRandom, 42);
    expect_paths_match(mul, g, {3, 1500, 300}, 7, 255, Fill::kRandom, 43);  // k past one flush
  }
  omp_set_num_threads(saved);
}

// One prepared TableGemm serves several threads at once (each call its own OpenMP team), every path.
TEST(TableGemm, ConcurrentRunsAgree) {
  const Multiplier mul = Multiplier::parse("K2");
  const TableGemm g(mul);
  const int m = 40, n = 300, k = 150;
  const auto a = operand(m, k, k, Fill::kRandom, 31);
  const auto b = operand(k, n, n, Fill::kRandom, 32);
  std::vector<std::int32_t> expected(static_cast<std::size_t>(m) * n);
  gemm_reference(mul, m, n, k, a.data(), k, 17, b.data(), n, 200, expected.data(), n);
  const std::vector<TablePath> paths = supported_paths();
  std::vector<std::vector<std::int32_t>> got(2 * paths.size(), std::vector<std::int32_t>(expected.size()));
  std::vector<std::thread> threads;
  for (std::size_t t = 0; t < got.size(); ++t) {
    threads.emplace_back(
        [&, t] { g.run(paths[t % paths.size()], m, n, k, a.data(), k, 17, b.data(), n, 200, got[t].data(), n); });
  }
  for (std::thread& thread : threads) thread.join();
  for (std::size_t t = 0; t < got.size(); ++t) EXPECT_EQ(got[t], expected) << table_path_name(paths[t % paths.size()]);
}

// A row spanning more than 16 bits cannot be split into byte planes: every path runs the scalar kernel and
// still matches the definition (a naive int64 loop here, since gemm_reference takes a Multiplier).
TEST(TableGemm, WideRowFallsBackToScalar) {
  std::vector<std::int32_t> products(65536);
  for (int ia = 0; ia < 256; ++ia)
    for (int ib = 0; ib < 256; ++ib) products[ia * 256 + ib] = ia * ib;
  products[7 * 256 + 9] = 70000;  // row 7 spans 0..70000
  const ProductTable table(false, products);
  const TableGemm g(table);
  EXPECT_FALSE(g.fast_paths_apply());
  for (Shape s : {Shape{3, 65, 31}, Shape{2, 200, 300}}) {
    const int lda = s.k + 1, ldb = s.n + 2, ldc = s.n + 3, za = 100, zb = 9;
    auto a = operand(s.m, s.k, lda, Fill::kRandom, 21);
    auto b = operand(s.k, s.n, ldb, Fill::kRandom, 22);
    a[1] = 7;
    b[9] = 9;  // A[0][1] * B[1][0] hits the wide entry
    std::vector<std::int32_t> expected(static_cast<std::size_t>(s.m) * ldc, kSentinel);
    for (int i = 0; i < s.m; ++i) {
      for (int j = 0; j < s.n; ++j) {
        std::int64_t v = 0;
        for (int p = 0; p < s.k; ++p) {
          const int x = a[i * lda + p], y = b[p * ldb + j];
          v += table.at(x, y) - x * zb - za * y + za * zb;
        }
        expected[i * ldc + j] = static_cast<std::int32_t>(v);
      }
    }
    for (TablePath path : supported_paths()) {
      std::vector<std::int32_t> got(expected.size(), kSentinel);
      g.run(path, s.m, s.n, s.k, a.data(), lda, za, b.data(), ldb, zb, got.data(), ldc);
      EXPECT_EQ(got, expected) << table_path_name(path) << " k=" << s.k;
    }
  }
}

}  // namespace
}  // namespace axtrain
