// A dataset as plain arrays (no libtorch): n samples stored row-major, with either class labels
// (classification) or real-valued targets (regression). Loaders (IDX, Fashion-MNIST, CSV) and the generated
// AxBench-style regression kernels all produce this one type; the trainer turns it into tensors.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

namespace axtrain {

enum class Task { kClassification, kRegression };

// n samples, row-major. Owns its arrays. Example: a Fashion-MNIST split has sample_shape {1, 28, 28},
// features n x 784 in [0, 1], labels n in [0, 10), num_classes 10.
struct Dataset {
  std::string name;  // e.g. "fashion-mnist-train", "inversek2j-test", a CSV path
  Task task = Task::kClassification;
  std::vector<std::int64_t> sample_shape;  // shape of one sample: {1, 28, 28} for images, {6} for 6 features
  std::vector<float> features;             // n x prod(sample_shape), sample-major
  std::vector<std::int64_t> labels;        // classification: n labels in [0, num_classes); else empty
  int num_classes = 0;                     // classification only; 0 for regression
  std::vector<float> targets;              // regression: n x target_dim, sample-major; else empty
  int target_dim = 0;                      // regression only; 0 for classification

  std::size_t size() const;          // n, the number of samples
  std::int64_t feature_dim() const;  // prod(sample_shape); 0 when sample_shape is empty
  // Checks that the arrays agree with n, the shape and the task. Internal invariant: AXT_ASSERT (aborts);
  // every loader calls it before returning.
  void validate() const;
};

struct DatasetSplit {
  Dataset train;
  Dataset test;
};

// The first n samples (n = 0, or n >= size(), keeps all). Returns a copy.
Dataset head(const Dataset& data, std::size_t n);

// The samples at `indices` (each < size(), repeats allowed), in that order. Returns a copy.
Dataset take(const Dataset& data, std::span<const std::size_t> indices);

// Splits off a validation set: a permutation drawn from Rng(derive_key({seed, ...})) is cut so that the
// last round(fraction * n) samples become validation. fraction in (0, 1); both parts must be non-empty.
// Returns {train, validation}; names get the suffixes "-train" and "-validation".
std::pair<Dataset, Dataset> split_validation(const Dataset& data, double fraction, std::uint64_t seed);

// Per-column min-max scaling to [0, 1], fitted on a training set and applied to every split with the same
// numbers (so test values may fall slightly outside [0, 1]). A constant column (max == min) maps to 0.
struct MinMaxScaler {
  std::vector<float> feature_min, feature_max;  // feature_dim() entries each
  std::vector<float> target_min, target_max;    // target_dim entries each; empty for classification
};

// Fits on `train` (non-empty): features always, targets for regression.
MinMaxScaler fit_min_max(const Dataset& train);
// Scales `data` in place. Throws axtrain::Error if its feature or target width differs from the scaler's.
void apply(const MinMaxScaler& scaler, Dataset& data);
// Maps scaled targets (n x target_dim, sample-major) back to raw units, e.g. network predictions.
std::vector<float> invert_targets(const MinMaxScaler& scaler, std::span<const float> scaled);

}  // namespace axtrain
