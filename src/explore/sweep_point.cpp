#include "axtrain/explore/sweep_point.h"

namespace axtrain {

std::string HardwarePoint::label() const {
  if (!layers.empty()) return "layers " + layers;
  return parse_memory(memory).kind == MemorySetting::Kind::kNone ? multiplier : multiplier + " " + memory;
}

ResultRow point_row(const std::string& dataset, Method method, const HardwarePoint& point, int seed) {
  ResultRow row;
  row.dataset = dataset;
  row.method = method;
  row.multiplier = point.multiplier;
  row.memory = point.memory;
  row.layer_assignment = point.layers;
  row.seed = seed;
  return row;
}

std::string hardware_label(const ResultRow& row) {
  return HardwarePoint{row.multiplier, row.memory, row.layer_assignment}.label();
}

std::vector<HardwarePoint> sweep_points(const TrainConfig& config) {
  std::vector<HardwarePoint> points;
  for (const std::string& memory : config.sweep_memories)
    for (const std::string& multiplier : config.sweep_multipliers) points.push_back({multiplier, memory, ""});
  for (const std::string& layers : config.sweep_layers) points.push_back({"", "", layers});
  return points;
}

}  // namespace axtrain
