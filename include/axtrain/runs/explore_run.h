// `axtrain explore`: every method trained once per seed, evaluated on every hardware point of the sweep,
// with energy, the accuracy-energy Pareto front and the best configuration under an error budget.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/explore/result_log.h"
#include "axtrain/explore/sweep_analysis.h"
#include "axtrain/util/progress.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <string>
#include <vector>

namespace axtrain {

// results.json of an exploration.
struct ExploreResult {
  std::string dataset;
  double budget = 0;
  std::size_t resumed_points = 0;  // rows found in results.jsonl when the run started
  std::size_t points = 0;          // hardware points of the sweep
  std::vector<ResultRow> rows;
  SweepAnalysis analysis;
  nlohmann::json to_json() const;
};

// Runs (or resumes) the sweep into config.out ("" = runs/explore-<dataset>): models/ (checkpoints),
// results.jsonl (finished points, appended as they finish), results.json, results.csv, report.md/.html.
ExploreResult run_explore(const TrainConfig& config, const Progress& progress);

}  // namespace axtrain
