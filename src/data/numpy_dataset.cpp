#include "axtrain/data/numpy_dataset.h"

#include "axtrain/data/csv_dataset.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace axtrain {
namespace {

// Value i of `a` (per_sample values a sample) as a float, which must be finite (and within float's range).
float finite_value(const NumpyArray& a, std::size_t i, std::size_t per_sample, double divisor, std::string_view what) {
  const double v = a.value(i) / divisor;
  AXT_CHECK(std::isfinite(v) && std::abs(v) <= std::numeric_limits<float>::max(),
            "{} holds {} in sample {} (flat index {}), which is not a finite float32 number; replace or drop that "
            "sample",
            what, a.value(i), i / per_sample, i);
  return static_cast<float>(v);
}

}  // namespace

Dataset numpy_dataset(const std::string& name, const NumpyArray& features, const NumpyArray& targets,
                      std::optional<Task> task, std::string& note) {
  const std::string fw = fmt::format("the features array of '{}'", name);
  const std::string tw = fmt::format("the targets array of '{}'", name);
  AXT_CHECK(!features.shape.empty() && features.shape[0] >= 1,
            "{} has shape {}; it needs one row per sample: shape (n, ...) with n >= 1", fw, features.shape_text());
  AXT_CHECK(targets.shape.size() == 1 || targets.shape.size() == 2,
            "{} has shape {}; it needs shape (n,) or (n, t): one target or t targets per sample", tw,
            targets.shape_text());
  const std::int64_t n = features.shape[0];
  AXT_CHECK(targets.shape[0] == n, "'{}' has {} feature rows but {} targets; both arrays need one entry per sample",
            name, n, targets.shape[0]);
  Dataset d;
  d.name = name;
  d.sample_shape.assign(features.shape.begin() + 1, features.shape.end());
  if (d.sample_shape.empty()) d.sample_shape = {1};
  AXT_CHECK(d.feature_dim() >= 1, "{} has shape {}: no values per sample", fw, features.shape_text());
  const double divisor = features.type == NumpyType::kUInt8 ? 255.0 : 1.0;
  d.features.resize(static_cast<std::size_t>(features.numel()));
  for (std::size_t i = 0; i < d.features.size(); ++i)
    d.features[i] = finite_value(features, i, static_cast<std::size_t>(d.feature_dim()), divisor, fw);

  // Integer targets of shape (n,) or (n, 1) (a column, as pandas' df[["label"]] gives) are class ids.
  const bool one_per_sample = targets.shape.size() == 1 || targets.shape[1] == 1;
  const bool class_ids = targets.is_integer() && one_per_sample;
  d.task = task ? *task : class_ids ? Task::kClassification : Task::kRegression;
  if (!task)
    note = class_ids ? fmt::format(
                           "{} holds {} integers: classification (error = share misclassified); set task = "
                           "regression to fit them as numbers",
                           tw, targets.dtype_text())
                     : fmt::format(
                           "{} holds {} values of shape {}: regression; for classification give one class id "
                           "per sample (shape (n,) or (n, 1)) and set task = classification",
                           tw, targets.dtype_text(), targets.shape_text());
  if (d.task == Task::kClassification) {
    AXT_CHECK(one_per_sample,
              "classification needs one class id per sample, shape (n,) or (n, 1); {} has shape {} (one-hot "
              "targets? give numpy.argmax(y, axis=1))",
              tw, targets.shape_text());
    std::int64_t largest = 0;
    d.labels.reserve(static_cast<std::size_t>(n));
    for (std::int64_t i = 0; i < n; ++i) {
      const double v = targets.value(static_cast<std::size_t>(i));
      AXT_CHECK(v >= 0 && v < kMaxClasses && v == std::floor(v),
                "{} holds {} for sample {}, which is not a class id (an integer 0 to {}); use class ids, or set task "
                "= regression",
                tw, v, i, kMaxClasses - 1);
      d.labels.push_back(static_cast<std::int64_t>(v));
      largest = std::max(largest, d.labels.back());
    }
    d.num_classes = static_cast<int>(largest + 1);
  } else {
    d.target_dim = targets.shape.size() == 2 ? static_cast<int>(targets.shape[1]) : 1;
    AXT_CHECK(d.target_dim >= 1, "{} has shape {}: no targets per sample", tw, targets.shape_text());
    d.targets.resize(static_cast<std::size_t>(targets.numel()));
    for (std::size_t i = 0; i < d.targets.size(); ++i)
      d.targets[i] = finite_value(targets, i, static_cast<std::size_t>(d.target_dim), 1.0, tw);
  }
  d.validate();
  return d;
}

Dataset load_numpy_dataset(const DataSource& source, const std::string& features_key, const std::string& targets_key,
                           std::optional<Task> task, std::string& note) {
  const std::string name = data_source_text(source);
  if (source.kind == SourceKind::kNpy) {
    const auto read_npy = [](const std::string& path) { return parse_npy(read_file(path), fmt::format("'{}'", path)); };
    const NumpyArray x = read_npy(source.paths.at(0));
    const NumpyArray y = read_npy(source.paths.at(1));
    return numpy_dataset(name, x, y, task, note);
  }
  AXT_ASSERT(source.kind == SourceKind::kNpz);
  const std::string& path = source.paths.at(0);
  const auto arrays = parse_npz(read_file(path), fmt::format("'{}'", path));
  const auto find = [&](const std::string& key, const char* option) -> const NumpyArray& {
    for (const auto& [array_name, array] : arrays)
      if (array_name == key) return array;
    std::vector<std::string> names;
    names.reserve(arrays.size());
    for (const auto& [array_name, array] : arrays) names.push_back(array_name);
    const bool unnamed = std::find(names.begin(), names.end(), "arr_0") != names.end();
    AXT_FAIL(
        "'{}' has no array named '{}' (it holds {}); name the arrays to use with {} (--{}){}", path, printable(key),
        names.empty() ? "none" : fmt::format("'{}'", fmt::join(names, "', '")), option, option,
        unnamed ? "; numpy.savez(f, x, y) names them arr_0 and arr_1 (--npz_features arr_0 --npz_targets arr_1)" : "");
  };
  const NumpyArray& features = find(features_key, "npz_features");
  const NumpyArray& targets = find(targets_key, "npz_targets");
  return numpy_dataset(name, features, targets, task, note);
}

}  // namespace axtrain
