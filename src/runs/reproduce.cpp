#include "axtrain/runs/reproduce.h"

#include "axtrain/config/hardware.h"
#include "axtrain/explore/sweep_point.h"
#include "axtrain/runs/model_store.h"
#include "axtrain/runs/reproduce_report.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/folder_lock.h"
#include "axtrain/util/interrupt.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>
#include <map>

namespace axtrain {
namespace {

const char* const kPresets[] = {"K1", "K2", "K3"};
constexpr Method kMethods[] = {Method::kPas, Method::kAct, Method::kAxtrain};
const char* const kVoltages[] = {"0.7V", "0.65V", "0.6V", "0.55V", "0.5V"};  // down to the BER curve's floor
constexpr const char* kNtvTrainVoltage = "0.5V";                             // the hardest point: BER 1e-3
const char* const kDatasets[] = {"fashion-mnist", "inversek2j", "blackscholes"};

// The per-dataset training setup of each profile (docs/reproduce.md).
TrainConfig dataset_config(const std::string& dataset, const ReproduceOptions& o) {
  const bool quick = o.profile == ReproduceProfile::kQuick;
  const bool tiny = o.profile == ReproduceProfile::kTiny;
  TrainConfig c;
  c.dataset = dataset;
  c.seed = o.seed;
  c.threads = o.threads;
  c.quiet = true;
  c.trials = tiny ? 2 : quick ? 3 : 10;
  if (dataset == "fashion-mnist") {
    c.hidden = tiny ? IntList{32, 32} : IntList{256, 256};
    c.epochs = tiny ? 1 : quick ? 3 : 10;
    c.finetune_epochs = tiny ? 1 : quick ? 2 : 5;
    if (tiny) c.train_samples = 2000, c.test_samples = 500;
  } else {
    c.hidden = dataset == "blackscholes" ? IntList{8, 8} : IntList{8};
    c.kernel_samples = tiny ? 1000 : quick ? 10000 : 20000;
    c.lr = 1e-2;
    c.batch_size = 64;
    c.epochs = tiny ? 2 : quick ? 15 : 30;
    c.finetune_epochs = tiny ? 1 : quick ? 5 : 10;
  }
  return c;
}

HardwareConfig hardware(const std::string& multiplier, const std::string& memory) {
  HardwareConfig h;
  h.multiplier = multiplier;
  h.memory = memory;
  return h;
}

// One row of the reproduction: the model that gives it and the row's identity.
struct ReproduceJob {
  std::string dataset;
  Method method = Method::kBaseline;
  HardwarePoint point;
  ModelPlan model;
  std::string key, fingerprint;
};

// How a row is evaluated: the baseline on K1-K3 also with its bias compensated (the free comparator).
TrainConfig evaluation_config(const TrainConfig& base, const ReproduceJob& job) {
  TrainConfig c = base;
  c.bias_compensation =
      job.method == Method::kBaseline && parse_memory(job.point.memory).kind == MemorySetting::Kind::kNone;
  return c;
}

// Every row of the experiment, dataset by dataset: the baseline on each preset and voltage, each method
// trained for each preset, and each method trained at kNtvTrainVoltage on each voltage.
std::vector<ReproduceJob> reproduce_jobs(const ReproduceOptions& o, const EnergyParams& energy) {
  std::vector<ReproduceJob> jobs;
  for (const std::string dataset : kDatasets) {
    const TrainConfig base = dataset_config(dataset, o);
    const auto add = [&](Method method, const HardwareConfig& trained_on, const HardwarePoint& point) {
      ReproduceJob job{dataset,
                       method,
                       point,
                       model_plan(base, o.out + "/models", method, trained_on, o.seed),
                       point_row(dataset, method, point, o.seed).key(),
                       ""};
      job.fingerprint = row_fingerprint(job.model, evaluation_config(base, job), point, energy);
      jobs.push_back(std::move(job));
    };
    const HardwareConfig none = hardware("exact", "none");
    for (const char* k : kPresets) add(Method::kBaseline, none, {k, "none", ""});
    for (const char* v : kVoltages) add(Method::kBaseline, none, {"exact", v, ""});
    for (const char* k : kPresets)
      for (const Method m : kMethods) add(m, hardware(k, "none"), {k, "none", ""});
    for (const Method m : kMethods)
      for (const char* v : kVoltages) add(m, hardware("exact", kNtvTrainVoltage), {"exact", v, ""});
  }
  return jobs;
}

const ResultRow* find(std::span<const ResultRow> rows, const std::string& dataset, Method method,
                      const std::string& multiplier) {
  for (const ResultRow& r : rows)
    if (r.dataset == dataset && r.method == method && r.multiplier == multiplier &&
        parse_memory(r.memory).kind == MemorySetting::Kind::kNone && r.layer_assignment.empty())
      return &r;
  return nullptr;
}

}  // namespace

std::vector<ReproduceSummaryRow> summarise_reproduction(std::span<const ResultRow> rows) {
  std::vector<ReproduceSummaryRow> summary;
  for (const std::string d : kDatasets) {
    for (int k = 0; k < 3; ++k) {
      const ResultRow* ref = find(rows, d, Method::kBaseline, kPresets[k]);
      if (!ref) continue;
      const double exact = ref->error_exact;  // E(baseline, exact) of the equal-budget reference
      const double d_ref = ref->error_hw - exact;
      ReproduceSummaryRow s{.dataset = d,
                            .hardware = kPresets[k],
                            .baseline_error_exact = exact,
                            .baseline_error_hw = ref->error_hw,
                            .energy_pj = ref->energy_pj,
                            .baseline_sensitivity = ref->sensitivity_mean,
                            .paper_sensitivity_reduction_act = kPaperSensitivityReduction[k],
                            .paper_error_reduction_axtrain = kPaperErrorReduction[k],
                            .sensitivity_reduction_act = {},
                            .error_reduction_pas = {},
                            .error_reduction_act = {},
                            .error_reduction_axtrain = {},
                            .baseline_error_hw_compensated = {},
                            .error_hw = {},
                            .error_reduction_vs_compensated = {},
                            .exact_cost = {}};
      std::optional<double>* reductions[] = {&s.error_reduction_pas, &s.error_reduction_act,
                                             &s.error_reduction_axtrain};
      if (ref->error_hw_compensated >= 0) s.baseline_error_hw_compensated = ref->error_hw_compensated;
      for (int m = 0; m < 3; ++m) {
        const ResultRow* row = find(rows, d, kMethods[m], kPresets[k]);
        if (!row) continue;
        // SPEC 2.8: the share of a baseline's approximation-induced error `induced` that the method removes.
        const auto reduction = [&](double induced) {
          return induced != 0 ? 1 - (row->error_hw - exact) / induced : 0.0;
        };
        *reductions[m] = reduction(d_ref);
        s.error_hw[m] = row->error_hw;
        s.exact_cost[m] = row->error_exact - exact;
        if (s.baseline_error_hw_compensated) {  // the better free baseline: compensation can raise the error
          s.error_reduction_vs_compensated[m] =
              reduction(std::min(*s.baseline_error_hw_compensated, ref->error_hw) - exact);
        }
        if (kMethods[m] == Method::kAct)
          s.sensitivity_reduction_act =
              ref->sensitivity_mean > 0 ? 1 - row->sensitivity_mean / ref->sensitivity_mean : 0.0;
      }
      summary.push_back(s);
    }
  }
  return summary;
}

namespace {

nlohmann::json summary_json(const ReproduceSummaryRow& s) {
  nlohmann::json j = {{"dataset", s.dataset},
                      {"hardware", s.hardware},
                      {"baseline_error_exact", s.baseline_error_exact},
                      {"baseline_error_hw", s.baseline_error_hw},
                      {"energy_pj", s.energy_pj},
                      {"baseline_sensitivity", s.baseline_sensitivity},
                      {"paper_sensitivity_reduction_act", s.paper_sensitivity_reduction_act},
                      {"paper_error_reduction_axtrain", s.paper_error_reduction_axtrain}};
  if (s.sensitivity_reduction_act) j["sensitivity_reduction_act"] = *s.sensitivity_reduction_act;
  if (s.error_reduction_pas) j["error_reduction_pas"] = *s.error_reduction_pas;
  if (s.error_reduction_act) j["error_reduction_act"] = *s.error_reduction_act;
  if (s.error_reduction_axtrain) j["error_reduction_axtrain"] = *s.error_reduction_axtrain;
  if (s.baseline_error_hw_compensated) j["baseline_error_hw_compensated"] = *s.baseline_error_hw_compensated;
  const auto by_method = [&](const std::array<std::optional<double>, 3>& values) {
    nlohmann::json out = nlohmann::json::object();
    for (int m = 0; m < 3; ++m)
      if (values[m]) out[std::string(name_of(kMethods[m]))] = *values[m];
    return out;
  };
  j["error_hw"] = by_method(s.error_hw);
  j["error_reduction_vs_compensated"] = by_method(s.error_reduction_vs_compensated);
  j["exact_cost"] = by_method(s.exact_cost);
  return j;
}

}  // namespace

nlohmann::json ReproduceResult::to_json() const {
  nlohmann::json j = {{"profile", kReproduceProfileNames[static_cast<std::size_t>(profile)]},
                      {"resumed_points", resumed_points},
                      {"rows", nlohmann::json::array()},
                      {"summary", nlohmann::json::array()},
                      {"paper",
                       {{"hardware", {"K1", "K2", "K3"}},
                        {"sensitivity_reduction_act", kPaperSensitivityReduction},
                        {"error_reduction_axtrain", kPaperErrorReduction}}}};
  for (const ResultRow& r : rows) {
    nlohmann::json row = axtrain::to_json(r);
    row["hardware"] = hardware_label(r);
    j["rows"].push_back(row);
  }
  for (const ReproduceSummaryRow& s : summary) j["summary"].push_back(summary_json(s));
  return j;
}

ReproduceResult run_reproduce(const ReproduceOptions& o, const Progress& progress) {
  torch::set_num_threads(o.threads);
  std::filesystem::create_directories(o.out);
  const FolderLock lock(o.out, "axtrain reproduce");
  remove_stale_temporaries(o.out);
  const InterruptGuard interrupts;  // a signal stops a model's training after its step, saving its state
  ResultLog log = ResultLog::open(o.out + "/results.jsonl");
  ReproduceResult result;
  result.profile = o.profile;
  const EnergyParams energy;
  const std::vector<ReproduceJob> jobs = reproduce_jobs(o, energy);
  // Rows are reused only where the fingerprint matches (another profile or seed recomputes them).
  std::map<std::string, std::string> expected;  // row key -> fingerprint
  for (const ReproduceJob& job : jobs) expected[job.key] = job.fingerprint;
  const std::size_t dropped = log.retain_fingerprints(expected);
  result.resumed_points = log.rows().size();
  if (dropped > 0) progress.line(fmt::format("reproduce: {} rows of another configuration dropped", dropped));
  HardwareResolver resolver;
  ReproduceFigures figures{kDatasets[0], "K3", {}, {}, {}};
  for (const std::string dataset : kDatasets) {
    const TrainConfig base = dataset_config(dataset, o);
    progress.status("loading " + dataset);
    const PreparedData data = prepare_data(base);
    ModelStore store(o.out + "/models", data, base, resolver, progress);
    for (const ReproduceJob& job : jobs) {
      if (job.dataset != dataset || log.contains(job.key)) continue;
      auto net = store.model(job.model).net;
      progress.status(fmt::format("{}: evaluating {} on {}", dataset, name_of(job.method), job.point.label()));
      ResultRow row =
          evaluate_point(*net, data, evaluation_config(base, job), job.point, job.method, o.seed, energy, resolver);
      row.trained_for = job.model.trained_for;
      row.fingerprint = job.fingerprint;
      log.append(row);
      progress.line(fmt::format("{}: {} on {}: error {:.4f} (exact {:.4f})", dataset, name_of(job.method),
                                job.point.label(), row.error_hw, row.error_exact));
    }
    const HardwareConfig none = hardware("exact", "none");
    if (dataset == figures.dataset) {  // per-weight sensitivity on K3 (baseline vs act) and the training curves
      const HardwareConfig k3 = hardware(figures.hardware, "none");
      const HardwareState state =
          HardwareState::emulate(resolver.multiplier(figures.hardware), {}, static_cast<std::uint64_t>(o.seed));
      for (const Method m : {Method::kBaseline, Method::kAct}) {
        auto net = store.model(m, m == Method::kAct ? k3 : none, o.seed).net;
        figures.sensitivity.push_back(
            {std::string(name_of(m)), measure_sensitivity(*net, data.test, data.task, state, base.batch_size).sample});
      }
      figures.baseline = store.baseline(o.seed).history;
      for (const Method m : kMethods) figures.finetuning.emplace_back(name_of(m), store.model(m, k3, o.seed).history);
    }
  }
  for (const ReproduceJob& job : jobs) result.rows.push_back(log.row(job.key));
  result.summary = summarise_reproduction(result.rows);
  write_file_atomic(o.out + "/results.json", result.to_json().dump(2) + "\n");
  write_file_atomic(o.out + "/results.csv", rows_csv(result.rows));
  write_report(o.out, "AxTrain reproduction", reproduce_report(result, figures));
  return result;
}

}  // namespace axtrain
