#include "axtrain/data/regression_kernels.h"

#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace axtrain {
namespace {

using std::numbers::pi;

double uniform(Rng& rng, double lo, double hi) {
  return lo + (hi - lo) * rng.uniform_open();
}

// inversek2j: a 2-link arm with link lengths 0.5 and 0.5. The joint angles are drawn uniformly in
// [0, pi/2] as AxBench does; with the elbow angle in [0, pi] the inverse is single-valued.
void sample_inversek2j(Rng& rng, double* x, double* y) {
  constexpr double l1 = 0.5, l2 = 0.5;
  const double t1 = uniform(rng, 0.0, pi / 2);
  const double t2 = uniform(rng, 0.0, pi / 2);
  x[0] = l1 * std::cos(t1) + l2 * std::cos(t1 + t2);
  x[1] = l1 * std::sin(t1) + l2 * std::sin(t1 + t2);
  y[0] = t1;
  y[1] = t2;
}

// blackscholes: European option price without dividends, exact normal CDF (AxBench uses a 6-digit
// polynomial approximation of it). Inputs: spot, strike, rate, volatility, time (years), type (0 call, 1 put).
void sample_blackscholes(Rng& rng, double* x, double* y) {
  const double s = uniform(rng, 20.0, 120.0);
  const double k = uniform(rng, 20.0, 120.0);
  const double r = uniform(rng, 0.0275, 0.1);
  const double v = uniform(rng, 0.05, 0.65);
  const double t = uniform(rng, 0.05, 1.0);
  const double type = static_cast<double>(rng.below(2));
  const auto cdf = [](double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); };
  const double d1 = (std::log(s / k) + (r + 0.5 * v * v) * t) / (v * std::sqrt(t));
  const double d2 = d1 - v * std::sqrt(t);
  const double discounted = k * std::exp(-r * t);
  x[0] = s, x[1] = k, x[2] = r, x[3] = v, x[4] = t, x[5] = type;
  y[0] = type == 0 ? s * cdf(d1) - discounted * cdf(d2) : discounted * cdf(-d2) - s * cdf(-d1);
}

// sobel: a 3x3 patch of grey levels in [0, 1], row-major -> the Sobel gradient magnitude, saturated at
// 1/sqrt(2) as AxBench's sobel() does. Patches mimic natural images: half are a smooth ramp (level a in
// [0, 1], slopes in [-0.07, 0.07] per pixel), half a straight edge at a random angle and offset between levels a
// and a + [-0.3, 0.3]; all get +-0.05 uniform noise and are clamped to [0, 1]. About 20% saturate.
void sample_sobel(Rng& rng, double* x, double* y) {
  const bool edge = rng.below(2) == 1;
  const double a = uniform(rng, 0.0, 1.0);
  const double b = std::clamp(a + uniform(rng, -0.3, 0.3), 0.0, 1.0);
  const double angle = uniform(rng, 0.0, 2 * pi);
  const double offset = uniform(rng, -1.5, 1.5);
  const double sx = uniform(rng, -0.07, 0.07);
  const double sy = uniform(rng, -0.07, 0.07);
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 3; ++c) {
      const double u = c - 1, v = r - 1;
      const double base = edge ? (u * std::cos(angle) + v * std::sin(angle) < offset ? a : b) : a + sx * u + sy * v;
      x[r * 3 + c] = std::clamp(base + uniform(rng, -0.05, 0.05), 0.0, 1.0);
    }
  const double gx = (x[2] + 2 * x[5] + x[8]) - (x[0] + 2 * x[3] + x[6]);
  const double gy = (x[6] + 2 * x[7] + x[8]) - (x[0] + 2 * x[1] + x[2]);
  y[0] = std::min(std::sqrt(gx * gx + gy * gy), 1.0 / std::numbers::sqrt2);
}

// kmeans: the Euclidean distance between a pixel and a centroid, both RGB in [0, 1]^3.
void sample_kmeans(Rng& rng, double* x, double* y) {
  double sum = 0;
  for (int c = 0; c < 3; ++c) {
    x[c] = uniform(rng, 0.0, 1.0);
    x[c + 3] = uniform(rng, 0.0, 1.0);
    sum += (x[c] - x[c + 3]) * (x[c] - x[c + 3]);
  }
  y[0] = std::sqrt(sum);
}

