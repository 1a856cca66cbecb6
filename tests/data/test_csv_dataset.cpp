// CSV loading (columns, tasks, every error) and the Dataset utilities: head, take, split_validation, min-max.
#include "../support/expect_error.h"
#include "axtrain/data/csv_dataset.h"

#include "../support/run_cli.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <set>

namespace axtrain {
namespace {

using test::expect_error;

using test::TempDir;

std::string write_csv(const TempDir& dir, const std::string& text) {
  const std::string path = dir.file("d.csv");
  write_file_atomic(path, text);
  return path;
}

TEST(Csv, LoadsNamedFeaturesAndTargetsForRegression) {
  TempDir dir;
  const std::string path = write_csv(dir, "a, b ,c,y1,y2\r\n1,2,3,10,-1\n\n 4 ,5e-1,6,20,-2.5\n");
  const Dataset d = load_csv(path, {"c", "a"}, {"y2", "y1"}, Task::kRegression);
  EXPECT_EQ(d.task, Task::kRegression);
  EXPECT_EQ(d.size(), 2u);
  EXPECT_EQ(d.sample_shape, (std::vector<std::int64_t>{2}));
  EXPECT_EQ(d.features, (std::vector<float>{3, 1, 6, 4}));
  EXPECT_EQ(d.target_dim, 2);
  EXPECT_EQ(d.targets, (std::vector<float>{-1, 10, -2.5f, 20}));
  EXPECT_TRUE(d.labels.empty());

  const Dataset all = load_csv(path, {}, {"y1"}, Task::kRegression);  // every non-target column, file order
  EXPECT_EQ(all.sample_shape, (std::vector<std::int64_t>{4}));
  EXPECT_EQ(all.features, (std::vector<float>{1, 2, 3, -1, 4, 0.5f, 6, -2.5f}));
}

TEST(Csv, LoadsClassIdsForClassification) {
  TempDir dir;
  const std::string path = write_csv(dir, "x,label\n0.5,2\n1.5,0\n2.5,2.0\n");
  const Dataset d = load_csv(path, {}, {"label"}, Task::kClassification);
  EXPECT_EQ(d.labels, (std::vector<std::int64_t>{2, 0, 2}));
  EXPECT_EQ(d.num_classes, 3);
  EXPECT_EQ(d.features, (std::vector<float>{0.5f, 1.5f, 2.5f}));
  EXPECT_TRUE(d.targets.empty());
}

TEST(Csv, ErrorsNameTheFileLineAndColumn) {
  TempDir dir;
  const std::string good = "a,b,y\n1,2,3\n";
  expect_error([&] { load_csv(write_csv(dir, ""), {}, {"y"}, Task::kRegression); }, "is empty");
  expect_error([&] { load_csv(write_csv(dir, " \n\n"), {}, {"y"}, Task::kRegression); }, "is empty");
  expect_error(
      [&] {
        load_csv(write_csv(dir, good), {"a", "zz"}, {"y"}, Task::kRegression);
      },
      "no column 'zz'; its columns are: a, b, y");
  expect_error([&] { load_csv(write_csv(dir, good), {}, {"q"}, Task::kRegression); }, "no column 'q'");
  expect_error([&] { load_csv(write_csv(dir, good), {}, {}, Task::kRegression); }, "no target column");
  expect_error(
      [&] {
        load_csv(write_csv(dir, good), {"a", "y"}, {"y"}, Task::kRegression);
      },
      "column 'y' is named twice");
  expect_error([&] { load_csv(write_csv(dir, "a,a,y\n1,2,3\n"), {}, {"y"}, Task::kRegression); },
               "column 'a' appears twice");
  expect_error([&] { load_csv(write_csv(dir, "a,,y\n1,2,3\n"), {}, {"y"}, Task::kRegression); }, "empty column name");
  expect_error([&] { load_csv(write_csv(dir, "a,b,y\n1,2,3\n4,5\n"), {}, {"y"}, Task::kRegression); },
               "line 3: 2 fields; the header has 3 columns");
  const std::string path = write_csv(dir, "a,b,y\n1,2,3\n4,x5,6\n");
  expect_error([&] { load_csv(path, {}, {"y"}, Task::kRegression); }, path + ":3: column 'b' holds 'x5'");
  expect_error([&] { load_csv(write_csv(dir, "a,b,y\n1,,3\n"), {}, {"y"}, Task::kRegression); },
               ":2: column 'b' holds ''");
  expect_error([&] { load_csv(write_csv(dir, "a,b,y\n1,nan,3\n"), {}, {"y"}, Task::kRegression); },
               "not a finite number");
  expect_error([&] { load_csv(write_csv(dir, "a,y\n1,1.5\n"), {}, {"y"}, Task::kClassification); },
               ":2: class id '1.5' in column 'y' is not a non-negative integer");
  expect_error([&] { load_csv(write_csv(dir, "a,y\n1,-1\n"), {}, {"y"}, Task::kClassification); }, "class id '-1'");
  expect_error(
      [&] {
        load_csv(write_csv(dir, good), {}, {"a", "y"}, Task::kClassification);
      },
      "exactly one target column");
  expect_error([&] { load_csv(dir.file("missing.csv"), {}, {"y"}, Task::kRegression); }, "missing.csv");
  expect_error([&] { load_csv(write_csv(dir, "a,y\n-3.5e38,1\n"), {}, {"y"}, Task::kRegression); },
               ":2: column 'a' holds -3.5e38, outside the range of a 32-bit float");
  EXPECT_EQ(load_csv(write_csv(dir, "a,y\n-3.4e38,1\n"), {}, {"y"}, Task::kRegression).features[0], -3.4e38f);
  expect_error([&] { load_csv(write_csv(dir, "a,y\n1,65536\n"), {}, {"y"}, Task::kClassification); },
               "would make 65537 classes, above the limit of 65536");
  EXPECT_EQ(load_csv(write_csv(dir, "a,y\n1,65535\n"), {}, {"y"}, Task::kClassification).num_classes, 65536);
}

TEST(Csv, TaskAutoTakesSmallIntegerTargetsAsClassIdsAndAnythingElseAsNumbers) {
  TempDir dir;
  std::string reason;
  const Dataset ids =
      infer_csv_task(load_csv(write_csv(dir, "a,k\n1,2\n2,0\n3,99\n"), {}, {"k"}, Task::kRegression), {"k"}, reason);
  EXPECT_EQ(ids.task, Task::kClassification);
  EXPECT_EQ(ids.labels, (std::vector<std::int64_t>{2, 0, 99}));
  EXPECT_EQ(ids.num_classes, 100);
  EXPECT_TRUE(ids.targets.empty());
  EXPECT_NE(reason.find("column 'k' holds only integers 0..99: classification into 100 classes"), std::string::npos);
  for (const char* text : {"a,k\n1,2\n2,100\n", "a,k\n1,2\n2,0.5\n", "a,k\n1,2\n2,-1\n"}) {
    const Dataset numbers = infer_csv_task(load_csv(write_csv(dir, text), {}, {"k"}, Task::kRegression), {"k"}, reason);
    EXPECT_EQ(numbers.task, Task::kRegression) << text;
    EXPECT_EQ(numbers.target_dim, 1);
    EXPECT_NE(reason.find("regression"), std::string::npos);
  }
  const Dataset two =
      infer_csv_task(load_csv(write_csv(dir, "a,k,l\n1,2,3\n"), {}, {"k", "l"}, Task::kRegression), {"k", "l"}, reason);
  EXPECT_EQ(two.task, Task::kRegression);
  EXPECT_NE(reason.find("2 target columns"), std::string::npos);
}

Dataset numbered(std::size_t n) {  // regression set: feature row i = {i, 10 i}, target i = 100 i
  Dataset d;
  d.name = "numbered";
  d.task = Task::kRegression;
  d.sample_shape = {2};
  d.target_dim = 1;
  for (std::size_t i = 0; i < n; ++i) {
    d.features.push_back(static_cast<float>(i));
    d.features.push_back(static_cast<float>(10 * i));
    d.targets.push_back(static_cast<float>(100 * i));
  }
  return d;
}

TEST(Dataset, HeadAndTakeCopyWholeSamples) {
  const Dataset d = numbered(5);
  EXPECT_EQ(head(d, 0).size(), 5u);
  EXPECT_EQ(head(d, 9).size(), 5u);
  const Dataset h = head(d, 2);
  EXPECT_EQ(h.features, (std::vector<float>{0, 0, 1, 10}));
  EXPECT_EQ(h.targets, (std::vector<float>{0, 100}));
  const std::vector<std::size_t> idx{4, 1, 4};
  const Dataset t = take(d, idx);
  EXPECT_EQ(t.features, (std::vector<float>{4, 40, 1, 10, 4, 40}));
  EXPECT_EQ(t.targets, (std::vector<float>{400, 100, 400}));
}

TEST(Dataset, SplitValidationIsASeededPartition) {
  const Dataset d = numbered(50);
  const auto [train, val] = split_validation(d, 0.2, 7);
  EXPECT_EQ(train.size(), 40u);
  EXPECT_EQ(val.size(), 10u);
  EXPECT_EQ(val.name, "numbered-validation");
  std::set<float> seen;
  for (std::size_t i = 0; i < 40; ++i) {
    EXPECT_EQ(train.targets[i], 100 * train.features[2 * i]);  // rows stay whole
    seen.insert(train.features[2 * i]);
  }
  for (std::size_t i = 0; i < 10; ++i) seen.insert(val.features[2 * i]);
  EXPECT_EQ(seen.size(), 50u);  // a partition: every sample exactly once
  EXPECT_EQ(split_validation(d, 0.2, 7).second.features, val.features);
  EXPECT_NE(split_validation(d, 0.2, 8).second.features, val.features);
  std::vector<float> first10(val.features.begin(), val.features.end());
  EXPECT_FALSE(std::is_sorted(first10.begin(), first10.end()));  // shuffled, not the last 10
  expect_error([&] { split_validation(d, 0.0, 1); }, "outside (0, 1)");
  expect_error([&] { split_validation(d, 1.0, 1); }, "outside (0, 1)");
  expect_error([&] { split_validation(numbered(3), 0.01, 1); }, "leaves 0 for validation");
}

TEST(Dataset, MinMaxScalesTrainToUnitRangeAndInverts) {
  Dataset train = numbered(5);
  train.features[1] = 7;  // column 1 = {7, 10, 20, 30, 40}
  Dataset test = numbered(3);
  const MinMaxScaler s = fit_min_max(train);
  EXPECT_EQ(s.feature_min, (std::vector<float>{0, 7}));
  EXPECT_EQ(s.feature_max, (std::vector<float>{4, 40}));
  EXPECT_EQ(s.target_max, (std::vector<float>{400}));
  apply(s, train);
  apply(s, test);
  EXPECT_FLOAT_EQ(train.features[0], 0.0f);
  EXPECT_FLOAT_EQ(train.features[8], 1.0f);
  EXPECT_FLOAT_EQ(train.features[9], 1.0f);
  EXPECT_FLOAT_EQ(test.features[1], -7.0f / 33.0f);  // test data may leave [0, 1]
  EXPECT_FLOAT_EQ(train.targets[2], 0.5f);
  const std::vector<float> back = invert_targets(s, train.targets);
  for (std::size_t i = 0; i < 5; ++i) EXPECT_NEAR(back[i], 100.0f * static_cast<float>(i), 1e-4f);

  Dataset constant = numbered(3);
  for (std::size_t i = 0; i < 3; ++i) constant.features[2 * i] = 5;
  const MinMaxScaler c = fit_min_max(constant);
  apply(c, constant);
  EXPECT_EQ(constant.features[0], 0.0f);  // constant column -> 0, not NaN
  expect_error(
      [&] {
        Dataset wide = numbered(2);
        wide.sample_shape = {1};
        wide.features.resize(2);
        apply(s, wide);
      },
      "1 features per sample but the scaler was fitted on 2");
  expect_error([&] { invert_targets(MinMaxScaler{}, std::vector<float>{1}); }, "no targets");
}

}  // namespace
}  // namespace axtrain
