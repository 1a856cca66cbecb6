// Whole runs: `axtrain train` and `axtrain eval` as library calls. A run folder (run_folder.h) holds run.json,
// config.toml (the effective configuration), state.pt while training, checkpoint.pt, history.csv and, last,
// metrics.json, each written atomically.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/data/dataset.h"
#include "axtrain/explore/network_energy.h"
#include "axtrain/runs/run_folder.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/train/history.h"
#include "axtrain/util/progress.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace axtrain {

// What training added to a run's metrics.
struct TrainingSummary {
  int epochs = 0;      // configured
  int epochs_run = 0;  // run (fewer after early stopping)
  int best_epoch = 0;
  bool stopped_early = false;
  double train_seconds = 0;
  std::vector<double> epoch_seconds;
  std::string run_folder;
};

// metrics.json of a run: the configuration's identity, errors on exact and on the evaluation hardware
// (SPEC 2.8), sensitivity under it (SPEC 2.7), energy per inference on it (SPEC 2.5, config [energy]).
struct RunMetrics {
  Method method = Method::kBaseline;
  std::string dataset;
  Task task = Task::kClassification;
  std::string network = "mlp";  // as configured: a preset, a layer list or torchscript:PATH
  int seed = 0;
  int threads = 0;
  HardwareConfig hardware_eval;
  HardwareConfig hardware_train;
  double test_error_exact = 0;
  TrialStats test_error_hw;
  std::optional<TrialStats> test_error_hw_compensated;  // with bias_compensation
  SensitivityStats sensitivity;
  std::optional<NetworkEnergy> energy;      // per inference on the evaluation hardware; none when unknown
  std::string energy_unknown;               // why it is unknown (a lut: multiplier without an energy)
  std::optional<TrainingSummary> training;  // train only
  std::string checkpoint;                   // eval only: the checkpoint evaluated

  double approximation_error() const { return test_error_hw.mean - test_error_exact; }
  nlohmann::json to_json() const;
};

// "energy per inference: 45.12 nJ (multiplies ..., accumulates ..., SRAM ... nJ; ...), 4.1 % less than ...".
std::string energy_line(const NetworkEnergy& energy);

// Trains as configured, evaluates on exact and on the evaluation hardware, measures sensitivity, writes the
// run folder (config.out; "" = runs/<dataset>-<method>-seed<seed>; run_folder.h) and returns its metrics.
// The training state is saved after every epoch. SIGINT or SIGTERM stops the run after the current step,
// saves it and throws Interrupted; `reuse` = kResume continues it, ending with the numbers of a run that
// never stopped. A --resume of a finished run evaluates its checkpoint again and writes nothing.
RunMetrics run_train(const TrainConfig& config, FolderReuse reuse, const Progress& progress);

// Loads a checkpoint written by run_train (its folder's config.toml says how to rebuild it; `config` is that
// file with the command's overrides) and evaluates it on config's evaluation hardware.
RunMetrics run_eval(const TrainConfig& config, const std::string& checkpoint, const Progress& progress);

// `train --summary`: the configured network on this dataset's samples, layer by layer (plan_summary), with
// its energy per inference on [hardware.eval]. Loads the data (for its shapes) and trains nothing.
std::string network_summary(const TrainConfig& config);

}  // namespace axtrain
