#include "axtrain/runs/explore_run.h"

#include "axtrain/config/hardware.h"
#include "axtrain/explore/sweep_point.h"
#include "axtrain/runs/explore_report.h"
#include "axtrain/runs/model_store.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/folder_lock.h"
#include "axtrain/util/interrupt.h"

#include <fmt/format.h>

#include <filesystem>
#include <map>

namespace axtrain {
namespace {

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
  for (const ExploreJob& job : jobs) result.rows.push_back(log.row(job.key));
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
