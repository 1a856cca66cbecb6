// The run configuration's flags (tools/axtrain/config_flags.h): precedence over the file, the hardware
// sections, choices by name, and --help with the live defaults.
#include "../support/config_files.h"
#include "../support/expect_error.h"
#include "config_flags.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace axtrain {
namespace {

using cli::TrainConfigFlags;
using test::expect_error;
using test::expect_same_config;
using test::write_temp;

// Parses `args` (without the program name) with TrainConfigFlags on a fresh app and resolves.
TrainConfig resolve_args(std::vector<std::string> args) {
  CLI::App app{"test", "axtrain-train"};
  TrainConfigFlags flags(app);
  std::reverse(args.begin(), args.end());  // CLI11 takes the vector in reverse order
  app.parse(args);
  return flags.resolve();
}

TEST(TrainConfigFlags, DefaultsWithoutArguments) {
  expect_same_config(resolve_args({}), TrainConfig{});
}

TEST(TrainConfigFlags, FlagsOverrideTheFile) {
  const std::string path = write_temp("flags.toml",
                                      "epochs = 7\nlr = 0.05\nhidden = [8]\nquiet = true\n"
                                      "[hardware.train]\nmultiplier = \"K1\"\n");
  const TrainConfig c = resolve_args({"--config", path, "--epochs", "2", "--hidden", "32,16", "--quiet=false",
                                      "--train-multiplier", "K2", "--batch-size", "10"});
  EXPECT_EQ(c.epochs, 2);
  EXPECT_EQ(c.lr, 0.05);  // from the file
  EXPECT_EQ(c.hidden, (IntList{32, 16}));
  EXPECT_FALSE(c.quiet);
  EXPECT_EQ(c.batch_size, 10);  // the hyphenated alias of batch_size
  EXPECT_EQ(c.hardware_train.multiplier, "K2");
  EXPECT_EQ(c.hardware_eval.multiplier, "exact");
}

TEST(TrainConfigFlags, HwSetsBothSectionsAndSectionFlagsWin) {
  const TrainConfig c = resolve_args({"--hw", "K3", "--memory", "ber:1e-4", "--eval-hw", "K1", "--train-p01", "0.01"});
  EXPECT_EQ(c.hardware_train.multiplier, "K3");
  EXPECT_EQ(c.hardware_eval.multiplier, "K1");  // --eval-* beats --hw, for eval only
  EXPECT_EQ(c.hardware_train.memory, "ber:1e-4");
  EXPECT_EQ(c.hardware_eval.memory, "ber:1e-4");
  EXPECT_EQ(c.hardware_train.p01, 0.01);
  EXPECT_EQ(c.hardware_eval.p01, -1);
  EXPECT_EQ(c.hw, "K3");
  EXPECT_EQ(resolve_args({"--hw", "K3", "--eval-multiplier", "K2"}).hardware_eval.multiplier, "K2");
}

TEST(TrainConfigFlags, HwFlagBeatsFileSection) {
  const std::string path = write_temp("hwflag.toml", "hw = \"K1\"\n[hardware.eval]\nmultiplier = \"K2\"\n");
  const TrainConfig from_file = resolve_args({"--config", path});
  EXPECT_EQ(from_file.hardware_train.multiplier, "K1");
  EXPECT_EQ(from_file.hardware_eval.multiplier, "K2");  // file section beats file top-level hw
  const TrainConfig c = resolve_args({"--config", path, "--hw", "K3"});
  EXPECT_EQ(c.hardware_train.multiplier, "K3");
  EXPECT_EQ(c.hardware_eval.multiplier, "K3");  // a flag always beats the file
}

TEST(TrainConfigFlags, BadFlagValuesFailValidation) {
  expect_error([] { resolve_args({"--optimizer", "adamw"}); }, {"optimizer = \"adamw\"", "one of adam, sgd"});
  expect_error([] { resolve_args({"--eval-memory", "0.6"}); }, {"hardware.eval.memory (--eval-memory)", "'0.6'"});
  EXPECT_THROW(resolve_args({"--epochs", "three"}), CLI::ParseError);
}

TEST(TrainConfigFlags, HelpShowsLiveDefaultsAndRules) {
  CLI::App app{"test", "axtrain-train"};
  TrainConfigFlags flags(app);
  const std::string help = app.help();
  EXPECT_NE(help.find("(default: 256,256)"), std::string::npos) << help;
  EXPECT_NE(help.find("mlp, lenet, resnet8, vgg8, a layer list or torchscript:PATH (default: mlp)"), std::string::npos)
      << help;
  EXPECT_NE(help.find("--train-memory_scope"), std::string::npos) << help;
  EXPECT_NE(help.find("Evaluation hardware [hardware.eval]"), std::string::npos) << help;
}

TEST(TrainConfigFlags, ChoicesAreSetByName) {
  const TrainConfig c = resolve_args(
      {"--method", "axtrain", "--pas-mode", "statistic", "--eval-faults", "persistent", "--network", "lenet"});
  EXPECT_EQ(c.method, Method::kAxtrain);
  EXPECT_EQ(c.pas_mode, PasMode::kStatistic);
  EXPECT_EQ(c.hardware_eval.faults, Faults::kPersistent);
  EXPECT_EQ(c.hardware_train.faults, Faults::kTransient);
  EXPECT_EQ(c.network, "lenet");
  expect_error(
      [] {
        resolve_args({"--method", "axtrian"});
      },
      {"method = \"axtrian\"", "one of baseline, pas, act, axtrain", "did you mean \"axtrain\"", "--method"});
  expect_error(
      [] {
        resolve_args({"--train-memory_scope", "all"});
      },
      {"hardware.train.memory_scope = \"all\"", "--train-memory_scope"});
}

}  // namespace
}  // namespace axtrain
