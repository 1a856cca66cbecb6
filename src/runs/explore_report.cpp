#include "axtrain/runs/explore_report.h"

#include "axtrain/explore/sweep_point.h"
#include "axtrain/runs/tradeoff_plot.h"
#include "axtrain/runs/verdicts.h"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <numeric>
#include <set>

namespace axtrain {
namespace {

// A row's Monte Carlo interval with its trials, or "-" where the hardware is deterministic (one trial).
std::string ci_text(const ResultRow& r) {
  return r.trials > 1 ? fmt::format("{:.4f} ({})", r.error_hw_ci95, r.trials) : "-";
}

std::string best_table(const ExploreResult& result) {
  std::string md =
      "| method | seed | reference error | best under budget | error | +- ci95 (trials) | energy (nJ) | saving vs "
      "exact at nominal V |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const MethodAnalysis& m : result.analysis.methods) {
    const auto& best = m.best_under_budget;
    md += fmt::format("| {} | {} | {:.4f} | {} | {} | {} | {} | {} |\n", name_of(m.method), m.seed, m.reference_error,
                      best ? best->hardware : "none within budget", best ? fmt::format("{:.4f}", best->error_hw) : "-",
                      best ? ci_text(result.rows[best->row]) : "-",
                      best ? fmt::format("{:.2f}", best->energy_pj / 1000) : "-",
                      best ? fmt::format("{:.1f} %", 100 * best->energy_saving) : "-");
  }
  return md;
}

// The budget line of the overall answer: the mean over the seeds of their reference error, plus the budget.
ReferenceLine budget_line(const ExploreResult& result) {
  std::map<int, double> reference;  // seed -> its reference error
  for (const MethodAnalysis& m : result.analysis.methods) reference[m.seed] = m.reference_error;
  double sum = 0;
  for (const auto& [seed, error] : reference) sum += error;
  const double mean = reference.empty() ? 0.0 : sum / static_cast<double>(reference.size());
  return {mean + result.budget,
          fmt::format("error budget {:.4f} (reference {:.4f} + {:.4f})", mean + result.budget, mean, result.budget)};
}

std::string all_rows_table(const std::vector<ResultRow>& rows) {
  std::string table =
      "| method | seed | trained for | hardware | error exact | error hw | +- ci95 (trials) | sensitivity | energy "
      "(nJ) | saving vs exact at nominal V |\n|---|---|---|---|---|---|---|---|---|---|\n";
  for (const ResultRow& r : rows)
    table += fmt::format("| {} | {} | {} | {} | {:.4f} | {:.4f} | {} | {:.3g} | {:.2f} | {:.1f} % |\n",
                         name_of(r.method), r.seed, r.trained_for, hardware_label(r), r.error_exact, r.error_hw,
                         ci_text(r), r.sensitivity_mean, r.energy_pj / 1000, 100 * r.energy_saving);
  return table;
}

}  // namespace

std::vector<ReportSection> explore_report(const ExploreResult& result) {
  PlotSpec pareto = tradeoff_plot(result.dataset + ": error vs energy per inference (Pareto fronts per method)");
  std::map<Method, std::vector<std::size_t>> by_method;  // every seed's rows; the front is of their means
  std::set<int> seeds;
  for (const MethodAnalysis& m : result.analysis.methods) {
    by_method[m.method].insert(by_method[m.method].end(), m.rows.begin(), m.rows.end());
    seeds.insert(m.seed);
  }
  for (const auto& [method, rows] : by_method)
    add_tradeoff_series(pareto, std::string(name_of(method)), result.rows, rows, hardware_label);
  if (!by_method.empty()) pareto.hlines = {budget_line(result)};
  std::vector<std::size_t> all(result.rows.size());
  std::iota(all.begin(), all.end(), std::size_t{0});
  int max_trials = 1;
  for (const ResultRow& r : result.rows) max_trials = std::max(max_trials, r.trials);
  std::vector<ReportSection> sections;
  sections.push_back({"Best configuration under the budget",
                      fmt::format("Budget: approximation-induced error <= {:.4f} above the equal-budget baseline's "
                                  "exact error (SPEC 2.8).\n\n{}\n\n{}\n\n{}",
                                  result.budget, overall_verdict(result.analysis),
                                  most_accurate_sentence(result.rows, all, "hardware point"), best_table(result)),
                      "", ""});
  sections.push_back(
      {"Error vs energy",
       fmt::format("Every evaluated point ({} rows, {} seed{}), each hardware-aware model on the hardware it was "
                   "trained for, the baseline on every point; "
                   "staircases are each method's Pareto front over its configurations' means across the seeds; "
                   "dashed: the budget (mean reference error + {:.4f}). Bars: 95 % CI over {} Monte Carlo trials "
                   "where the hardware is random (memory faults).",
                   result.rows.size(), seeds.size(), seeds.size() == 1 ? "" : "s", result.budget, max_trials),
       render_plot(pareto), "pareto.svg"});
  sections.push_back({"All points", all_rows_table(result.rows), "", ""});
  return sections;
}

}  // namespace axtrain
