#include "axtrain/explore/sweep_analysis.h"

#include "axtrain/explore/pareto.h"
#include "axtrain/explore/sweep_point.h"
#include "axtrain/util/statistics.h"

#include <cmath>
#include <map>
#include <utility>

namespace axtrain {

nlohmann::json SweepAnalysis::to_json() const {
  nlohmann::json groups = nlohmann::json::array();
  for (const MethodAnalysis& m : methods) {
    nlohmann::json best;
    if (m.best_under_budget) {
      const BestPoint& b = *m.best_under_budget;
      best = {{"row", b.row},
              {"hardware", b.hardware},
              {"error_hw", b.error_hw},
              {"energy_pj", b.energy_pj},
              {"energy_saving", b.energy_saving}};
    }
    groups.push_back({{"method", name_of(m.method)},
                      {"seed", m.seed},
                      {"reference_error", m.reference_error},
                      {"rows", m.rows},
                      {"pareto", m.pareto},
                      {"best_under_budget", best}});
  }
  nlohmann::json overall;
  if (overall_best) {
    const OverallBest& b = *overall_best;
    overall = {{"method", name_of(b.method)},
               {"hardware", b.hardware},
               {"rows", b.rows},
               {"error_hw", b.error_hw},
               {"ci95", b.ci95},
               {"reference_error", b.reference_error},
               {"energy_pj", b.energy_pj},
               {"energy_saving", b.energy_saving}};
  }
  return {{"budget", budget}, {"methods", groups}, {"overall_best", overall}};
}

std::vector<ConfigurationMean> configuration_means(std::span<const ResultRow> rows,
                                                   std::span<const std::size_t> indices) {
  std::vector<ConfigurationMean> out;
  std::map<std::pair<std::string_view, std::string>, std::size_t> group_of;  // (method, hardware) -> index in out
  for (std::size_t i : indices) {
    const auto [it, added] = group_of.try_emplace({name_of(rows[i].method), hardware_label(rows[i])}, out.size());
    if (added) out.push_back({rows[i].method, it->first.second, {}, 0, 0, 0});
    out[it->second].rows.push_back(i);
  }
  for (ConfigurationMean& m : out) {
    const auto n = static_cast<double>(m.rows.size());
    for (std::size_t i : m.rows) {
      m.error_hw += rows[i].error_hw / n;
      m.energy_pj += rows[i].energy_pj / n;
      m.energy_saving += rows[i].energy_saving / n;
    }
  }
  return out;
}

namespace {

std::optional<OverallBest> find_overall_best(std::span<const ResultRow> rows, const std::map<int, double>& reference,
                                             double budget) {
  std::vector<std::size_t> judged;  // the rows of seeds with a reference
  for (std::size_t i = 0; i < rows.size(); ++i)
    if (reference.contains(rows[i].seed)) judged.push_back(i);
  std::vector<OverallBest> candidates;
  std::vector<TradeoffPoint> points;
  for (const ConfigurationMean& m : configuration_means(rows, judged)) {
    OverallBest c{m.method, m.hardware, m.rows, m.error_hw, 0, 0, m.energy_pj, m.energy_saving};
    const auto n = static_cast<double>(c.rows.size());
    double sum_sq = 0;
    for (std::size_t i : c.rows) {
      c.reference_error += reference.at(rows[i].seed) / n;
      sum_sq += (rows[i].error_hw - c.error_hw) * (rows[i].error_hw - c.error_hw);
    }
    c.ci95 = c.rows.size() == 1 ? rows[c.rows.front()].error_hw_ci95
                                : ci95_half_width(std::sqrt(sum_sq / (n - 1)), static_cast<int>(c.rows.size()));
    points.push_back({c.energy_pj, c.error_hw - c.reference_error});
    candidates.push_back(std::move(c));
  }
  const auto best = best_under_budget(points, 0, budget);
  if (!best) return std::nullopt;
  return candidates[*best];
}

}  // namespace

SweepAnalysis analyse_rows(std::span<const ResultRow> rows, double budget) {
  SweepAnalysis analysis;
  analysis.budget = budget;
  std::map<int, double> reference;  // seed -> the reference baseline's exact error
  for (const ResultRow& r : rows)
    if (r.method == Method::kBaseline) reference[r.seed] = r.error_exact;
  std::map<std::pair<std::string_view, int>, std::vector<std::size_t>> groups;  // ordered by method name
  for (std::size_t i = 0; i < rows.size(); ++i) groups[{name_of(rows[i].method), rows[i].seed}].push_back(i);
  for (const auto& [group, indices] : groups) {
    if (!reference.contains(group.second)) continue;
    MethodAnalysis m;
    m.method = rows[indices.front()].method;
    m.seed = group.second;
    m.reference_error = reference.at(group.second);
    m.rows = indices;
    std::vector<TradeoffPoint> points;
    for (std::size_t i : indices) points.push_back({rows[i].energy_pj, rows[i].error_hw});
    for (std::size_t k : pareto_front(points)) m.pareto.push_back(indices[k]);
    if (const auto best = best_under_budget(points, m.reference_error, budget)) {
      const ResultRow& r = rows[indices[*best]];
      m.best_under_budget = BestPoint{indices[*best], hardware_label(r), r.error_hw, r.energy_pj, r.energy_saving};
    }
    analysis.methods.push_back(std::move(m));
  }
  analysis.overall_best = find_overall_best(rows, reference, budget);
  return analysis;
}

}  // namespace axtrain