// fft: the twiddle factor of a radix-2 FFT. AxBench's argument is k/N with k < N/2, so x in [0, 0.5), and
// its fftSinCos returns sin(-2 pi x), cos(-2 pi x).
void sample_fft(Rng& rng, double* x, double* y) {
  x[0] = uniform(rng, 0.0, 0.5);
  y[0] = std::sin(-2 * pi * x[0]);
  y[1] = std::cos(-2 * pi * x[0]);
}

struct Kernel {
  RegressionKernelInfo info;
  std::uint64_t id;  // stream id for derive_key; fixed per kernel so adding kernels changes no data
  void (*sample)(Rng&, double*, double*);
};

const std::vector<Kernel>& kernels() {
  static const std::vector<Kernel> table = {
      {{"inversek2j", 2, 2, {2, 8, 2}, "end-effector (x, y) of a 2-link arm -> joint angles (theta1, theta2)"},
       1,
       sample_inversek2j},
      {{"blackscholes", 6, 1, {6, 8, 8, 1}, "(spot, strike, rate, volatility, time, type) -> option price"},
       2,
       sample_blackscholes},
      {{"sobel", 9, 1, {9, 8, 1}, "3x3 grey patch -> Sobel gradient magnitude"}, 3, sample_sobel},
      {{"kmeans", 6, 1, {6, 8, 4, 1}, "(pixel RGB, centroid RGB) -> Euclidean distance"}, 4, sample_kmeans},
      {{"fft", 1, 2, {1, 4, 4, 2}, "twiddle argument x -> (sin(-2 pi x), cos(-2 pi x))"}, 5, sample_fft},
  };
  return table;
}

const Kernel& find_kernel(const std::string& name) {
  for (const Kernel& k : kernels())
    if (k.info.name == name) return k;
  std::string names;
  for (const auto& n : regression_kernel_names()) names += (names.empty() ? "" : ", ") + n;
  AXT_FAIL("regression kernel '{}' is unknown; known kernels: {}", name, names);
}

Dataset generate_split(const Kernel& kernel, std::size_t n, std::uint64_t seed, std::uint64_t split) {
  const auto in = static_cast<std::size_t>(kernel.info.inputs);
  const auto out = static_cast<std::size_t>(kernel.info.outputs);
  Dataset data;
  data.name = kernel.info.name + (split == 0 ? "-train" : "-test");
  data.task = Task::kRegression;
  data.sample_shape = {kernel.info.inputs};
  data.target_dim = kernel.info.outputs;
  data.features.resize(n * in);
  data.targets.resize(n * out);
  std::vector<double> x(in), y(out);
  for (std::size_t i = 0; i < n; ++i) {
    Rng rng(derive_key({seed, kernel.id, split, i}));
    kernel.sample(rng, x.data(), y.data());
    for (std::size_t j = 0; j < in; ++j) data.features[i * in + j] = static_cast<float>(x[j]);
    for (std::size_t j = 0; j < out; ++j) data.targets[i * out + j] = static_cast<float>(y[j]);
  }
  data.validate();
  return data;
}

}  // namespace

const std::vector<std::string>& regression_kernel_names() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> v;
    for (const Kernel& k : kernels()) v.push_back(k.info.name);
    return v;
  }();
  return names;
}

const RegressionKernelInfo& regression_kernel_info(const std::string& name) {
  return find_kernel(name).info;
}

DatasetSplit generate_kernel(const std::string& name, std::size_t n_train, std::size_t n_test, std::uint64_t seed) {
  const Kernel& kernel = find_kernel(name);
  AXT_CHECK(n_train > 0, "regression kernel '{}' needs at least 1 training sample, not 0", name);
  return {generate_split(kernel, n_train, seed, 0), generate_split(kernel, n_test, seed, 1)};
}

}  // namespace axtrain
