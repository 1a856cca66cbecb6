// The training loop for the four methods of SPEC 2.6: baseline, pas (AxTrain-pas), act (AxTrain-act) and
// axtrain (both).
#pragma once

#include "axtrain/config/hardware.h"
#include "axtrain/config/train_config.h"
#include "axtrain/train/hardware_state.h"
#include "axtrain/train/history.h"
#include "axtrain/train/models.h"
#include "axtrain/train/tensor_data.h"

#include <functional>

namespace axtrain {

// The hardware of a resolved section, emulated bit-exactly, with the configuration's quantisation and noise
// options.
HardwareState hardware_state(const ResolvedHardware& hardware, const TrainConfig& config);

// What the configured method trains on: float for baseline and act, the training hardware (emulate or
// statistic) for pas and axtrain.
HardwareState method_hardware(const ResolvedHardware& train_hardware, const TrainConfig& config);

using EpochCallback = std::function<void(const EpochStats&)>;
using BatchCallback = std::function<void(int epoch, int64_t batch, int64_t batches, double loss)>;

// How a caller follows a training run, keeps it resumable and stops it.
struct TrainControl {
  EpochCallback on_epoch;  // after every epoch
  BatchCallback on_batch;  // after every step
  // Receives the run's whole state (training_state.h) after every epoch and before stopping on request.
  std::function<void(const std::string& state)> save_state;
  // A state that save_state received in a run of the same configuration and data: training continues from it.
  std::string resume_from;
  std::string resume_origin;  // names resume_from in messages (its file)
  // Polled after every step; true ends the run there, after save_state (TrainHistory::interrupted).
  std::function<bool()> stop_requested;
};

// Trains `net` on data.train for config.epochs epochs on `train_hardware` (config.hardware_train, resolved;
// act and axtrain take the sensitivity term's noise from it). Seeded shuffling: the same seed and threads give
// the same weights, also across a stop and a resume. Early stopping on data.validation when
// config.early_stopping > 0 keeps the best epoch's weights.
TrainHistory train_model(ApproxNet& net, const PreparedData& data, const TrainConfig& config,
                         const ResolvedHardware& train_hardware, const TrainControl& control = {});

}  // namespace axtrain
