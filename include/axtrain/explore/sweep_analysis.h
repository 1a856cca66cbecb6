// The analysis of a sweep's finished rows, per method and seed: the Pareto front (energy, error_hw) and the
// lowest-energy point within an error budget of the equal-budget reference (SPEC 2.8).
#pragma once

#include "axtrain/config/choices.h"
#include "axtrain/explore/result_log.h"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <vector>

namespace axtrain {

struct BestPoint {
  std::size_t row = 0;   // index into the analysed rows
  std::string hardware;  // hardware_label of that row
  double error_hw = 0;
  double energy_pj = 0;
  double energy_saving = 0;
};

struct MethodAnalysis {
  Method method = Method::kBaseline;
  int seed = 0;
  double reference_error = 0;       // the reference baseline's exact error of the same seed
  std::vector<std::size_t> rows;    // this group's rows (indices)
  std::vector<std::size_t> pareto;  // its Pareto front (indices), by energy ascending
  std::optional<BestPoint> best_under_budget;
};

// The architect's answer: the one configuration (method x hardware) of lowest energy within the budget.
struct OverallBest {
  Method method = Method::kBaseline;
  std::string hardware;           // hardware_label of its rows
  std::vector<std::size_t> rows;  // its rows, one per seed
  double error_hw = 0;            // mean over the seeds
  double ci95 = 0;                // one seed: the row's Monte Carlo interval; more: Student's t over the seeds
  double reference_error = 0;     // mean over the same seeds of the reference baseline's exact error
  double energy_pj = 0;
  double energy_saving = 0;
};

struct SweepAnalysis {
  double budget = 0;
  std::vector<MethodAnalysis> methods;      // ordered by (method name, seed)
  std::optional<OverallBest> overall_best;  // none when no configuration meets the budget
  nlohmann::json to_json() const;
};

// One configuration (method x hardware label) with its means over its rows, one per seed.
struct ConfigurationMean {
  Method method = Method::kBaseline;
  std::string hardware;           // hardware_label of its rows
  std::vector<std::size_t> rows;  // indices into the rows given, in row order
  double error_hw = 0, energy_pj = 0, energy_saving = 0;
};

// rows[i] for every i in `indices`, grouped by (method, hardware label), in the order each configuration first
// appears, with the mean of each group's error_hw, energy_pj and energy_saving.
std::vector<ConfigurationMean> configuration_means(std::span<const ResultRow> rows,
                                                   std::span<const std::size_t> indices);

// Groups the rows by (method, seed). The reference of a seed is the baseline's exact error; groups of a seed
// without a baseline row are skipped. Best under budget: the lowest-energy row whose error_hw - reference <=
// budget (best_under_budget in pareto.h). Overall best: rows grouped by (method, hardware label) over the seeds
// that have a reference; a group qualifies when the mean over its seeds of error_hw - reference is within the
// budget; the lowest mean energy wins, ties to the lower excess error, then the earlier group in row order.
SweepAnalysis analyse_rows(std::span<const ResultRow> rows, double budget);

}  // namespace axtrain
