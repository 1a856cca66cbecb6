#include "axtrain/explore/sweep_analysis.h"

#include "axtrain/explore/pareto.h"
#include "axtrain/explore/sweep_point.h"

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
  return {{"budget", budget}, {"methods", groups}};
}

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
  return analysis;
}

}  // namespace axtrain
