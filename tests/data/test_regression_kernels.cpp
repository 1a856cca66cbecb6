// Generated AxBench-style kernels: determinism, shapes, ranges, and targets recomputed independently.
#include "axtrain/data/regression_kernels.h"

#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>

namespace axtrain {
namespace {

constexpr double kPi = std::numbers::pi;
constexpr float kFloatTol = 2e-5f;  // targets are computed in double and stored as float

TEST(RegressionKernels, NamesAndInfo) {
  EXPECT_EQ(regression_kernel_names(),
            (std::vector<std::string>{"inversek2j", "blackscholes", "sobel", "kmeans", "fft"}));
  EXPECT_EQ(regression_kernel_info("blackscholes").topology, (std::vector<int>{6, 8, 8, 1}));
  for (const auto& name : regression_kernel_names()) {
    const auto& info = regression_kernel_info(name);
    EXPECT_EQ(info.topology.front(), info.inputs) << name;
    EXPECT_EQ(info.topology.back(), info.outputs) << name;
  }
  try {
    generate_kernel("jpegg", 4, 4, 1);
    ADD_FAILURE() << "unknown kernel accepted";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("'jpegg' is unknown; known kernels: inversek2j, blackscholes"),
              std::string::npos)
        << e.what();
  }
  EXPECT_THROW(generate_kernel("fft", 0, 4, 1), Error);
}

TEST(RegressionKernels, ShapesAndDeterminism) {
  for (const auto& name : regression_kernel_names()) {
    const auto& info = regression_kernel_info(name);
    const DatasetSplit a = generate_kernel(name, 64, 16, 42);
    EXPECT_EQ(a.train.task, Task::kRegression);
    EXPECT_EQ(a.train.size(), 64u) << name;
    EXPECT_EQ(a.test.size(), 16u) << name;
    EXPECT_EQ(a.train.sample_shape, (std::vector<std::int64_t>{info.inputs}));
    EXPECT_EQ(a.train.target_dim, info.outputs);
    EXPECT_EQ(a.test.features.size(), 16u * static_cast<std::size_t>(info.inputs));
    const DatasetSplit same = generate_kernel(name, 64, 16, 42);
    EXPECT_EQ(same.train.features, a.train.features) << name;
    EXPECT_EQ(same.test.targets, a.test.targets) << name;
    EXPECT_NE(generate_kernel(name, 64, 16, 43).train.features, a.train.features) << name;
    EXPECT_NE(a.test.features,
              std::vector<float>(a.train.features.begin(),
                                 a.train.features.begin() + static_cast<std::ptrdiff_t>(a.test.features.size())))
        << name;
    const DatasetSplit small = generate_kernel(name, 8, 0, 42);  // a prefix of the larger draw
    EXPECT_EQ(small.train.features,
              std::vector<float>(a.train.features.begin(),
                                 a.train.features.begin() + static_cast<std::ptrdiff_t>(small.train.features.size())));
    EXPECT_EQ(small.test.size(), 0u);
    for (float v : a.train.targets) EXPECT_TRUE(std::isfinite(v)) << name;
  }
}

TEST(RegressionKernels, Inversek2jTargetsReproduceTheInputsByForwardKinematics) {
  const Dataset d = generate_kernel("inversek2j", 200, 0, 3).train;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const double t1 = d.targets[2 * i], t2 = d.targets[2 * i + 1];
    ASSERT_GE(t1, 0.0);
    ASSERT_LE(t1, kPi / 2);
    ASSERT_GE(t2, 0.0);
    ASSERT_LE(t2, kPi / 2);
    EXPECT_NEAR(d.features[2 * i], 0.5 * std::cos(t1) + 0.5 * std::cos(t1 + t2), 1e-5) << i;
    EXPECT_NEAR(d.features[2 * i + 1], 0.5 * std::sin(t1) + 0.5 * std::sin(t1 + t2), 1e-5) << i;
    // AxBench's closed-form inverse recovers the same (elbow-up) solution.
    const double x = d.features[2 * i], y = d.features[2 * i + 1];
    const double inv2 = std::acos(std::clamp((x * x + y * y - 0.5) / 0.5, -1.0, 1.0));
    EXPECT_NEAR(inv2, t2, 2e-3) << i;  // acos is ill-conditioned near t2 = 0
  }
}

