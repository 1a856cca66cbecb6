#include "axtrain/train/explore_run.h"

#include "axtrain/explore/pareto.h"
#include "axtrain/report/report.h"
#include "axtrain/report/svg_plot.h"
#include "axtrain/train/experiment.h"
#include "axtrain/util/atomic_file.h"

#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <map>

namespace axtrain {
namespace {

std::string report_table(const nlohmann::json& analysis) {
  std::string md = "| method | seed | reference error | best under budget | error | energy (nJ) | saving |\n"
                   "|---|---|---|---|---|---|---|\n";
  for (const auto& entry : analysis["methods"]) {
    const auto& best = entry["best_under_budget"];
    md += fmt::format("| {} | {} | {:.4f} | {} | {} | {} | {} |\n", entry["method"].get<std::string>(),
                      entry["seed"].get<int>(), entry["reference_error"].get<double>(),
                      best.is_null() ? "none within budget" : best["hardware"].get<std::string>(),
                      best.is_null() ? "-" : fmt::format("{:.4f}", best["error_hw"].get<double>()),
                      best.is_null() ? "-" : fmt::format("{:.2f}", best["energy_pj"].get<double>() / 1000),
                      best.is_null() ? "-" : fmt::format("{:.1f} %", 100 * best["energy_saving"].get<double>()));
  }
  return md;
}

std::vector<ReportSection> explore_report(std::span<const ResultRow> rows, const nlohmann::json& analysis, double budget) {
  PlotSpec pareto;
  pareto.title = "Accuracy vs energy (Pareto fronts per method)";
  pareto.x_label = "energy per inference (nJ)";
  pareto.y_label = "test error on the hardware";
  std::size_t index = 0;
  for (const auto& entry : analysis["methods"]) {
    PlotSeries all, front;
    all.color = front.color = palette_color(index++);  // a method's front in its points' colour
    all.name = entry["method"].get<std::string>() + " seed " + std::to_string(entry["seed"].get<int>());
    all.style = PlotSeries::Style::kMarkers;
    for (std::size_t i : entry["rows"].get<std::vector<std::size_t>>()) {
      all.x.push_back(rows[i].energy_pj / 1000);
      all.y.push_back(rows[i].error_hw);
      all.labels.push_back(hardware_label(rows[i]));
    }
    front.name = "";
    front.style = PlotSeries::Style::kStep;
    for (std::size_t i : entry["pareto"].get<std::vector<std::size_t>>()) {
      front.x.push_back(rows[i].energy_pj / 1000);
      front.y.push_back(rows[i].error_hw);
    }
    pareto.series.push_back(all);
    pareto.series.push_back(front);
  }
  std::vector<ReportSection> sections;
  sections.push_back({"Best configuration under the budget",
                      fmt::format("Budget: approximation-induced error <= {:.4f} above the equal-budget baseline's "
                                  "exact error (SPEC 2.8).\n\n{}", budget, report_table(analysis)),
                      "", ""});
  sections.push_back({"Accuracy vs energy", "Every evaluated point; lines are the Pareto fronts.", render_plot(pareto),
                      "pareto.svg"});
  std::string table = "| method | seed | hardware | error exact | error hw | +- ci95 | sensitivity | energy (nJ) |\n"
                      "|---|---|---|---|---|---|---|---|\n";
  for (const ResultRow& r : rows)
    table += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.3g} | {:.2f} |\n", r.method, r.seed,
                         hardware_label(r), r.error_exact, r.error_hw, r.error_hw_ci95, r.sensitivity_mean,
                         r.energy_pj / 1000);
  sections.push_back({"All points", table, "", ""});
  return sections;
}

}  // namespace

nlohmann::json analyse_rows(std::span<const ResultRow> rows, double budget) {
  nlohmann::json methods = nlohmann::json::array();
  std::map<std::uint64_t, double> reference;  // seed -> the reference baseline's exact error
  for (const ResultRow& r : rows)
    if (r.method == "baseline") reference[r.seed] = r.error_exact;
  std::map<std::pair<std::string, std::uint64_t>, std::vector<std::size_t>> groups;
  for (std::size_t i = 0; i < rows.size(); ++i) groups[{rows[i].method, rows[i].seed}].push_back(i);
  for (const auto& [group, indices] : groups) {
    if (!reference.contains(group.second)) continue;
    std::vector<TradeoffPoint> points;
    for (std::size_t i : indices) points.push_back({rows[i].energy_pj, rows[i].error_hw});
    std::vector<std::size_t> front;
    for (std::size_t k : pareto_front(points)) front.push_back(indices[k]);
    const auto best = best_under_budget(points, reference.at(group.second), budget);
    nlohmann::json best_json;
    if (best) {
      const ResultRow& r = rows[indices[*best]];
      best_json = {{"row", indices[*best]}, {"hardware", hardware_label(r)}, {"error_hw", r.error_hw},
                   {"energy_pj", r.energy_pj}, {"energy_saving", r.energy_saving}};
    }
    methods.push_back({{"method", group.first}, {"seed", group.second}, {"reference_error", reference.at(group.second)},
                       {"rows", indices}, {"pareto", front}, {"best_under_budget", best_json}});
  }
  return {{"budget", budget}, {"methods", methods}};
}

nlohmann::json run_explore(const TrainConfig& config, const Progress& progress) {
  const std::string out = config.out.empty() ? "runs/explore-" + config.dataset : config.out;
  std::filesystem::create_directories(out);
  progress.status("loading " + config.dataset);
  const PreparedData data = prepare_data(config);
  ModelStore store(out + "/models", data, config, progress);
  ResultLog log = ResultLog::open(out + "/results.jsonl");
  const std::size_t resumed = log.rows().size();
  const std::vector<HardwarePoint> points = sweep_points(config);
  const EnergyParams energy;
  for (int seed : config.sweep_seeds) {
    for (const std::string& method : config.sweep_methods) {
      std::shared_ptr<ApproxNet> net;
      for (const HardwarePoint& point : points) {
        if (log.contains(point_row(config.dataset, method, point, seed).key())) continue;
        if (!net) net = store.model(method, config.hardware_train, seed);
        progress.status(fmt::format("evaluating {} seed {} on {}", method, seed, point.label()));
        log.append(evaluate_point(*net, data, config, point, method, seed, energy));
      }
    }
  }
  const std::vector<ResultRow>& rows = log.rows();
  nlohmann::json results = {{"dataset", config.dataset}, {"budget", config.budget}, {"resumed_points", resumed},
                            {"points", points.size()}, {"rows", nlohmann::json::array()}};
  for (const ResultRow& r : rows) results["rows"].push_back(to_json(r));
  results["analysis"] = analyse_rows(rows, config.budget);
  write_file_atomic(out + "/results.json", results.dump(2) + "\n");
  write_file_atomic(out + "/results.csv", rows_csv(rows));
  write_file_atomic(out + "/config.toml", to_toml(config));
  write_report(out, "AxTrain exploration: " + config.dataset, explore_report(rows, results["analysis"], config.budget));
  progress.line(fmt::format("explore: {} points ({} reused) written to {}", rows.size(), resumed, out));
  return results;
}

}  // namespace axtrain
