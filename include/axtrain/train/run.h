// Whole runs: `axtrain train` and `axtrain eval` as library calls. A run folder holds config.toml (the
// effective configuration), checkpoint.pt, metrics.json and history.csv, each written atomically.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/train/models.h"
#include "axtrain/train/tensor_data.h"
#include "axtrain/train/trainer.h"

#include <nlohmann/json.hpp>

#include <memory>
#include <string>

namespace axtrain {

// Progress lines for people: shown on a terminal unless quiet, never mixed into stdout.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled) {}
  static Progress for_terminal(bool quiet);  // enabled when stderr is a terminal and not quiet
  void line(const std::string& text) const;  // a finished line
  void status(const std::string& text) const;  // an updating line (carriage return)
  bool enabled() const { return enabled_; }

 private:
  bool enabled_;
};

// The model the configuration describes for this data.
std::shared_ptr<ApproxNet> build_model(const TrainConfig& config, const PreparedData& data);

// Trains as configured, evaluates on exact and on the evaluation hardware, measures sensitivity, writes the
// run folder (config.out; "" = runs/<dataset>-<method>-seed<seed>) and returns metrics.json's content.
nlohmann::json run_train(const TrainConfig& config, const Progress& progress);

// Loads a checkpoint written by run_train (its folder's config.toml says how to rebuild it; `config` is that
// file with the command's overrides) and evaluates it on config's evaluation hardware.
nlohmann::json run_eval(const TrainConfig& config, const std::string& checkpoint, const Progress& progress);

// history.csv: one line per epoch (epoch, loss, regulariser, train_error, validation_error, lr, seconds).
std::string history_csv(const TrainHistory& history);

// Model weights <-> checkpoint file (atomic write). Throws axtrain::Error for an unreadable or mismatched file.
void save_checkpoint(ApproxNet& net, const std::string& path);
void load_checkpoint(ApproxNet& net, const std::string& path);

}  // namespace axtrain
