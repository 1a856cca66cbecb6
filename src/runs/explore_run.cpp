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
#include <map>

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

// The run's answer in one sentence.
std::string verdict(const SweepAnalysis& analysis) {
  if (!analysis.overall_best) return "**No configuration meets the budget.**";
  const OverallBest& b = *analysis.overall_best;
  return fmt::format(
      "**Best overall: {} on {}**: error {:.4f} +- {:.4f} (95 % CI; reference {:.4f}), {:.2f} nJ per inference, "
      "{:.1f} % less energy than the exact multiplier at nominal voltage.",
      name_of(b.method), b.hardware, b.error_hw, b.ci95, b.reference_error, b.energy_pj / 1000, 100 * b.energy_saving);
}

std::vector<ReportSection> explore_report(const ExploreResult& result) {
  PlotSpec pareto = tradeoff_plot("Accuracy vs energy (Pareto fronts per method)");
  for (const MethodAnalysis& m : result.analysis.methods)
    add_tradeoff_series(pareto, fmt::format("{} seed {}", name_of(m.method), m.seed), result.rows, m.rows,
                        hardware_label);
  std::vector<ReportSection> sections;
  sections.push_back({"Best configuration under the budget",
                      fmt::format("Budget: approximation-induced error <= {:.4f} above the equal-budget baseline's "
                                  "exact error (SPEC 2.8).\n\n{}\n\n{}",
                                  result.budget, verdict(result.analysis), report_table(result.analysis)),
                      "", ""});
  sections.push_back(
      {"Accuracy vs energy", "Every evaluated point; lines are the Pareto fronts.", render_plot(pareto), "pareto.svg"});
  std::string table =
      "| method | seed | trained for | hardware | error exact | error hw | +- ci95 | sensitivity | energy (nJ) |\n"
      "|---|---|---|---|---|---|---|---|---|\n";
  for (const ResultRow& r : result.rows)
    table += fmt::format("| {} | {} | {} | {} | {:.4f} | {:.4f} | {:.4f} | {:.3g} | {:.2f} |\n", name_of(r.method),
                         r.seed, r.trained_for, hardware_label(r), r.error_exact, r.error_hw, r.error_hw_ci95,
                         r.sensitivity_mean, r.energy_pj / 1000);
  sections.push_back({"All points", table, "", ""});
  return sections;
}

// One row of the sweep: the model that gives it and the row's identity.
struct ExploreJob {
  Method method = Method::kBaseline;
  int seed = 0;
  HardwarePoint point;
  ModelPlan model;
  std::string key;          // ResultRow::key()
  std::string fingerprint;  // row_fingerprint
};

// Every (seed, method, point) in sweep order. The reference baseline is one model per seed; every other method
// has a model per training hardware (training_hardware_for: each point, or [hardware.train]).
std::vector<ExploreJob> explore_jobs(const TrainConfig& config, const ModelStore& store, const EnergyParams& energy) {
  std::vector<ExploreJob> jobs;
  for (int seed : config.sweep_seeds)
    for (const Method method : sweep_method_list(config))
      for (const HardwarePoint& point : sweep_points(config)) {
        ExploreJob job{method, seed, point, {}, point_row(config.dataset, method, point, seed).key(), ""};
        job.model = store.plan(
            method, method == Method::kBaseline ? config.hardware_train : training_hardware_for(config, point), seed);
        job.fingerprint = row_fingerprint(job.model, config, point, energy);
        jobs.push_back(std::move(job));
      }
  return jobs;
}

// Every swept multiplier has an energy before any work starts (a lut: table needs [energy.multiply_pj]).
void check_energies_known(const TrainConfig& config, HardwareResolver& resolver) {
  for (const HardwarePoint& point : sweep_points(config)) {
    if (point.layers.empty()) {
      (void)multiply_energy_pj(resolver.multiplier(point.multiplier), config.energy);
      continue;
    }
    for (const LayerSetting& layer : parse_layer_assignment(point.layers))
      (void)multiply_energy_pj(resolver.multiplier(layer.multiplier), config.energy);
  }
}

}  // namespace

