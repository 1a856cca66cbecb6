#include "axtrain/runs/verdicts.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

namespace axtrain {

std::string most_accurate_sentence(std::span<const ResultRow> rows, std::span<const std::size_t> indices,
                                   const std::string& point) {
  std::vector<std::string> points;                                 // in row order
  std::map<std::string, std::vector<ConfigurationMean>> at_point;  // hardware label -> its methods' means
  for (ConfigurationMean& c : configuration_means(rows, indices)) {
    if (!at_point.contains(c.hardware)) points.push_back(c.hardware);
    at_point[c.hardware].push_back(std::move(c));
  }
  if (points.empty()) return "";
  std::map<std::string, std::vector<std::string>> wins;  // method -> the points it wins
  for (const std::string& p : points) {
    const ConfigurationMean* best = nullptr;  // a tie goes to the method first by name
    for (const ConfigurationMean& c : at_point.at(p))
      if (!best || c.error_hw < best->error_hw ||
          (c.error_hw == best->error_hw && name_of(c.method) < name_of(best->method)))
        best = &c;
    wins[std::string(name_of(best->method))].push_back(p);
  }
  std::vector<std::pair<std::string, std::vector<std::string>>> ranked(wins.begin(), wins.end());
  std::stable_sort(ranked.begin(), ranked.end(),
                   [](const auto& a, const auto& b) { return a.second.size() > b.second.size(); });
  if (ranked.size() == 1)
    return fmt::format("At every {} ({}), the most accurate model is {}.", point, points.size(), ranked[0].first);
  std::string text = "The most accurate model is ";
  for (std::size_t k = 0; k < ranked.size(); ++k) {
    const auto& [method, won] = ranked[k];
    text += k == 0
                ? fmt::format("{} at {} of {} {}s ({})", method, won.size(), points.size(), point, fmt::join(won, ", "))
                : fmt::format("{}{} at {} ({})", k + 1 == ranked.size() ? " and " : ", ", method, won.size(),
                              fmt::join(won, ", "));
  }
  return text + ".";
}

std::string overall_verdict(const SweepAnalysis& analysis) {
  if (!analysis.overall_best) return "**No configuration meets the budget.**";
  const OverallBest& b = *analysis.overall_best;
  return fmt::format(
      "**Best overall: {} on {}**: error {:.4f} +- {:.4f} (95 % CI; reference {:.4f}), {:.2f} nJ per inference, "
      "{:.1f} % less energy than the exact multiplier at nominal voltage.",
      name_of(b.method), b.hardware, b.error_hw, b.ci95, b.reference_error, b.energy_pj / 1000, 100 * b.energy_saving);
}

}  // namespace axtrain
