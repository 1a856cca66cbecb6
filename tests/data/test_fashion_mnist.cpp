// Fashion-MNIST: the loader on a tiny generated folder, the missing-files error, and the real Debian
// package when it is installed (scripts/setup.sh installs it; the test skips otherwise).
#include "axtrain/data/fashion_mnist.h"

#include "../support/run_cli.h"
#include "axtrain/data/idx.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace axtrain {
namespace {

using test::TempDir;

void write_split(const TempDir& dir, const std::string& prefix, std::int64_t n, std::uint8_t first_label) {
  IdxArray images{{n, 28, 28}, {}};
  for (std::int64_t i = 0; i < n * 28 * 28; ++i) images.data.push_back(static_cast<std::uint8_t>(i % 251));
  IdxArray labels{{n}, {}};
  for (std::int64_t i = 0; i < n; ++i) labels.data.push_back(static_cast<std::uint8_t>((first_label + i) % 10));
  write_idx(dir.file(prefix + "-images-idx3-ubyte.gz"), images, true);
  write_idx(dir.file(prefix + "-labels-idx1-ubyte.gz"), labels, true);
}

TEST(FashionMnist, LoadsAFolderWithTheDebianFileNames) {
  TempDir dir;
  write_split(dir, "train", 12, 0);
  write_split(dir, "t10k", 3, 1);
  const DatasetSplit s = load_fashion_mnist(std::filesystem::path(dir.file("x")).parent_path().string());
  EXPECT_EQ(s.train.size(), 12u);
  EXPECT_EQ(s.test.size(), 3u);
  EXPECT_EQ(s.train.name, "fashion-mnist-train");
  EXPECT_EQ(s.test.name, "fashion-mnist-test");
  EXPECT_EQ(s.train.sample_shape, (std::vector<std::int64_t>{1, 28, 28}));
  EXPECT_EQ(s.test.num_classes, 10);  // labels 1..3 only, but the label space is Fashion-MNIST's
  EXPECT_EQ(s.test.labels, (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_FLOAT_EQ(s.train.features[250], 250.0f / 255.0f);
  EXPECT_FLOAT_EQ(s.train.features[251], 0.0f);
}

TEST(FashionMnist, MissingFilesNameTheFolderAndTheFix) {
  TempDir dir;
  const std::string folder = std::filesystem::path(dir.file("x")).parent_path().string();
  try {
    load_fashion_mnist(folder);
    ADD_FAILURE() << "an empty folder loaded";
  } catch (const Error& e) {
    const std::string m = e.what();
    EXPECT_NE(m.find(folder), std::string::npos) << m;
    EXPECT_NE(m.find("train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz"), std::string::npos) << m;
    EXPECT_NE(m.find("dataset-fashion-mnist"), std::string::npos) << m;
    EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  }
  write_split(dir, "train", 2, 0);
  try {
    load_fashion_mnist(folder);
    ADD_FAILURE() << "a folder without test files loaded";
  } catch (const Error& e) {
    EXPECT_NE(std::string(e.what()).find("lacks t10k-images-idx3-ubyte.gz, t10k-labels"), std::string::npos)
        << e.what();
  }
}

TEST(FashionMnist, TheDebianPackageHasTheKnownShapeAndStatistics) {
  if (!std::filesystem::exists(std::string(kFashionMnistDefaultDir) + "/train-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed (scripts/setup.sh installs it)";
  const DatasetSplit s = load_fashion_mnist();
  ASSERT_EQ(s.train.size(), 60000u);
  ASSERT_EQ(s.test.size(), 10000u);
  EXPECT_EQ(s.train.sample_shape, (std::vector<std::int64_t>{1, 28, 28}));
  EXPECT_EQ(s.train.num_classes, 10);
  std::vector<int> counts(10, 0);
  for (std::int64_t label : s.train.labels) ++counts[static_cast<std::size_t>(label)];
  for (int c : counts) EXPECT_EQ(c, 6000);  // Fashion-MNIST is balanced: 6,000 training images per class
  double sum = 0;
  float mx = 0;
  for (float v : s.train.features) {
    sum += v;
    mx = std::max(mx, v);
  }
  // The training-pixel mean is 0.2860 (72.94 / 255), the widely used normalisation constant.
  EXPECT_NEAR(sum / static_cast<double>(s.train.features.size()), 0.2860, 5e-4);
  EXPECT_EQ(mx, 1.0f);
  EXPECT_EQ(s.test.labels[0], 9);  // the first test image is an ankle boot
}

}  // namespace
}  // namespace axtrain