TEST(RegressionKernels, BlackscholesMatchesReferencePricesAndParity) {
  const Dataset d = generate_kernel("blackscholes", 300, 0, 5).train;
  const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::sqrt(2.0)); };
  int puts = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const float* x = &d.features[6 * i];
    const double s = x[0], k = x[1], r = x[2], v = x[3], t = x[4];
    ASSERT_TRUE(x[5] == 0.0f || x[5] == 1.0f);
    ASSERT_TRUE(s >= 20 && s <= 120 && k >= 20 && k <= 120 && r >= 0.0275 && r <= 0.1 && v >= 0.05 && v <= 0.65 &&
                t >= 0.05 && t <= 1.0)
        << i;
    const double d1 = (std::log(s / k) + (r + v * v / 2) * t) / (v * std::sqrt(t));
    const double call = s * cdf(d1) - k * std::exp(-r * t) * cdf(d1 - v * std::sqrt(t));
    const double put = call - s + k * std::exp(-r * t);  // put-call parity
    EXPECT_NEAR(d.targets[i], x[5] == 0.0f ? call : put, 1e-3 * (1 + std::abs(call))) << i;
    EXPECT_GE(d.targets[i], -1e-4f);
    puts += x[5] == 1.0f;
  }
  EXPECT_GT(puts, 100);
  EXPECT_LT(puts, 200);
  // A textbook value (Hull): S=42, K=40, r=0.1, v=0.2, T=0.5 -> call 4.76, put 0.81.
  const double d1 = (std::log(42.0 / 40) + (0.1 + 0.02) * 0.5) / (0.2 * std::sqrt(0.5));
  EXPECT_NEAR(42 * cdf(d1) - 40 * std::exp(-0.05) * cdf(d1 - 0.2 * std::sqrt(0.5)), 4.7594, 1e-3);
}

TEST(RegressionKernels, SobelIsTheSaturatedGradientMagnitude) {
  const Dataset d = generate_kernel("sobel", 500, 0, 9).train;
  int saturated = 0, flat = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    const float* p = &d.features[9 * i];
    for (int j = 0; j < 9; ++j) ASSERT_TRUE(p[j] >= 0.0f && p[j] <= 1.0f);
    // Kernels written as matrices, applied as a correlation over the patch rows r and columns c.
    const int kx[3][3] = {{-1, 0, 1}, {-2, 0, 2}, {-1, 0, 1}};
    const int ky[3][3] = {{-1, -2, -1}, {0, 0, 0}, {1, 2, 1}};
    double gx = 0, gy = 0;
    for (int r = 0; r < 3; ++r)
      for (int c = 0; c < 3; ++c) {
        gx += kx[r][c] * static_cast<double>(p[r * 3 + c]);
        gy += ky[r][c] * static_cast<double>(p[r * 3 + c]);
      }
    const double expected = std::min(std::hypot(gx, gy), 1 / std::sqrt(2.0));
    EXPECT_NEAR(d.targets[i], expected, kFloatTol * 10) << i;
    saturated += expected >= 1 / std::sqrt(2.0) - 1e-9;
    flat += expected < 0.25;
  }
  // A spread like a natural image's: about 20% saturated edges, many smooth patches.
  EXPECT_GT(saturated, 30);  // 43..86 over seeds 0..999
  EXPECT_LT(saturated, 180);
  EXPECT_GT(flat, 80);
}

TEST(RegressionKernels, KmeansAndFftMatchTheirFunctions) {
  const Dataset k = generate_kernel("kmeans", 100, 0, 11).train;
  for (std::size_t i = 0; i < k.size(); ++i) {
    const float* x = &k.features[6 * i];
    const double dist = std::sqrt(std::pow(x[0] - x[3], 2) + std::pow(x[1] - x[4], 2) + std::pow(x[2] - x[5], 2));
    EXPECT_NEAR(k.targets[i], dist, kFloatTol) << i;
  }
  const Dataset f = generate_kernel("fft", 100, 0, 11).train;
  for (std::size_t i = 0; i < f.size(); ++i) {
    const double x = f.features[i];
    ASSERT_TRUE(x >= 0.0 && x < 0.5);
    EXPECT_NEAR(f.targets[2 * i], -std::sin(2 * kPi * x), kFloatTol) << i;
    EXPECT_NEAR(f.targets[2 * i + 1], std::cos(2 * kPi * x), kFloatTol) << i;
  }
}

}  // namespace
}  // namespace axtrain
