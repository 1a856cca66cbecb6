// `axtrain reproduce`: the paper's experiment (SPEC 2.8). Methods baseline, act, pas and axtrain; hardware
// K1, K2, K3 and an NTV voltage sweep; on Fashion-MNIST (MLP 784-256-256-10) and the regression kernels
// inversek2j and blackscholes. Every hardware-aware model fine-tunes the same trained baseline for the same
// number of epochs as the reference baseline (equal training budget).
#pragma once

#include "axtrain/explore/result_log.h"
#include "axtrain/util/progress.h"

#include <nlohmann/json.hpp>

#include <array>
#include <cstddef>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

// full: the paper-sized run; quick: minutes on two cores; tiny: seconds, on a few thousand samples, for tests
// and smoke checks (its numbers mean little). docs/reproduce.md gives each profile's settings.
enum class ReproduceProfile { kFull, kQuick, kTiny };
inline constexpr std::array<std::string_view, 3> kReproduceProfileNames = {"full", "quick", "tiny"};
constexpr std::span<const std::string_view> choice_names(ReproduceProfile) {
  return kReproduceProfileNames;
}

struct ReproduceOptions {
  ReproduceProfile profile = ReproduceProfile::kFull;
  std::string out = "runs/reproduce";
  int threads = 2;
  int seed = 1;
};

// The paper's numbers (K1, K2, K3): AxTrain-act's sensitivity reduction and AxTrain's error reduction.
inline constexpr double kPaperSensitivityReduction[3] = {0.4077, 0.3456, 0.2515};
inline constexpr double kPaperErrorReduction[3] = {0.7561, 0.5845, 0.3766};

// One line of the paper's table for one dataset and multiplier: reductions against the equal-budget baseline
// on the same hardware (SPEC 2.8); a reduction is missing when its row is.
struct ReproduceSummaryRow {
  std::string dataset;
  std::string hardware;  // K1 | K2 | K3
  double baseline_error_exact = 0;
  double baseline_error_hw = 0;
  double energy_pj = 0;  // the baseline row's energy per inference on this multiplier (nominal voltage)
  double baseline_sensitivity = 0;
  double paper_sensitivity_reduction_act = 0;
  double paper_error_reduction_axtrain = 0;
  std::optional<double> sensitivity_reduction_act;
  std::optional<double> error_reduction_pas, error_reduction_act, error_reduction_axtrain;
  // The honest comparators: the baseline with its multiplier's mean error compensated in the bias (a free
  // calibration, no training), each method's reduction of the approximation-induced error against the better
  // of that and the plain baseline (the calibration can raise the error), and each method's cost on exact
  // hardware (its exact error minus the baseline's). Indexed pas, act, axtrain.
  std::optional<double> baseline_error_hw_compensated;
  std::array<std::optional<double>, 3> error_hw, error_reduction_vs_compensated, exact_cost;
};

// results.json of a reproduction.
struct ReproduceResult {
  ReproduceProfile profile = ReproduceProfile::kFull;
  std::size_t resumed_points = 0;
  std::vector<ResultRow> rows;
  std::vector<ReproduceSummaryRow> summary;
  nlohmann::json to_json() const;  // rows (each with its hardware label), summary, paper
};

// The summary rows of a reproduction's rows: per dataset and K1-K3, the baseline's and each method's errors
// and reductions (rows of missing points are skipped; a dataset without a baseline row on a preset has no line).
std::vector<ReproduceSummaryRow> summarise_reproduction(std::span<const ResultRow> rows);

// The summary as a Markdown table beside the paper's numbers, with the absolute errors and the energy beside
// the reductions (the report and the CLI print it; reproduce_report.cpp).
std::string reproduce_table(std::span<const ReproduceSummaryRow> summary);

// Runs (or resumes: finished points and trained models are reused) and writes OUT/results.json (rows,
// summary, paper), results.csv, results.jsonl, report.md and report.html.
ReproduceResult run_reproduce(const ReproduceOptions& options, const Progress& progress);

}  // namespace axtrain
