// Measuring a trained model: its error on a hardware configuration (Monte Carlo over stochastic faults)
// and the sensitivity of its weights (SPEC 2.7, 2.8).
#pragma once

#include "axtrain/data/dataset.h"
#include "axtrain/train/hardware_state.h"
#include "axtrain/train/models.h"
#include "axtrain/train/tensor_data.h"

#include <vector>

namespace axtrain {

// The error of a model's outputs summed over batches (SPEC 2.8). Classification: wrong predictions over rows.
// Regression: |output - target| over every target value (targets scaled to the training range).
class ErrorTally {
 public:
  explicit ErrorTally(Task task, double wrong = 0, double count = 0) : task_(task), wrong_(wrong), count_(count) {}
  void add(const torch::Tensor& output, const torch::Tensor& target);  // one batch, no gradient needed
  double value() const { return wrong_ / count_; }
  double wrong() const { return wrong_; }  // the two sums, to continue a tally (TrainingState)
  double count() const { return count_; }

 private:
  Task task_;
  double wrong_ = 0, count_ = 0;
};

// Classification: error rate (1 - accuracy). Regression: mean absolute error of the outputs scaled to the
// training targets' range, i.e. the mean relative error with respect to that range.
double model_error(ApproxNet& net, const TensorData& data, Task task, int64_t batch_size);

// The error on `hw`, evaluated `trials` times when the hardware is stochastic (memory faults; each trial is
// replayable from hw.seed and its index) and once otherwise.
struct TrialStats {
  double mean = 0;
  double std = 0;   // sample standard deviation over trials (0 for one trial)
  double ci95 = 0;  // half-width of the 95 % confidence interval of the mean (Student t)
  int trials = 0;
  std::vector<double> values;
};
TrialStats hardware_error(ApproxNet& net, const TensorData& data, Task task, HardwareState hw, int trials,
                          int64_t batch_size);
// The same with one hardware per approximate layer (a per-layer assignment); stochastic if any layer is.
TrialStats hardware_error(ApproxNet& net, const TensorData& data, Task task,
                          const std::vector<HardwareState>& per_layer, int trials, int64_t batch_size);

// Calibrates every layer's per-output bias compensation for the multiplier of `hw` on up to `samples` rows of
// `data` (memory faults off: the correction targets the multiplier's deterministic mean error). Afterwards a
// HardwareState with compensate_bias = true runs compensated.
void calibrate_bias(ApproxNet& net, const TensorData& data, Task task, HardwareState hw, int64_t samples,
                    int64_t batch_size);
// The error on `hw` with the bias compensated (the free comparator of an approximate multiplier): calibrates on
// the first kBiasCalibrationSamples rows of `calibration`, then evaluates `test` as hardware_error does.
inline constexpr int64_t kBiasCalibrationSamples = 2048;
TrialStats bias_compensated_error(ApproxNet& net, const TensorData& calibration, const TensorData& test, Task task,
                                  const HardwareState& hw, int trials, int64_t batch_size);

// Mean sensitivity S_ij over every weight, and per layer, on `data` under the noise of `target`
// (batch estimates of E_x averaged over the batches).
struct SensitivityStats {
  double mean = 0;
  std::vector<double> per_layer;
  std::vector<double> sample;  // up to 4096 per-weight values for histograms (evenly strided)
};
SensitivityStats measure_sensitivity(ApproxNet& net, const TensorData& data, Task task, const HardwareState& target,
                                     int64_t batch_size);

// Per-sample losses summed over the batch (cross-entropy or squared error): the loss whose gradient with
// respect to a layer output is the per-sample delta of SPEC 2.7.
torch::Tensor summed_sample_loss(const torch::Tensor& output, const torch::Tensor& target, Task task);

}  // namespace axtrain
