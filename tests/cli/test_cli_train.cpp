// `axtrain train` and `axtrain eval` run as a user would, on small generated data.
#include "../support/run_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <sstream>

namespace axtrain::test {
namespace {

// A small regression run: sobel, 600 generated samples, a 9-8-1 MLP.
const std::string kSmall = "--dataset sobel --kernel_samples 600 --hidden 8 --epochs 2 --batch_size 32 --quiet --json";

nlohmann::json train_json(const std::string& args) {
  return run_cli_json("train " + args);
}

TEST(CliTrain, WritesTheRunFolderWithEveryMetric) {
  TempDir dir;
  const std::string out = dir.file("run");
  const nlohmann::json m = train_json(kSmall + " --eval-hw K3 --eval-memory ber:1e-3 --trials 3 --out " + out);
  for (const char* file : {"config.toml", "checkpoint.pt", "metrics.json", "history.csv"})
    EXPECT_TRUE(std::filesystem::exists(out + "/" + file)) << file;
  for (const char* key : {"method", "dataset", "epochs", "test_error_exact", "test_error_hw", "sensitivity_mean",
                          "sensitivity_per_layer", "hardware", "seed", "train_seconds", "epoch_seconds"})
    EXPECT_TRUE(m.contains(key)) << key;
  EXPECT_EQ(m["hardware"], "K3");
  EXPECT_EQ(m["test_error_hw"]["trials"], 3);  // memory faults make the hardware stochastic
  EXPECT_GT(m["test_error_hw"]["std"].get<double>(), 0);
  EXPECT_EQ(m["sensitivity_per_layer"].size(), 2u);
  EXPECT_EQ(nlohmann::json::parse(test::slurp(out + "/metrics.json"))["test_error_exact"], m["test_error_exact"]);
  // Energy per inference on the evaluation hardware, split: 9x8 + 8x1 = 80 MACs on K3 (0.2176 pJ + 0.16 pJ).
  const auto& energy = m["energy"];
  EXPECT_NEAR(energy["multiply_pj"].get<double>(), 80 * 0.2176, 1e-9);
  EXPECT_NEAR(energy["accumulate_pj"].get<double>(), 80 * 0.16, 1e-9);
  EXPECT_NEAR(
      energy["total_pj"].get<double>(),
      energy["multiply_pj"].get<double>() + energy["accumulate_pj"].get<double>() + energy["sram_pj"].get<double>(),
      1e-9);
  EXPECT_GT(energy["saving"].get<double>(), 0);
  EXPECT_EQ(energy["multiply_source"], "paper");
  // The effective config reproduces the run.
  const CliResult again = run_cli("train --config " + out + "/config.toml --out " + dir.file("again") + " --json");
  ASSERT_EQ(again.exit_code, 0) << again.err;
  EXPECT_EQ(nlohmann::json::parse(again.out)["test_error_hw"], m["test_error_hw"]);
}

TEST(CliTrain, SameSeedGivesIdenticalNumbers) {
  TempDir dir;
  const std::string args = kSmall + " --method axtrain --hw K2 --memory ber:1e-3 --seed 5 --trials 2 --out ";
  nlohmann::json a = train_json(args + dir.file("a"));
  nlohmann::json b = train_json(args + dir.file("b"));
  for (auto* m : {&a, &b}) {
    m->erase("train_seconds");
    m->erase("epoch_seconds");
    m->erase("run_folder");
  }
  EXPECT_EQ(a, b);
  EXPECT_EQ(test::slurp(dir.file("a") + "/checkpoint.pt"), test::slurp(dir.file("b") + "/checkpoint.pt"));
}

TEST(CliTrain, EveryMethodRunsAndEvalReadsTheCheckpoint) {
  TempDir dir;
  for (const std::string method : {"baseline", "pas", "act", "axtrain"}) {
    for (const std::string mode : {"emulate", "statistic"}) {
      if (mode == "statistic" && (method == "baseline" || method == "act")) continue;
      SCOPED_TRACE(method + " " + mode);
      const std::string out = dir.file(method + mode);
      const nlohmann::json m = train_json(kSmall + " --method " + method + " --pas_mode " + mode +
                                          " --hw truncated:6 --memory ber:1e-3 --out " + out);
      EXPECT_EQ(m["method"], method);
      const CliResult eval = run_cli("eval --model " + out + "/checkpoint.pt --eval-hw K1 --json");
      ASSERT_EQ(eval.exit_code, 0) << eval.err;
      const nlohmann::json e = nlohmann::json::parse(eval.out);
      EXPECT_EQ(e["test_error_exact"], m["test_error_exact"]);  // same weights, same test data
      EXPECT_EQ(e["hardware"], "K1");
    }
  }
}

TEST(CliTrain, EarlyStoppingKeepsTheBestValidationEpoch) {
  TempDir dir;
  const std::string out = dir.file("run");
  const nlohmann::json m = train_json(
      "--dataset sobel --kernel_samples 600 --hidden 8 --batch_size 32 --quiet --json"
      " --epochs 8 --validation_split 0.25 --early_stopping 1 --lr 0.05"
      " --lr_schedule cosine --optimizer sgd --out " +
      out);
  std::istringstream csv(test::slurp(out + "/history.csv"));
  std::string line;
  std::getline(csv, line);  // header
  int best_epoch = 0, rows = 0;
  double best = 1e9;
  while (std::getline(csv, line)) {
    ++rows;
    std::vector<std::string> cells;
    std::stringstream fields(line);
    for (std::string cell; std::getline(fields, cell, ',');) cells.push_back(cell);
    const double validation = std::stod(cells.at(4));
    ASSERT_GE(validation, 0) << line;
    if (validation < best) best = validation, best_epoch = std::stoi(cells.at(0));
  }
  EXPECT_EQ(rows, m["epochs_run"].get<int>());
  EXPECT_EQ(m["best_epoch"].get<int>(), best_epoch);
  // With this seed the validation error first rises at epoch 4: training stops there and keeps epoch 3.
  EXPECT_LT(rows, 8);
  EXPECT_EQ(rows - best_epoch, 1) << "stops exactly `patience` epochs after the best";
  EXPECT_TRUE(m["stopped_early"].get<bool>());
}

TEST(CliTrain, BiasCompensationIsReportedBesideTheUncompensatedError) {
  TempDir dir;
  const nlohmann::json m = train_json(kSmall + " --eval-hw K3 --bias_compensation --out " + dir.file("run"));
  ASSERT_TRUE(m.contains("test_error_hw_compensated"));
  EXPECT_NE(m["test_error_hw_compensated"]["mean"], m["test_error_hw"]["mean"]);
}

TEST(CliTrain, LeNetLearnsOnTheHardwareItTrainsOn) {
  // 1024 Fashion-MNIST images, AxTrain-pas on K3: the CNN trains end to end through the emulated hardware
  // and beats chance (0.9 error) on that hardware by a wide margin.
  TempDir dir;
  const nlohmann::json m = train_json(
      "--network lenet --train_samples 1024 --test_samples 256 --epochs 2 "
      "--batch_size 32 --hw K3 --method pas --quiet --json --out " +
      dir.file("cnn"));
  EXPECT_EQ(m["sensitivity_per_layer"].size(), 5u);
  EXPECT_LE(m["test_error_hw"]["mean"].get<double>(), 0.7);
}

}  // namespace
}  // namespace axtrain::test
