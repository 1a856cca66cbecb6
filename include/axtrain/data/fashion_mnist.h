// Fashion-MNIST (Xiao et al. 2017): 60,000 training and 10,000 test images of 28 x 28 grey pixels in 10
// classes, stored as gzip IDX files. The Debian package dataset-fashion-mnist installs them in
// kFashionMnistDefaultDir (scripts/setup.sh installs it).
#pragma once

#include "axtrain/data/dataset.h"

#include <string>

namespace axtrain {

inline constexpr const char* kFashionMnistDefaultDir = "/usr/share/datasets/fashion-mnist";

// Loads train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, t10k-images-idx3-ubyte.gz and
// t10k-labels-idx1-ubyte.gz from `dir` ("" = kFashionMnistDefaultDir). Returns {train, test} with
// sample_shape {1, 28, 28} (whatever H x W the files hold), features in [0, 1], num_classes 10.
// Throws axtrain::Error naming the folder and the missing files, or any IDX error (see idx.h).
DatasetSplit load_fashion_mnist(const std::string& dir = "");

}  // namespace axtrain
