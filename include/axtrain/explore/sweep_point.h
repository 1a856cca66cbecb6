// The hardware points of a sweep (`axtrain explore`, `axtrain reproduce`) and how rows name them.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/explore/result_log.h"

#include <string>
#include <vector>

namespace axtrain {

// One evaluation hardware: a multiplier and memory setting for every layer, or a per-layer assignment.
struct HardwarePoint {
  std::string multiplier = "exact";
  std::string memory = "none";
  std::string layers;         // "" or a per-layer assignment "MUL@MEM;..." (then multiplier/memory are unused)
  std::string label() const;  // e.g. "K3 0.6V" or "layers K3@0.6V;K1@none;exact@none"
};

// The identity fields of the row for `method` evaluated on `point` (what ResultRow::key() is made of).
ResultRow point_row(const std::string& dataset, Method method, const HardwarePoint& point, int seed);

// A row's hardware for people: "K3", "K3 0.6V" or "layers K3@0.6V;exact@none" (as HardwarePoint::label).
std::string hardware_label(const ResultRow& row);

// sweep_multipliers x sweep_memories, then each sweep_layers entry.
std::vector<HardwarePoint> sweep_points(const TrainConfig& config);

}  // namespace axtrain