nlohmann::json ExploreResult::to_json() const {
  nlohmann::json j = {{"dataset", dataset},
                      {"budget", budget},
                      {"resumed_points", resumed_points},
                      {"dropped_rows", dropped_rows},
                      {"points", points},
                      {"rows", nlohmann::json::array()},
                      {"analysis", analysis.to_json()}};
  for (const ResultRow& r : rows) j["rows"].push_back(axtrain::to_json(r));
  return j;
}

ExploreResult run_explore(const TrainConfig& config, const Progress& progress) {
  HardwareResolver resolver;
  check_energies_known(config, resolver);
  const std::string out = config.out.empty() ? "runs/explore-" + config.dataset : config.out;
  std::filesystem::create_directories(out);
  const FolderLock lock(out, "axtrain explore");
  remove_stale_temporaries(out);
  const InterruptGuard interrupts;  // a signal stops a model's training after its step, saving its state
  progress.status("loading " + config.dataset);
  const PreparedData data = prepare_data(config);
  if (!data.task_note.empty()) progress.line(data.task_note);
  ModelStore store(out + "/models", data, config, resolver, progress);
  ResultLog log = ResultLog::open(out + "/results.jsonl");
  ExploreResult result;
  result.dataset = config.dataset;
  result.budget = config.budget;
  const EnergyParams& energy = config.energy;
  const std::vector<ExploreJob> jobs = explore_jobs(config, store, energy);
  result.points = jobs.size();
  // Rows are reused only where the fingerprint matches; the rest, rows of another configuration, are dropped
  // before anything is published, and config.toml describes the rows from here on.
  std::map<std::string, std::string> expected;  // row key -> fingerprint
  for (const ExploreJob& job : jobs) expected[job.key] = job.fingerprint;
  const std::size_t dropped = log.retain_fingerprints(expected);
  result.resumed_points = log.rows().size();
  result.dropped_rows = dropped;
  for (const char* stale : {"results.json", "results.csv"}) std::filesystem::remove(out + "/" + stale);
  write_file_atomic(out + "/config.toml", to_toml(config));
  progress.line(fmt::format("explore: {} of {} rows reused (their fingerprints match){}", result.resumed_points,
                            jobs.size(),
                            dropped == 0 ? "" : fmt::format("; {} rows of another configuration dropped", dropped)));
  std::shared_ptr<ApproxNet> net;
  std::string net_fingerprint;
  for (std::size_t done = 0; done < jobs.size(); ++done) {
    const ExploreJob& job = jobs[done];
    if (log.contains(job.key)) continue;
    if (!net || net_fingerprint != job.model.fingerprint) {
      net = store.model(job.model).net;
      net_fingerprint = job.model.fingerprint;
    }
    progress.status(fmt::format("evaluating {} seed {} on {}", name_of(job.method), job.seed, job.point.label()));
    ResultRow row = evaluate_point(*net, data, config, job.point, job.method, job.seed, energy, resolver);
    row.trained_for = job.model.trained_for;
    row.fingerprint = job.fingerprint;
    log.append(row);
    progress.line(fmt::format("point {}/{}: {} seed {} (trained for {}) on {}: error {:.4f} (exact {:.4f})", done + 1,
                              jobs.size(), name_of(job.method), job.seed, job.model.trained_for, job.point.label(),
                              row.error_hw, row.error_exact));
  }
  std::map<std::string, const ResultRow*> by_key;
  for (const ResultRow& row : log.rows()) by_key[row.key()] = &row;
  for (const ExploreJob& job : jobs) result.rows.push_back(*by_key.at(job.key));
  result.analysis = analyse_rows(result.rows, config.budget);
  write_file_atomic(out + "/results.json", result.to_json().dump(2) + "\n");
  write_file_atomic(out + "/results.csv", rows_csv(result.rows));
  write_file_atomic(out + "/config.toml", to_toml(config));
  write_report(out, "AxTrain exploration: " + config.dataset, explore_report(result));
  progress.line(
      fmt::format("explore: {} rows ({} reused) written to {}", result.rows.size(), result.resumed_points, out));
  return result;
}

}  // namespace axtrain
