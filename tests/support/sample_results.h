// Sample results of explore and reproduce, shaped like real ones, for tests of their reports.
#pragma once

#include "axtrain/explore/sweep_analysis.h"
#include "axtrain/runs/explore_run.h"
#include "axtrain/runs/reproduce.h"
#include "axtrain/runs/reproduce_report.h"

#include <cmath>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace axtrain::test {

// One row of a sample sweep: an error that grows with the multiplier's and the memory's faults, less for the
// hardware-aware methods; a 95 % CI on the random (memory) points only, as evaluation gives.
inline ResultRow sample_row(const std::string& dataset, Method method, int seed, const std::string& multiplier,
                            const std::string& memory, double reference) {
  static const std::map<std::string, double> kMultiplierPenalty = {
      {"exact", 0}, {"K1", 0.008}, {"K2", 0.02}, {"K3", 0.045}};
  static const std::map<std::string, std::pair<double, double>> kMemory = {
      // voltage, penalty
      {"none", {0.9, 0}},     {"0.7V", {0.7, 0.002}},  {"0.65V", {0.65, 0.006}},
      {"0.6V", {0.6, 0.015}}, {"0.55V", {0.55, 0.04}}, {"0.5V", {0.5, 0.09}}};
  static const std::map<Method, double> kKept = {
      {Method::kBaseline, 1.0}, {Method::kPas, 0.45}, {Method::kAct, 0.7}, {Method::kAxtrain, 0.35}};
  const auto [voltage, memory_penalty] = kMemory.at(memory);
  ResultRow r;
  r.dataset = dataset;
  r.method = method;
  r.multiplier = multiplier;
  r.memory = memory;
  r.seed = seed;
  r.voltage = voltage;
  r.error_exact = reference + (method == Method::kBaseline ? 0 : 0.01);
  r.error_hw = r.error_exact + kKept.at(method) * (kMultiplierPenalty.at(multiplier) + memory_penalty);
  const bool random = memory != "none";
  r.trials = random ? 3 : 1;
  r.error_hw_ci95 = random ? 0.002 + 0.08 * memory_penalty : 0;
  r.error_hw_std = r.error_hw_ci95 / 2.5;
  r.sensitivity_mean = 1e-3 * kKept.at(method);
  const double energy = 724.38e3 * (1 - 0.05 * kMultiplierPenalty.at(multiplier) / 0.045) * (voltage * voltage / 0.81);
  r.energy_pj = energy;
  r.energy_saving = 1 - energy / 724.38e3;
  r.trained_for = method == Method::kBaseline ? "reference" : (multiplier + " " + memory);
  return r;
}

// An exploration of two seeds, four methods, three multipliers and three memories, analysed as explore does.
inline ExploreResult sample_exploration() {
  ExploreResult result;
  result.dataset = "my-data";
  result.budget = 0.02;
  for (int seed : {1, 2})
    for (const Method m : {Method::kBaseline, Method::kPas, Method::kAct, Method::kAxtrain})
      for (const char* memory : {"none", "0.6V", "0.5V"})
        for (const char* multiplier : {"exact", "K1", "K3"})
          result.rows.push_back(sample_row("my-data", m, seed, multiplier, memory, seed == 1 ? 0.12 : 0.126));
  result.points = result.rows.size();
  result.analysis = analyse_rows(result.rows, result.budget);
  return result;
}

// A reproduction's Fashion-MNIST rows: the baseline and each method on K1-K3 and on the voltage sweep.
inline ReproduceResult sample_reproduction() {
  ReproduceResult result;
  result.profile = ReproduceProfile::kQuick;
  const std::vector<Method> methods = {Method::kBaseline, Method::kPas, Method::kAct, Method::kAxtrain};
  for (const Method m : methods)
    for (const char* k : {"K1", "K2", "K3"}) {
      result.rows.push_back(sample_row("fashion-mnist", m, 1, k, "none", 0.115));
      if (m == Method::kBaseline) result.rows.back().error_hw_compensated = result.rows.back().error_hw - 0.004;
      if (m != Method::kBaseline) result.rows.back().trained_for = k;
    }
  for (const Method m : methods)
    for (const char* v : {"0.7V", "0.65V", "0.6V", "0.55V", "0.5V"}) {
      result.rows.push_back(sample_row("fashion-mnist", m, 1, "exact", v, 0.115));
      if (m != Method::kBaseline) result.rows.back().trained_for = "exact 0.5V";
    }
  result.summary = summarise_reproduction(result.rows);
  return result;
}

inline ReproduceFigures sample_figures() {
  ReproduceFigures f{"fashion-mnist", "K3", {{"baseline", {}}, {"act", {}}}, {}, {}};
  for (int i = 1; i <= 300; ++i) {
    f.sensitivity[0].values.push_back(std::pow(10.0, -6.0 + 4.0 * std::fmod(i * 0.618034, 1.0)));
    f.sensitivity[1].values.push_back(std::pow(10.0, -7.0 + 3.0 * std::fmod(i * 0.414214, 1.0)));
  }
  for (int e = 1; e <= 3; ++e) f.baseline.epochs.push_back(EpochStats{e, 0.9 / e, 0, 0.2, -1, 1e-3, 1});
  for (const char* m : {"pas", "act", "axtrain"}) {
    TrainHistory h;
    for (int e = 1; e <= 2; ++e) h.epochs.push_back(EpochStats{e, 0.34 - 0.02 * e, 0, 0.15, -1, 1e-3, 1});
    f.finetuning.emplace_back(m, h);
  }
  return f;
}

}  // namespace axtrain::test
