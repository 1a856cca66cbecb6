// What training did, epoch by epoch, and its history.csv form.
#pragma once

#include <string>
#include <vector>

namespace axtrain {

struct EpochStats {
  int epoch = 0;                 // 1-based
  double loss = 0;               // mean training loss (without the regulariser)
  double regulariser = 0;        // mean R over the epoch's batches (0 unless act/axtrain)
  double train_error = 0;        // on the training hardware, measured on the fly
  double validation_error = -1;  // on the training hardware; -1 without a validation split
  double lr = 0;
  double seconds = 0;
};

struct TrainHistory {
  std::vector<EpochStats> epochs;
  double seconds = 0;  // wall time of the whole loop
  int best_epoch = 0;  // the epoch whose weights were kept (early stopping), else the last
  bool stopped_early = false;
  bool interrupted = false;  // stopped on request (TrainControl::stop_requested) before the last epoch ended
};

// history.csv: a header, then one line per epoch (epoch, loss, regulariser, train_error, validation_error, lr,
// seconds), numbers with 6 significant digits (seconds with 4 decimals).
std::string history_csv(const TrainHistory& history);

// Reads history_csv's text back (epochs only; the totals are not in the file). Throws axtrain::Error naming
// `origin` and the line for a malformed file.
TrainHistory parse_history_csv(const std::string& text, const std::string& origin);

}  // namespace axtrain
