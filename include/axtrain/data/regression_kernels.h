// AxBench-style regression workloads (SPEC 3): the functions that NN-based approximate computing replaces
// with a small network, generated from their exact definitions. Definitions, sampling ranges and the
// topologies are in docs/data.md. Features and targets are raw values; scaling is the trainer's job
// (fit_min_max on the training split).
#pragma once

#include "axtrain/data/dataset.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace axtrain {

struct RegressionKernelInfo {
  std::string name;           // "inversek2j", ...
  int inputs = 0;             // features per sample
  int outputs = 0;            // targets per sample
  std::vector<int> topology;  // the usual NPU network, inputs..outputs, e.g. {2, 8, 2} (Esmaeilzadeh 2012)
  std::string summary;        // one line: inputs -> outputs
};

// The kernel names, in a fixed order: inversek2j, blackscholes, sobel, kmeans, fft.
const std::vector<std::string>& regression_kernel_names();

// Facts about one kernel. Throws axtrain::Error listing the names if `name` is unknown.
const RegressionKernelInfo& regression_kernel_info(const std::string& name);

// Draws n_train and n_test samples of kernel `name` (Task::kRegression, sample_shape {inputs},
// target_dim outputs). Sample i of split s (0 train, 1 test) comes from its own
// Rng(derive_key({seed, kernel, s, i})): the same seed gives the same data, a larger n extends a smaller one,
// and train and test never share a draw. Throws axtrain::Error for an unknown name or n_train == 0.
DatasetSplit generate_kernel(const std::string& name, std::size_t n_train, std::size_t n_test, std::uint64_t seed);

}  // namespace axtrain
