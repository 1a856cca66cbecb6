// Error metrics: the reference values of SPEC 2.2 and the histogram-weighted variant.
#include "axtrain/hw/error_metrics.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <vector>

namespace axtrain {
namespace {

// The printed precision of SPEC 2.2's table: six decimals.
constexpr double kSixDecimals = 5e-7;

struct Reference {
  const char* spec;
  double er, med, mred;
  std::int64_t wce;
  double mean_error;
};

TEST(ErrorMetrics, KulkarniPresetsReproduceSpecTable) {
  for (const Reference& ref : {Reference{"K1", 0.426514, 135.125, 0.011864, 2162, -135.125},
                               Reference{"K2", 0.456177, 391.125, 0.022331, 6258, -391.125},
                               Reference{"K3", 0.467300, 903.125, 0.032805, 14450, -903.125}}) {
    SCOPED_TRACE(ref.spec);
    const ErrorMetrics m = compute_error_metrics(Multiplier::parse(ref.spec).table());
    EXPECT_NEAR(m.er, ref.er, kSixDecimals);
    EXPECT_EQ(m.med, ref.med);  // exact: a sum of integers over 65536
    EXPECT_NEAR(m.mred, ref.mred, kSixDecimals);
    EXPECT_EQ(m.wce, ref.wce);
    EXPECT_EQ(m.mean_error, ref.mean_error);
    EXPECT_DOUBLE_EQ(m.nmed, ref.med / 65025.0);
    EXPECT_GT(m.mse, m.med * m.med);  // Jensen; strict since |e| is not constant
  }
}

TEST(ErrorMetrics, ExactDesignHasNoError) {
  const ErrorMetrics m = compute_error_metrics(Multiplier::parse("exact").table());
  EXPECT_EQ(m.er, 0);
  EXPECT_EQ(m.med, 0);
  EXPECT_EQ(m.mred, 0);
  EXPECT_EQ(m.wce, 0);
  EXPECT_EQ(m.mse, 0);
  EXPECT_EQ(m.error_rank, 0);
}

TEST(ErrorMetrics, MseAndMeanAgainstDirectSums) {
  const Multiplier m = Multiplier::parse("drum:4");
  double sq = 0, sum = 0;
  for (int a = 0; a < 256; ++a)
    for (int b = 0; b < 256; ++b) {
      const double e = m.multiply(a, b) - a * b;
      sq += e * e;
      sum += e;
    }
  const ErrorMetrics metrics = compute_error_metrics(m.table());
  EXPECT_DOUBLE_EQ(metrics.mse, sq / 65536);
  EXPECT_DOUBLE_EQ(metrics.mean_error, sum / 65536);
}

TEST(ErrorMetrics, UniformHistogramEqualsAllPairs) {
  const Multiplier m = Multiplier::parse("K2");
  const std::vector<double> uniform(256, 3.0);  // unnormalised on purpose
  const ErrorMetrics all = compute_error_metrics(m.table());
  const ErrorMetrics hist = compute_error_metrics(m.table(), uniform, uniform);
  EXPECT_NEAR(hist.er, all.er, 1e-12);
  EXPECT_NEAR(hist.med, all.med, 1e-9);
  EXPECT_NEAR(hist.mred, all.mred, 1e-12);
  EXPECT_NEAR(hist.mse, all.mse, 1e-6);
  EXPECT_NEAR(hist.mean_error, all.mean_error, 1e-9);
  EXPECT_EQ(hist.wce, all.wce);
}

TEST(ErrorMetrics, PointHistogramGivesThatPairsError) {
  const Multiplier m = Multiplier::parse("K3");
  std::vector<double> pa(256, 0.0), pb(256, 0.0);
  pa[255] = 1;
  pb[15] = 1;  // 255 x 15: blocks (i, 0..1) all 3x3 -> error -2 * (1+4+16+64) * (1+4) = -850
  const ErrorMetrics h = compute_error_metrics(m.table(), pa, pb);
  EXPECT_EQ(h.mean_error, -850);
  EXPECT_EQ(h.med, 850);
  EXPECT_EQ(h.er, 1);
  EXPECT_EQ(h.wce, 850);
  EXPECT_DOUBLE_EQ(h.mred, 850.0 / (255 * 15));
}

TEST(ErrorMetrics, BadHistogramsAreUserErrors) {
  const Multiplier m = Multiplier::parse("K1");
  const std::vector<double> ok(256, 1.0), zeros(256, 0.0), short_hist(255, 1.0);
  std::vector<double> negative(256, 1.0);
  negative[3] = -1;
  EXPECT_THROW(compute_error_metrics(m.table(), zeros, ok), Error);
  EXPECT_THROW(compute_error_metrics(m.table(), ok, short_hist), Error);
  EXPECT_THROW(compute_error_metrics(m.table(), negative, ok), Error);
}

TEST(ErrorMetrics, RelativeErrorMomentsAgainstDirectSums) {
  const Multiplier m = Multiplier::parse("K2");
  std::vector<double> pa(256, 0.0), pb(256, 1.0);
  pa[255] = 1;
  pa[200] = 3;
  long double w = 0, s = 0, sq = 0;
  for (int a : {255, 200})
    for (int b = 1; b < 256; ++b) {
      const long double weight = a == 255 ? 1 : 3;
      const long double eps = static_cast<long double>(m.multiply(a, b) - a * b) / (a * b);
      w += weight, s += weight * eps, sq += weight * eps * eps;
    }
  const RelativeErrorMoments moments = relative_error_moments(m.table(), pa, pb);
  // Summed in double against long double here: agreement to 1e-13 relative (error_metrics.h).
  const double mean = static_cast<double>(s / w), variance = static_cast<double>(sq / w - (s / w) * (s / w));
  EXPECT_NEAR(moments.mean, mean, 1e-13 * std::abs(mean));
  EXPECT_NEAR(moments.variance, variance, 1e-13 * variance);
  EXPECT_LT(moments.mean, 0);  // Kulkarni only ever underestimates
  const std::vector<double> uniform(256, 1.0);
  const RelativeErrorMoments exact = relative_error_moments(Multiplier::parse("exact").table(), uniform, uniform);
  EXPECT_EQ(exact.mean, 0);
  EXPECT_EQ(exact.variance, 0);
}

// The moments as a loop per row a over b, in double: the order RelativeErrorTable's vectorised loop keeps.
RelativeErrorMoments moments_row_by_row(const ProductTable& t, std::vector<double> p, std::vector<double> q) {
  double sum_p = 0, sum_q = 0;
  for (double x : p) sum_p += x;
  for (double x : q) sum_q += x;
  for (double& x : p) x /= sum_p;
  for (double& x : q) x /= sum_q;
  double weight = 0, sum = 0, sq = 0;
  for (int a = 0; a < 256; ++a) {
    if (p[static_cast<std::size_t>(a)] == 0) continue;
    double row_w = 0, row_e = 0, row_e2 = 0;
    for (int b = 0; b < 256; ++b) {
      const double exact = t.exact_at(a, b);
      const double eps = exact == 0 ? 0.0 : t.error_at(a, b) / exact;
      row_w += q[static_cast<std::size_t>(b)] * (exact == 0 ? 0.0 : 1.0);
      row_e += q[static_cast<std::size_t>(b)] * eps;
      row_e2 += q[static_cast<std::size_t>(b)] * (eps * eps);
    }
    weight += p[static_cast<std::size_t>(a)] * row_w;
    sum += p[static_cast<std::size_t>(a)] * row_e;
    sq += p[static_cast<std::size_t>(a)] * row_e2;
  }
  if (weight == 0) return {};
  const double mean = sum / weight;
  return {.mean = mean, .variance = std::max(0.0, sq / weight - mean * mean)};
}

TEST(ErrorMetrics, RelativeErrorMomentsAreThoseOfALoopPerRowBitForBit) {
  Rng rng(11);
  for (const char* spec : {"K1", "K3", "mitchell", "truncated:4", "drum:4"}) {
    const Multiplier m = Multiplier::parse(spec);
    for (int sparse = 0; sparse < 3; ++sparse) {
      std::vector<double> p(256), q(256);  // dense, half the codes unused, a few codes
      for (std::size_t i = 0; i < 256; ++i) {
        p[i] = rng.below(sparse * 4 + 1) == 0 ? static_cast<double>(rng.below(1000) + 1) : 0.0;
        q[i] = rng.below(sparse * 4 + 1) == 0 ? static_cast<double>(rng.below(1000) + 1) : 0.0;
      }
      p[3] += 1, q[200] += 1;  // never all zero
      const RelativeErrorMoments fast = m.relative_errors().moments(p, q);
      const RelativeErrorMoments slow = moments_row_by_row(m.table(), p, q);
      EXPECT_EQ(fast.mean, slow.mean) << spec << " sparsity " << sparse;
      EXPECT_EQ(fast.variance, slow.variance) << spec << " sparsity " << sparse;
    }
  }
}

TEST(ErrorMetrics, MetricByNameCoversEveryName) {
  const ErrorMetrics m = compute_error_metrics(Multiplier::parse("K3").table());
  EXPECT_EQ(error_metric(m, "wce"), 14450);
  EXPECT_EQ(error_metric(m, "error_rank"), 1);
  for (std::string_view name : kErrorMetricNames) EXPECT_NO_THROW(error_metric(m, name)) << name;
  EXPECT_THROW(error_metric(m, "mae"), Error);
}

}  // namespace
}  // namespace axtrain
