// A run's datasets as tensors: loaded as the configuration says, limited, split and scaled.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/data/dataset.h"

#include <torch/types.h>

#include <string>
#include <vector>

namespace axtrain {

struct TensorData {
  torch::Tensor x;  // {N, sample_shape...} float32
  torch::Tensor y;  // classification: {N} int64 labels; regression: {N, outputs} float32 in the scaled space
  std::size_t size() const { return x.defined() ? static_cast<std::size_t>(x.size(0)) : 0; }
};

struct PreparedData {
  std::string name;  // dataset name as configured
  Task task = Task::kClassification;
  std::string task_note;               // how task = auto decided on a CSV (infer_csv_task), else ""
  std::vector<int64_t> sample_shape;   // per-sample input shape
  int64_t outputs = 0;                 // classes or regression targets
  TensorData train, validation, test;  // validation is empty when validation_split is 0
};

// Loads the configured dataset (Fashion-MNIST, a generated regression kernel, or a file: csv:, npz:, npy:, with
// test_dataset its test set), applies train_samples/test_samples, splits off validation_split (seeded), and for
// regression scales features and targets to [0, 1] with ranges fitted on the training split. Throws axtrain::Error for
// missing or bad data.
PreparedData prepare_data(const TrainConfig& config);

// Converts one Dataset (features as given) to tensors.
TensorData to_tensors(const Dataset& dataset);

}  // namespace axtrain
