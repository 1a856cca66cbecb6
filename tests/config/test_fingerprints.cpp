// Fingerprints of trained models and result rows (config/fingerprints.h): equal for settings that give the same
// model, different when anything that determines it changes, the bytes of the files it reads included.
#include "axtrain/config/fingerprints.h"

#include "axtrain/hw/multiplier.h"
#include "axtrain/hw/table_file.h"
#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

namespace axtrain {
namespace {

std::string fp(const TrainConfig& c) {
  return training_fingerprint(c, "");
}

TEST(Fingerprints, SettingsOnlyEvaluationReadsDoNotChangeTheModel) {
  const TrainConfig base;
  const std::vector<std::function<void(TrainConfig&)>> evaluation_only = {
      [](TrainConfig& c) { c.hardware_eval.multiplier = "K1"; },
      [](TrainConfig& c) { c.trials = 9; },
      [](TrainConfig& c) { c.bias_compensation = true; },
      [](TrainConfig& c) { c.sweep_multipliers = {"K2"}; },
      [](TrainConfig& c) { c.sweep_memories = {"0.6V"}; },
      [](TrainConfig& c) { c.sweep_train = SweepTrain::kFixed; },
      [](TrainConfig& c) { c.budget = 0.5; },
      [](TrainConfig& c) { c.energy.sram_read_pj = 9; },
      [](TrainConfig& c) { c.out = "elsewhere"; },
      [](TrainConfig& c) { c.quiet = true; },
  };
  for (std::size_t i = 0; i < evaluation_only.size(); ++i) {
    TrainConfig c = base;
    evaluation_only[i](c);
    EXPECT_EQ(fp(c), fp(base)) << "change " << i;
  }
}

TEST(Fingerprints, EverySettingThatTrainsDifferentlyChangesTheModel) {
  const TrainConfig base;
  const std::vector<std::function<void(TrainConfig&)>> training = {
      [](TrainConfig& c) { c.hidden = {8}; },
      [](TrainConfig& c) { c.network = "lenet"; },
      [](TrainConfig& c) { c.epochs = 4; },
      [](TrainConfig& c) { c.lr = 0.01; },
      [](TrainConfig& c) { c.seed = 2; },
      [](TrainConfig& c) { c.method = Method::kPas; },
      [](TrainConfig& c) { c.hardware_train.multiplier = "K1"; },
      [](TrainConfig& c) { c.hardware_train.memory = "0.6V"; },
      [](TrainConfig& c) { c.hardware_train.protect = 128; },
      [](TrainConfig& c) { c.train_samples = 100; },
      [](TrainConfig& c) { c.dataset = "sobel"; },
  };
  for (std::size_t i = 0; i < training.size(); ++i) {
    TrainConfig c = base;
    training[i](c);
    EXPECT_NE(fp(c), fp(base)) << "change " << i;
  }
  EXPECT_NE(training_fingerprint(base, "0123456789abcdef"), fp(base)) << "the model it fine-tunes";
}

TEST(Fingerprints, TheBytesOfATableOrADatasetCountNotTheirPaths) {
  const auto dir = std::filesystem::path(testing::TempDir()) / "fingerprint_files";
  std::filesystem::create_directories(dir);
  const std::string table = (dir / "m.bin").string(), csv = (dir / "d.csv").string();
  save_table(Multiplier::parse("K1").table(), table, TableFormat::kBin, std::nullopt);
  write_file_atomic(csv, "x,y\n1,2\n");
  TrainConfig c;
  c.dataset = "csv:" + csv;
  c.hardware_train.multiplier = "lut:" + table;
  const std::string before = fp(c);
  save_table(Multiplier::parse("K3").table(), table, TableFormat::kBin, std::nullopt);
  const std::string new_table = fp(c);
  EXPECT_NE(new_table, before) << "another table under the same name";
  write_file_atomic(csv, "x,y\n1,3\n");
  EXPECT_NE(fp(c), new_table) << "other data under the same name";
  const std::string text = evaluation_text(c, c.hardware_train, "");
  save_table(Multiplier::parse("K2").table(), table, TableFormat::kBin, std::nullopt);
  EXPECT_NE(evaluation_text(c, c.hardware_train, ""), text) << "a row evaluated on another table";
  TrainConfig more_trials = c;
  more_trials.trials = 7;
  EXPECT_NE(evaluation_text(more_trials, c.hardware_train, ""), evaluation_text(c, c.hardware_train, ""));
}

}  // namespace
}  // namespace axtrain
