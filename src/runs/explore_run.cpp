#include "axtrain/runs/explore_run.h"

#include "axtrain/config/hardware.h"
#include "axtrain/explore/sweep_point.h"
#include "axtrain/report/report.h"
#include "axtrain/runs/model_store.h"
#include "axtrain/runs/tradeoff_plot.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/folder_lock.h"
#include "axtrain/util/interrupt.h"

#include <fmt/format.h>

#include <filesystem>

namespace axtrain {
namespace {

std::string report_table(const SweepAnalysis& analysis) {
  std::string md =
      "| method | seed | reference error | best under budget | error | energy (nJ) | saving |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const MethodAnalysis& m : analysis.methods) {
    const auto& best = m.best_under_budget;
    md += fmt::format("| {} | {} | {:.4f} | {} | {} | {} | {} |\n", name_of(m.method), m.seed, m.reference_error,
                      best ? best->hardware : "none within budget", best ? fmt::format("{:.4f}", best->error_hw) : "-",
                      best ? fmt::format("{:.2f}", best->energy_pj / 1000) : "-",
                      best ? fmt::format("{:.1f} %", 100 * best->energy_saving) : "-");
  }
  return md;
}

std::vector<ReportSection> explore_report(const ExploreResult& result) {
  PlotSpec pareto = tradeoff_plot("Accuracy vs energy (Pareto fronts per method)");
  for (const MethodAnalysis& m : result.analysis.methods)
    add_tradeoff_series(pareto, fmt::format("{} seed {}", name_of(m.method), m.seed), result.rows, m.rows,
                        hardware_label);
  std::vector<ReportSection> sections;
  sections.push_back({"Best configuration under the budget",
                      fmt::format("Budget: approximation-induced error <= {:.4f} above the equal-budget baseline's "
                                  "exact error (SPEC 2.8).\n\n{}",
                                  result.budget, report_table(result.analysis)),
                      "", ""});
  sections.push_back(
      {"Accuracy vs energy", "Every evaluated point; lines are the Pareto fronts.", render_plot(pareto), "pareto.svg"});
  std::string table =
      "| method | seed | hardware | error exact | error hw | +- ci95 | sensitivity | energy (nJ) |\n"
      "|---|---|---|---|---|---|---|---|\n";
  for (const ResultRow& r : result.rows)
    table += fmt::format("| {} | {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.3g} | {:.2f} |\n", name_of(r.method), r.seed,
                         hardware_label(r), r.error_exact, r.error_hw, r.error_hw_ci95, r.sensitivity_mean,
                         r.energy_pj / 1000);
  sections.push_back({"All points", table, "", ""});
  return sections;
}

}  // namespace

nlohmann::json ExploreResult::to_json() const {
  nlohmann::json j = {{"dataset", dataset},
                      {"budget", budget},
                      {"resumed_points", resumed_points},
                      {"points", points},
                      {"rows", nlohmann::json::array()},
                      {"analysis", analysis.to_json()}};
  for (const ResultRow& r : rows) j["rows"].push_back(axtrain::to_json(r));
  return j;
}

ExploreResult run_explore(const TrainConfig& config, const Progress& progress) {
  const std::string out = config.out.empty() ? "runs/explore-" + config.dataset : config.out;
  std::filesystem::create_directories(out);
  const FolderLock lock(out, "axtrain explore");
  remove_stale_temporaries(out);
  const InterruptGuard interrupts;  // a signal stops a model's training after its step, saving its state
  progress.status("loading " + config.dataset);
  const PreparedData data = prepare_data(config);
  if (!data.task_note.empty()) progress.line(data.task_note);
  HardwareResolver resolver;
  ModelStore store(out + "/models", data, config, resolver, progress);
  ResultLog log = ResultLog::open(out + "/results.jsonl");
  ExploreResult result;
  result.dataset = config.dataset;
  result.budget = config.budget;
  result.resumed_points = log.rows().size();
  const std::vector<HardwarePoint> points = sweep_points(config);
  result.points = points.size();
  const EnergyParams energy;
  const std::size_t total = config.sweep_seeds.size() * sweep_method_list(config).size() * points.size();
  std::size_t done = 0;
  for (int seed : config.sweep_seeds) {
    for (const Method method : sweep_method_list(config)) {
      std::shared_ptr<ApproxNet> net;
      for (const HardwarePoint& point : points) {
        ++done;
        if (log.contains(point_row(config.dataset, method, point, seed).key())) continue;
        if (!net) net = store.model(method, config.hardware_train, seed).net;
        progress.status(fmt::format("evaluating {} seed {} on {}", name_of(method), seed, point.label()));
        const ResultRow row = evaluate_point(*net, data, config, point, method, seed, energy, resolver);
        log.append(row);
        progress.line(fmt::format("point {}/{}: {} seed {} on {}: error {:.4f} (exact {:.4f})", done, total,
                                  name_of(method), seed, point.label(), row.error_hw, row.error_exact));
      }
    }
  }
  result.rows = log.rows();
  result.analysis = analyse_rows(result.rows, config.budget);
  write_file_atomic(out + "/results.json", result.to_json().dump(2) + "\n");
  write_file_atomic(out + "/results.csv", rows_csv(result.rows));
  write_file_atomic(out + "/config.toml", to_toml(config));
  write_report(out, "AxTrain exploration: " + config.dataset, explore_report(result));
  progress.line(
      fmt::format("explore: {} points ({} reused) written to {}", result.rows.size(), result.resumed_points, out));
  return result;
}

}  // namespace axtrain
