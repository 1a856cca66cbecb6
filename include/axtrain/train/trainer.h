// The training loop for the four methods of SPEC 2.6: baseline, pas (AxTrain-pas), act (AxTrain-act) and
// axtrain (both).
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/train/hardware_state.h"
#include "axtrain/train/models.h"
#include "axtrain/train/tensor_data.h"

#include <functional>
#include <memory>
#include <vector>

namespace axtrain {

struct EpochStats {
  int epoch = 0;                  // 1-based
  double loss = 0;                // mean training loss (without the regulariser)
  double regulariser = 0;         // mean R over the epoch's batches (0 unless act/axtrain)
  double train_error = 0;         // on the training hardware, measured on the fly
  double validation_error = -1;   // on the training hardware; -1 without a validation split
  double lr = 0;
  double seconds = 0;
};

struct TrainHistory {
  std::vector<EpochStats> epochs;
  double seconds = 0;        // wall time of the whole loop
  int best_epoch = 0;        // the epoch whose weights were kept (early stopping), else the last
  bool stopped_early = false;
};

// The hardware a section of the configuration describes, emulated bit-exactly.
HardwareState hardware_from_config(const HardwareConfig& hardware, const TrainConfig& config);

// What the configured method trains on: float for baseline and act, the training hardware (emulate or
// statistic) for pas and axtrain. act and axtrain take the sensitivity term's noise from the training hardware.
HardwareState method_hardware(const TrainConfig& config);

using EpochCallback = std::function<void(const EpochStats&)>;
using BatchCallback = std::function<void(int epoch, int64_t batch, int64_t batches, double loss)>;

// Trains `net` on data.train for config.epochs epochs (seeded shuffling; same seed and threads give the same
// weights). Early stopping on data.validation when config.early_stopping > 0 keeps the best epoch's weights.
TrainHistory train_model(ApproxNet& net, const PreparedData& data, const TrainConfig& config,
                         const EpochCallback& on_epoch = {}, const BatchCallback& on_batch = {});

}  // namespace axtrain
