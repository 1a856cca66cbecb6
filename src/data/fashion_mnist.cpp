#include "axtrain/data/fashion_mnist.h"

#include "axtrain/data/idx.h"
#include "axtrain/util/check.h"

#include <filesystem>

namespace axtrain {
namespace {

constexpr int kClasses = 10;
constexpr const char* kFiles[4] = {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                   "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"};

Dataset load_split(const std::filesystem::path& dir, int first, const std::string& name) {
  Dataset data = idx_dataset((dir / kFiles[first]).string(), (dir / kFiles[first + 1]).string(), name);
  AXT_CHECK(data.num_classes <= kClasses,
            "Fashion-MNIST label file '{}' holds label {}; Fashion-MNIST has "
            "classes 0..9: the file is not Fashion-MNIST",
            (dir / kFiles[first + 1]).string(), data.num_classes - 1);
  data.num_classes = kClasses;  // a small subset may miss the top classes; the label space is still 10
  return data;
}

}  // namespace

DatasetSplit load_fashion_mnist(const std::string& dir) {
  const std::filesystem::path folder = dir.empty() ? kFashionMnistDefaultDir : dir;
  std::string missing;
  for (const char* file : kFiles) {
    std::error_code ec;
    if (!std::filesystem::is_regular_file(folder / file, ec))
      missing += (missing.empty() ? "" : ", ") + std::string(file);
  }
  AXT_CHECK(missing.empty(),
            "Fashion-MNIST folder '{}' lacks {}; install the Debian package "
            "dataset-fashion-mnist (scripts/setup.sh does) or give data_dir, a folder holding the four "
            "*-ubyte.gz files",
            folder.string(), missing);
  DatasetSplit split{load_split(folder, 0, "fashion-mnist-train"), load_split(folder, 2, "fashion-mnist-test")};
  AXT_CHECK(split.train.sample_shape == split.test.sample_shape,
            "Fashion-MNIST folder '{}': training and test "
            "images differ in size; the files are from different datasets",
            folder.string());
  return split;
}

}  // namespace axtrain
