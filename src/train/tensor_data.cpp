#include "axtrain/train/tensor_data.h"

#include "axtrain/data/csv_dataset.h"
#include "axtrain/data/data_source.h"
#include "axtrain/data/fashion_mnist.h"
#include "axtrain/data/numpy_dataset.h"
#include "axtrain/data/regression_kernels.h"
#include "axtrain/util/check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <torch/torch.h>

#include <algorithm>
#include <optional>

namespace axtrain {
namespace {

constexpr double kKernelTrainShare = 0.8;
constexpr double kTestShare = 0.2;  // of a file dataset without test_dataset

// A file dataset's samples: as the stated task, or (task = auto, no `forced` task) as the file's own.
Dataset load_file(const DataSource& source, const TrainConfig& c, std::optional<Task> forced, std::string& task_note) {
  std::optional<Task> task = forced;
  if (!task && c.task != TaskChoice::kAuto)
    task = c.task == TaskChoice::kClassification ? Task::kClassification : Task::kRegression;
  if (source.kind != SourceKind::kCsv)
    return load_numpy_dataset(source, c.npz_features, c.npz_targets, task, task_note);
  Dataset all = load_csv(source.paths.at(0), c.csv_features, c.csv_targets, task.value_or(Task::kRegression));
  if (!task) all = infer_csv_task(std::move(all), c.csv_targets, task_note);
  return all;
}

DatasetSplit load_split(const TrainConfig& c, std::string& task_note) {
  if (c.dataset == "fashion-mnist") return load_fashion_mnist(c.data_dir);
  const DataSource source = parse_data_source(c.dataset);
  if (source.kind != SourceKind::kBuiltin) {
    Dataset all = load_file(source, c, std::nullopt, task_note);
    if (c.test_dataset.empty()) {  // the last 20 % of a seeded permutation is the test split
      AXT_CHECK(all.size() >= 3,
                "dataset '{}' has {} samples; splitting 20 % off for the test set needs at least 3, or give the test "
                "set as test_dataset (--test_dataset)",
                c.dataset, all.size());
      auto [train, test] = split_validation(all, kTestShare, static_cast<std::uint64_t>(c.seed));
      return {std::move(train), std::move(test)};
    }
    std::string test_note;
    Dataset test = load_file(parse_data_source(c.test_dataset), c, all.task, test_note);  // the training set's task
    const auto described = [](const Dataset& d) {
      const std::string shape = fmt::format("samples of shape ({})", fmt::join(d.sample_shape, ", "));
      return d.task == Task::kRegression ? fmt::format("{} with {} targets", shape, d.target_dim) : shape;
    };
    AXT_CHECK(test.sample_shape == all.sample_shape && test.target_dim == all.target_dim,
              "test_dataset '{}' has {}, dataset '{}' {}; give a test set of the training set's shape", c.test_dataset,
              described(test), c.dataset, described(all));
    all.num_classes = test.num_classes = std::max(all.num_classes, test.num_classes);  // one output per class
    return {std::move(all), std::move(test)};
  }
  const auto n = static_cast<std::size_t>(c.kernel_samples);
  const auto n_train = static_cast<std::size_t>(static_cast<double>(n) * kKernelTrainShare);
  return generate_kernel(c.dataset, n_train, n - n_train, static_cast<std::uint64_t>(c.seed));
}

}  // namespace

TensorData to_tensors(const Dataset& d) {
  TensorData t;
  std::vector<int64_t> shape = {static_cast<int64_t>(d.size())};
  shape.insert(shape.end(), d.sample_shape.begin(), d.sample_shape.end());
  t.x = torch::from_blob(const_cast<float*>(d.features.data()), shape, torch::kFloat32).clone();
  if (d.task == Task::kClassification)
    t.y = torch::from_blob(const_cast<std::int64_t*>(d.labels.data()), {shape[0]}, torch::kInt64).clone();
  else
    t.y = torch::from_blob(const_cast<float*>(d.targets.data()), {shape[0], d.target_dim}, torch::kFloat32).clone();
  return t;
}

PreparedData prepare_data(const TrainConfig& c) {
  std::string task_note;
  DatasetSplit split = load_split(c, task_note);
  split.train = head(split.train, static_cast<std::size_t>(c.train_samples));
  split.test = head(split.test, static_cast<std::size_t>(c.test_samples));
  Dataset validation;
  if (c.validation_split > 0) {
    auto [train, held_out] = split_validation(split.train, c.validation_split, static_cast<std::uint64_t>(c.seed));
    split.train = std::move(train);
    validation = std::move(held_out);
  }
  AXT_CHECK(split.train.size() > 0 && split.test.size() > 0,
            "dataset '{}' left {} training and {} test samples; both need at least one (check train_samples, "
            "test_samples, validation_split)",
            c.dataset, split.train.size(), split.test.size());
  if (split.train.task == Task::kRegression) {
    const MinMaxScaler scaler = fit_min_max(split.train);
    apply(scaler, split.train);
    apply(scaler, split.test);
    if (validation.size() > 0) apply(scaler, validation);
  }
  PreparedData data;
  data.name = c.dataset;
  data.task = split.train.task;
  data.task_note = std::move(task_note);
  data.sample_shape = split.train.sample_shape;
  data.outputs = data.task == Task::kClassification ? split.train.num_classes : split.train.target_dim;
  data.train = to_tensors(split.train);
  data.test = to_tensors(split.test);
  if (validation.size() > 0) data.validation = to_tensors(validation);
  return data;
}

}  // namespace axtrain
