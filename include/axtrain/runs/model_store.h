// The pieces `axtrain explore` and `axtrain reproduce` share: a store of trained models that survives
// interruption, and the evaluation of one model on one hardware point as a result row.
#pragma once

#include "axtrain/config/hardware.h"
#include "axtrain/config/train_config.h"
#include "axtrain/explore/result_log.h"
#include "axtrain/explore/sweep_point.h"
#include "axtrain/hw/energy.h"
#include "axtrain/train/history.h"
#include "axtrain/train/models.h"
#include "axtrain/train/tensor_data.h"
#include "axtrain/util/progress.h"

#include <memory>
#include <string>

namespace axtrain {

// A trained model and how its training went.
struct StoredModel {
  std::shared_ptr<ApproxNet> net;
  TrainHistory history;  // epochs only when the model was reloaded from the store
};

// One model of a store: its file stem, the configuration that trains it, and what determines it.
struct ModelPlan {
  std::string name;         // file stem under the store's folder; ends in the fingerprint
  TrainConfig config;       // what trains it; a fine-tune's init is the baseline's checkpoint
  std::string fingerprint;  // training_fingerprint (config/fingerprints.h), the baseline's included
  std::string trained_for;  // "reference" for a baseline, else the training hardware's label ("K3 0.6V")
};

// The baseline a sweep trains from scratch for base.epochs with `seed`.
ModelPlan baseline_plan(const TrainConfig& base, int seed);
// `method` fine-tuning that baseline for base.finetune_epochs on `train_hardware`, in a store under `dir`.
ModelPlan model_plan(const TrainConfig& base, const std::string& dir, Method method,
                     const HardwareConfig& train_hardware, int seed);

// Trained models of a sweep, kept as checkpoints (NAME.pt, NAME.history.csv) under DIR so that an interrupted
// sweep reloads instead of retraining. NAME carries the model's fingerprint: a rerun with other settings trains
// new models beside the old ones and never loads a model of another configuration. A baseline is trained from
// scratch for config.epochs; every method (baseline included, as the equal-budget reference) then fine-tunes
// it for config.finetune_epochs on the given training hardware.
class ModelStore {
 public:
  ModelStore(std::string dir, const PreparedData& data, TrainConfig base, HardwareResolver& resolver,
             const Progress& progress);
  ModelPlan baseline_plan(int seed) const { return axtrain::baseline_plan(base_, seed); }
  ModelPlan plan(Method method, const HardwareConfig& train_hardware, int seed) const {
    return model_plan(base_, dir_, method, train_hardware, seed);
  }
  // Loads the planned model, or trains it (a fine-tune's baseline first).
  StoredModel model(const ModelPlan& plan);
  StoredModel baseline(int seed) { return model(baseline_plan(seed)); }
  StoredModel model(Method method, const HardwareConfig& train_hardware, int seed) {
    return model(plan(method, train_hardware, seed));
  }

 private:
  StoredModel load_or_train(const ModelPlan& plan);
  std::string dir_;
  const PreparedData& data_;
  TrainConfig base_;
  HardwareResolver& resolver_;
  const Progress& progress_;
};

// The hardware of one point for `method`'s model: config.hardware_train with the point's multiplier and
// memory, or config.hardware_train itself for a per-layer point or with sweep_train = fixed.
HardwareConfig training_hardware_for(const TrainConfig& config, const HardwarePoint& point);

// The fingerprint of the row `model` gives on `point`: the model's, the point's evaluation hardware and its
// files, trials, batch size, the energy parameters and the row format.
std::string row_fingerprint(const ModelPlan& model, const TrainConfig& config, const HardwarePoint& point,
                            const EnergyParams& energy);

// Evaluates `net` on one hardware point: exact error, error on the point (trials when stochastic),
// sensitivity under the point's noise (all-layer points), energy per inference and its saving against the
// exact multiplier at nominal voltage. The point's sections are config.hardware_eval with the point's
// multiplier and memory. With config.bias_compensation (an all-layer point) it also calibrates the bias
// compensation on kBiasCalibrationSamples training rows and records error_hw_compensated. The row's
// trained_for and fingerprint are left to the caller.
ResultRow evaluate_point(ApproxNet& net, const PreparedData& data, const TrainConfig& config,
                         const HardwarePoint& point, Method method, int seed, const EnergyParams& energy,
                         HardwareResolver& resolver);

}  // namespace axtrain
