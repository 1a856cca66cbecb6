// NumPy data as a user brings it: `train` on an .npz archive or two .npy files, with a separate test file, and
// one line with exit 2 for each file that cannot be used.
#include "../support/numpy_writer.h"
#include "../support/run_cli.h"
#include "../support/zip_writer.h"

#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>

namespace axtrain::test {
namespace {

// n samples of two features x, labelled 1 where x0 + x1 > 0 (or the opposite when `flipped`).
struct Samples {
  std::string x, y;
};
Samples samples(int n, bool flipped, std::uint32_t seed) {
  std::vector<float> x;
  std::vector<std::int64_t> y;
  std::uint32_t state = seed;
  const auto uniform = [&state] {
    state = state * 1664525u + 1013904223u;
    return static_cast<float>(state >> 8) / static_cast<float>(1u << 24) * 2.0f - 1.0f;
  };
  for (int i = 0; i < n; ++i) {
    const float a = uniform(), b = uniform();
    x.push_back(a), x.push_back(b);
    y.push_back(((a + b > 0) != flipped) ? 1 : 0);
  }
  return {npy("<f4", fmt::format("({}, 2)", n), bytes_of(x)), npy("<i8", fmt::format("({},)", n), bytes_of(y))};
}

const std::string kRun = "--hidden 16 --epochs 15 --batch_size 32 --lr 0.01 --quiet --json";

TEST(CliNumpyData, TrainsOnAnArchiveAndTakesTheTestSetFromItsOwnFile) {
  TempDir dir;
  const Samples train = samples(800, false, 1), same = samples(200, false, 2), flipped = samples(200, true, 2);
  write_file_atomic(dir.file("train.npz"), zip({{"x.npy", train.x}, {"y.npy", train.y}}, {.zip64 = false}));
  write_file_atomic(dir.file("same.npz"), zip({{"x.npy", same.x}, {"y.npy", same.y}}, {.method = 8}));
  write_file_atomic(dir.file("flipped.npz"), zip({{"x.npy", flipped.x}, {"y.npy", flipped.y}}));
  const auto error = [&](const std::string& args) {
    const nlohmann::json m = run_cli_json("train " + kRun + " --dataset npz:" + dir.file("train.npz") + args);
    EXPECT_EQ(m.at("task"), "classification");
    return m.at("test_error_exact").get<double>();
  };
  const double split = error(" --out " + dir.file("split"));
  EXPECT_LT(split, 0.1) << "the rule is learnt";
  EXPECT_LT(error(" --out " + dir.file("same") + " --test_dataset npz:" + dir.file("same.npz")), 0.1);
  EXPECT_GT(error(" --out " + dir.file("flipped") + " --test_dataset npz:" + dir.file("flipped.npz")), 0.9)
      << "the test set is the file given, not a split of the training file";
  // The same samples as two .npy files give the same run.
  write_file_atomic(dir.file("x.npy"), train.x);
  write_file_atomic(dir.file("y.npy"), train.y);
  const nlohmann::json npy_run = run_cli_json("train " + kRun + " --dataset npy:" + dir.file("x.npy") + "," +
                                              dir.file("y.npy") + " --out " + dir.file("npy"));
  EXPECT_EQ(npy_run.at("test_error_exact").get<double>(), split);
}

TEST(CliNumpyData, FilesThatCannotBeUsedGetOneLineAndExitTwo) {
  TempDir dir;
  const Samples s = samples(20, false, 3);
  write_file_atomic(dir.file("x.npy"), s.x);
  write_file_atomic(dir.file("y.npy"), s.y);
  write_file_atomic(dir.file("short.npy"), s.x.substr(0, s.x.size() - 3));
  write_file_atomic(dir.file("complex.npy"), npy("<c8", "(20, 1)", std::string(160, '\0')));
  write_file_atomic(dir.file("y5.npy"), npy("<i8", "(5,)", bytes_of(std::vector<std::int64_t>(5, 1))));
  write_file_atomic(dir.file("x3.npy"), npy("<f4", "(20, 3)", bytes_of(std::vector<float>(60, 0.5f))));
  write_file_atomic(dir.file("d.npz"), zip({{"features.npy", s.x}, {"labels.npy", s.y}}));
  write_file_atomic(dir.file("broken.npz"), zip({{"x.npy", s.x}}).substr(0, 60));
  const std::string y = "," + dir.file("y.npy");
  expect_user_error("train --dataset npy:" + dir.file("short.npy") + y, "truncated");
  expect_user_error("train --dataset npy:" + dir.file("complex.npy") + y, "complex numbers");
  expect_user_error("train --dataset npy:" + dir.file("x.npy") + "," + dir.file("y5.npy"), "20 feature rows but 5");
  expect_user_error("train --dataset npy:" + dir.file("x.npy"), "needs two .npy files");
  expect_user_error("train --dataset npz:" + dir.file("d.npz"), "holds 'features', 'labels'");
  expect_user_error("train --dataset npz:" + dir.file("broken.npz"), "not a readable zip archive");
  expect_user_error("train --dataset npy:" + dir.file("x.npy") + y + " --test_dataset npy:" + dir.file("x3.npy") + y,
                    "a test set of the training set's shape");
  expect_user_error("train --dataset npy:" + dir.file("x.npy") + y + " --test_dataset csv:" + dir.file("t.csv"),
                    "not of the same form");
  expect_user_error("train --test_dataset npz:" + dir.file("d.npz"), "applies to a file dataset");
  expect_user_error("train --dataset npz:" + dir.file("x.npy"), "is a .npy file, not an .npz archive; give features");
  expect_user_error("train --dataset npy:" + dir.file("d.npz") + y, "is an .npz archive, not a .npy file");
  const Samples two = samples(2, false, 4);
  write_file_atomic(dir.file("x2.npy"), two.x);
  write_file_atomic(dir.file("y2.npy"), two.y);
  expect_user_error("train --dataset npy:" + dir.file("x2.npy") + "," + dir.file("y2.npy"),
                    "has 2 samples; splitting 20 % off for the test set needs at least 3, or give");
  EXPECT_FALSE(std::filesystem::exists("runs")) << "a failed run must not leave a run folder";
}

}  // namespace
}  // namespace axtrain::test
