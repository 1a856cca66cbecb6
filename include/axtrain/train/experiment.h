// The pieces `axtrain explore` and `axtrain reproduce` share: hardware points, a store of trained models
// that survives interruption, and the evaluation of one model on one hardware point as a result row.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/explore/network_energy.h"
#include "axtrain/explore/result_log.h"
#include "axtrain/hw/energy.h"
#include "axtrain/train/models.h"
#include "axtrain/train/run.h"
#include "axtrain/train/tensor_data.h"

#include <map>
#include <memory>
#include <string>
#include <vector>

namespace axtrain {

// One evaluation hardware: a multiplier and memory setting for every layer, or a per-layer assignment.
struct HardwarePoint {
  std::string multiplier = "exact";
  std::string memory = "none";
  std::string layers;  // "" or a per-layer assignment "MUL@MEM;..." (then multiplier/memory are unused)
  std::string label() const;  // e.g. "K3 0.6V" or "layers K3@0.6V;K1@none;exact@none"
};

// The identity fields of the row for `method` evaluated on `point` (what ResultRow::key() is made of).
ResultRow point_row(const std::string& dataset, const std::string& method, const HardwarePoint& point, int seed);

// A row's hardware for people: "K3", "K3 0.6V" or "layers K3@0.6V;exact@none" (as HardwarePoint::label).
std::string hardware_label(const ResultRow& row);

// sweep_multipliers x sweep_memories, then each sweep_layers entry.
std::vector<HardwarePoint> sweep_points(const TrainConfig& config);

// SRAM voltage a memory setting implies for energy: its voltage, the curve's voltage for a BER inside the
// curve, else the nominal voltage.
double memory_voltage(const std::string& memory, const EnergyParams& params);

// The architecture of the configured network, for energy.
NetworkShape network_shape(const TrainConfig& config, const PreparedData& data);

// Trained models of a sweep, kept as checkpoints under DIR so that an interrupted sweep reloads instead of
// retraining. A baseline is trained from scratch for config.epochs; every method (baseline included, as the
// equal-budget reference) then fine-tunes it for config.finetune_epochs on the given training hardware.
class ModelStore {
 public:
  ModelStore(std::string dir, const PreparedData& data, TrainConfig base, const Progress& progress);
  std::shared_ptr<ApproxNet> baseline(int seed);
  std::shared_ptr<ApproxNet> model(const std::string& method, const HardwareConfig& train_hardware, int seed);

 private:
  std::shared_ptr<ApproxNet> load_or_train(const std::string& name, TrainConfig config);
  std::string dir_;
  const PreparedData& data_;
  TrainConfig base_;
  const Progress& progress_;
};

// Evaluates `net` on one hardware point: exact error, error on the point (trials when stochastic),
// sensitivity under the point's noise (all-layer points), energy per inference and its saving against the
// exact multiplier at nominal voltage.
ResultRow evaluate_point(ApproxNet& net, const PreparedData& data, const TrainConfig& config,
                         const HardwarePoint& point, const std::string& method, int seed,
                         const EnergyParams& energy);

}  // namespace axtrain
