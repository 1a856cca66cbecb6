#include "axtrain/data/dataset.h"

#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace axtrain {
namespace {

constexpr std::uint64_t kSplitStream = 0x5B117;  // separates the split permutation from other seeded draws

float scale(float x, float lo, float hi) {
  return hi > lo ? (x - lo) / (hi - lo) : 0.0f;
}

void fit_columns(const std::vector<float>& values, std::size_t n, std::size_t width, std::vector<float>& lo,
                 std::vector<float>& hi) {
  lo.assign(width, 0.0f);
  hi.assign(width, 0.0f);
  for (std::size_t j = 0; j < width; ++j) {
    float mn = values[j];
    float mx = values[j];
    for (std::size_t i = 1; i < n; ++i) {
      mn = std::min(mn, values[i * width + j]);
      mx = std::max(mx, values[i * width + j]);
    }
    lo[j] = mn;
    hi[j] = mx;
  }
}

void apply_columns(std::vector<float>& values, const std::vector<float>& lo, const std::vector<float>& hi) {
  const std::size_t width = lo.size();
  for (std::size_t k = 0; k < values.size(); ++k) values[k] = scale(values[k], lo[k % width], hi[k % width]);
}

}  // namespace

std::size_t Dataset::size() const {
  return task == Task::kClassification ? labels.size()
                                       : (target_dim > 0 ? targets.size() / static_cast<std::size_t>(target_dim) : 0);
}

std::int64_t Dataset::feature_dim() const {
  if (sample_shape.empty()) return 0;
  return std::accumulate(sample_shape.begin(), sample_shape.end(), std::int64_t{1}, std::multiplies<>());
}

void Dataset::validate() const {
  const std::size_t n = size();
  AXT_ASSERT(!sample_shape.empty() && feature_dim() > 0);
  AXT_ASSERT(features.size() == n * static_cast<std::size_t>(feature_dim()));
  if (task == Task::kClassification) {
    AXT_ASSERT(num_classes > 0 && targets.empty() && target_dim == 0);
    for (std::int64_t label : labels) AXT_ASSERT(label >= 0 && label < num_classes);
  } else {
    AXT_ASSERT(target_dim > 0 && labels.empty() && num_classes == 0);
    AXT_ASSERT(targets.size() % static_cast<std::size_t>(target_dim) == 0);
  }
}

Dataset take(const Dataset& data, std::span<const std::size_t> indices) {
  const std::size_t n = data.size();
  const auto d = static_cast<std::size_t>(data.feature_dim());
  const auto t = static_cast<std::size_t>(data.target_dim);
  Dataset out = data;
  out.features.resize(indices.size() * d);
  out.labels.clear();
  out.targets.resize(indices.size() * t);
  for (std::size_t k = 0; k < indices.size(); ++k) {
    const std::size_t i = indices[k];
    AXT_ASSERT(i < n);
    std::copy_n(data.features.begin() + static_cast<std::ptrdiff_t>(i * d), d,
                out.features.begin() + static_cast<std::ptrdiff_t>(k * d));
    if (data.task == Task::kClassification)
      out.labels.push_back(data.labels[i]);
    else
      std::copy_n(data.targets.begin() + static_cast<std::ptrdiff_t>(i * t), t,
                  out.targets.begin() + static_cast<std::ptrdiff_t>(k * t));
  }
  return out;
}

Dataset head(const Dataset& data, std::size_t n) {
  if (n == 0 || n >= data.size()) return data;
  std::vector<std::size_t> indices(n);
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  return take(data, indices);
}

std::pair<Dataset, Dataset> split_validation(const Dataset& data, double fraction, std::uint64_t seed) {
  AXT_CHECK(fraction > 0.0 && fraction < 1.0,
            "validation fraction {} is outside (0, 1); give e.g. 0.1 to hold out 10% of '{}'", fraction, data.name);
  const std::size_t n = data.size();
  const auto n_val = static_cast<std::size_t>(std::llround(fraction * static_cast<double>(n)));
  AXT_CHECK(n_val >= 1 && n_val < n,
            "validation fraction {} of the {} samples of '{}' leaves {} for validation and {} for training; both "
            "need at least one sample: change the fraction or use more samples",
            fraction, n, data.name, n_val, n - std::min(n, n_val));
  std::vector<std::size_t> order(n);
  std::iota(order.begin(), order.end(), std::size_t{0});
  Rng rng(derive_key({seed, kSplitStream}));
  for (std::size_t i = n - 1; i > 0; --i) std::swap(order[i], order[rng.below(i + 1)]);  // Fisher-Yates
  const auto cut = static_cast<std::ptrdiff_t>(n - n_val);
  std::pair<Dataset, Dataset> out{take(data, std::span(order.data(), n - n_val)),
                                  take(data, std::span(order.data() + cut, n_val))};
  out.first.name = data.name + "-train";
  out.second.name = data.name + "-validation";
  return out;
}

MinMaxScaler fit_min_max(const Dataset& train) {
  const std::size_t n = train.size();
  AXT_CHECK(n > 0, "cannot fit a min-max scaler on '{}': it has no samples", train.name);
  MinMaxScaler s;
  fit_columns(train.features, n, static_cast<std::size_t>(train.feature_dim()), s.feature_min, s.feature_max);
  if (train.task == Task::kRegression)
    fit_columns(train.targets, n, static_cast<std::size_t>(train.target_dim), s.target_min, s.target_max);
  return s;
}

void apply(const MinMaxScaler& scaler, Dataset& data) {
  AXT_CHECK(static_cast<std::size_t>(data.feature_dim()) == scaler.feature_min.size(),
            "dataset '{}' has {} features per sample but the scaler was fitted on {}; fit and apply on splits "
            "of the same dataset",
            data.name, data.feature_dim(), scaler.feature_min.size());
  apply_columns(data.features, scaler.feature_min, scaler.feature_max);
  if (data.task != Task::kRegression) return;
  AXT_CHECK(static_cast<std::size_t>(data.target_dim) == scaler.target_min.size(),
            "dataset '{}' has {} targets per sample but the scaler was fitted on {}; fit and apply on splits "
            "of the same dataset",
            data.name, data.target_dim, scaler.target_min.size());
  apply_columns(data.targets, scaler.target_min, scaler.target_max);
}

std::vector<float> invert_targets(const MinMaxScaler& scaler, std::span<const float> scaled) {
  const std::size_t width = scaler.target_min.size();
  AXT_CHECK(width > 0, "this scaler has no targets (fitted on a classification dataset); nothing to invert");
  AXT_CHECK(scaled.size() % width == 0, "{} scaled target values are not a whole number of samples of {} targets each",
            scaled.size(), width);
  std::vector<float> out(scaled.size());
  for (std::size_t k = 0; k < scaled.size(); ++k) {
    const float lo = scaler.target_min[k % width];
    const float hi = scaler.target_max[k % width];
    out[k] = lo + scaled[k] * (hi - lo);
  }
  return out;
}

}  // namespace axtrain
