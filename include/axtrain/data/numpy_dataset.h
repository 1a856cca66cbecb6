// Datasets from NumPy arrays (numpy_file.h): a features array of shape (n, ...) and a targets array of shape
// (n,) or (n, t), the n samples matching.
//   features: any numeric dtype; one sample's shape is the array's shape after n ({1} for shape (n,)); uint8
//     values are divided by 255 (images, as torchvision's ToTensor does), other dtypes are taken as they are;
//     every value must be finite.
//   targets: classification needs one class id per sample, shape (n,) or (n, 1), integers 0 .. kMaxClasses - 1
//     (num_classes = the largest + 1); regression takes any numeric dtype.
#pragma once

#include "axtrain/data/data_source.h"
#include "axtrain/data/dataset.h"
#include "axtrain/data/numpy_file.h"

#include <optional>
#include <string>

namespace axtrain {

// The dataset of two arrays, named `name`. task: the one stated, or nothing for auto: integer targets of shape
// (n,) or (n, 1) are classification, anything else regression, with `note` set to a sentence saying so and how to
// choose otherwise. Throws axtrain::Error, one line naming the array, the rule and the fix.
Dataset numpy_dataset(const std::string& name, const NumpyArray& features, const NumpyArray& targets,
                      std::optional<Task> task, std::string& note);

// Reads an npz or npy source's files: from an npz the arrays named features_key and targets_key (a missing
// name gets an error listing the archive's arrays), from npy the two files. Then as numpy_dataset.
Dataset load_numpy_dataset(const DataSource& source, const std::string& features_key, const std::string& targets_key,
                           std::optional<Task> task, std::string& note);

}  // namespace axtrain
