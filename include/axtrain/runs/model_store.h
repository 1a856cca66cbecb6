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

// Trained models of a sweep, kept as checkpoints (NAME.pt, NAME.history.csv) under DIR so that an interrupted
// sweep reloads instead of retraining. A baseline is trained from scratch for config.epochs; every method
// (baseline included, as the equal-budget reference) then fine-tunes it for config.finetune_epochs on the given
// training hardware.
class ModelStore {
 public:
  ModelStore(std::string dir, const PreparedData& data, TrainConfig base, HardwareResolver& resolver,
             const Progress& progress);
  StoredModel baseline(int seed);
  StoredModel model(Method method, const HardwareConfig& train_hardware, int seed);

 private:
  StoredModel load_or_train(const std::string& name, const TrainConfig& config);
  std::string dir_;
  const PreparedData& data_;
  TrainConfig base_;
  HardwareResolver& resolver_;
  const Progress& progress_;
};

// Evaluates `net` on one hardware point: exact error, error on the point (trials when stochastic),
// sensitivity under the point's noise (all-layer points), energy per inference and its saving against the
// exact multiplier at nominal voltage. The point's sections are config.hardware_eval with the point's
// multiplier and memory.
ResultRow evaluate_point(ApproxNet& net, const PreparedData& data, const TrainConfig& config,
                         const HardwarePoint& point, Method method, int seed, const EnergyParams& energy,
                         HardwareResolver& resolver);

}  // namespace axtrain
