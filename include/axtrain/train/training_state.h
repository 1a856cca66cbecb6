// Where a training run stands, with everything needed to continue it exactly: the model, the optimiser, the
// torch generator, the position (epoch and batch), the epoch's running sums, the hardware's step counter (the
// seed of every fault and noise draw), the history and the early-stopping state. train_model writes one after
// every epoch and when it stops on a signal; a run continued from it ends with the numbers, bit for bit, of a
// run that was never stopped (same seed and threads; test CliResume.*).
#pragma once

#include "axtrain/train/history.h"
#include "axtrain/train/models.h"

#include <torch/optim/optimizer.h>

#include <cstdint>
#include <limits>
#include <string>

namespace axtrain {

struct TrainingState {
  int epoch = 0;           // 0-based epoch in progress; == epochs once training is over
  int64_t next_batch = 0;  // the epoch's first batch not yet run (0: the epoch has not started)
  double loss_sum = 0;     // the epoch's finished batches: sums of the loss and of R,
  double regulariser_sum = 0;
  double error_wrong = 0;  // and the train-error tally (ErrorTally's two sums)
  double error_count = 0;
  double epoch_seconds = 0;  // time spent in the epoch so far, and in training in all (reported only)
  double seconds = 0;
  std::uint64_t hardware_step = 0;                              // HardwareState::step
  TrainHistory history;                                         // the finished epochs
  double best_error = std::numeric_limits<double>::infinity();  // early stopping: the best validation error,
  std::string best_weights;                                     // its weights (serialize_model), "" if none yet,
  int epochs_without_gain = 0;                                  // and the patience used up
  bool finished = false;  // every epoch run, or stopped early: only the ending (best weights) is left
};

// The state with the model's and the optimiser's own state, and torch's default generator, as bytes.
std::string serialize_training_state(ApproxNet& net, torch::optim::Optimizer& optimizer, const TrainingState& state);

// Loads bytes written by serialize_training_state into the model and the optimiser (built as for the run that
// wrote them) and torch's default generator, and returns the state. Throws axtrain::Error naming `origin` for
// bytes that are not a training state or do not fit the model.
TrainingState restore_training_state(ApproxNet& net, torch::optim::Optimizer& optimizer, const std::string& bytes,
                                     const std::string& origin);

// The position alone (epoch, next_batch, finished), without a model: for messages.
TrainingState peek_training_state(const std::string& bytes, const std::string& origin);

}  // namespace axtrain
