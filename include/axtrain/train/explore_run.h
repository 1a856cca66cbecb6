// `axtrain explore`: every method trained once per seed, evaluated on every hardware point of the sweep,
// with energy, the accuracy-energy Pareto front and the best configuration under an error budget.
#pragma once

#include "axtrain/config/train_config.h"
#include "axtrain/explore/result_log.h"
#include "axtrain/train/run.h"

#include <nlohmann/json.hpp>

#include <span>
#include <string>

namespace axtrain {

// Runs (or resumes) the sweep into config.out ("" = runs/explore-<dataset>): models/ (checkpoints),
// results.jsonl (finished points, appended as they finish), results.json, results.csv, report.md/.html.
// Returns results.json's content.
nlohmann::json run_explore(const TrainConfig& config, const Progress& progress);

// The analysis of finished rows, per method and seed: Pareto front (energy, error_hw) and the
// lowest-energy point whose error_hw - reference error <= budget, the reference being the equal-budget
// baseline's exact error of the same seed (SPEC 2.8). Rows of other methods without a reference are skipped.
nlohmann::json analyse_rows(std::span<const ResultRow> rows, double budget);

}  // namespace axtrain
