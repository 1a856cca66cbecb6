// `axtrain explore`: every hardware-aware method trained for each hardware point it is scored on (or once,
// sweep_train = fixed), the reference baseline once per seed, with energy, the accuracy-energy Pareto front and
// the best configuration under an error budget, per method and overall.
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
  std::size_t resumed_points = 0;  // rows of results.jsonl reused: their fingerprints match this configuration
  std::size_t dropped_rows = 0;    // rows of results.jsonl of another configuration, dropped
  std::size_t points = 0;          // rows of the sweep: seeds x methods x hardware points
  std::vector<ResultRow> rows;
  SweepAnalysis analysis;
  nlohmann::json to_json() const;
};

// Runs (or resumes) the sweep into config.out ("" = runs/explore-<dataset>): models/ (checkpoints),
// results.jsonl (finished points, appended as they finish), results.json, results.csv, report.md/.html.
// A rerun reuses the models and rows whose fingerprints match and drops the rows of another configuration.
ExploreResult run_explore(const TrainConfig& config, const Progress& progress);

}  // namespace axtrain
