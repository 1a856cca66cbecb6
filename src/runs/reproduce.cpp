#include "axtrain/runs/reproduce.h"

#include "axtrain/config/hardware.h"
#include "axtrain/explore/sweep_point.h"
#include "axtrain/report/report.h"
#include "axtrain/report/svg_plot.h"
#include "axtrain/runs/model_store.h"
#include "axtrain/runs/tradeoff_plot.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/folder_lock.h"
#include "axtrain/util/interrupt.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include <filesystem>

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

const ResultRow* find(const std::vector<ResultRow>& rows, const std::string& dataset, Method method,
                      const std::string& multiplier) {
  for (const ResultRow& r : rows)
    if (r.dataset == dataset && r.method == method && r.multiplier == multiplier &&
        parse_memory(r.memory).kind == MemorySetting::Kind::kNone && r.layer_assignment.empty())
      return &r;
  return nullptr;
}

std::vector<ReproduceSummaryRow> summarise(const std::vector<ResultRow>& rows) {
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
                            .baseline_sensitivity = ref->sensitivity_mean,
                            .paper_sensitivity_reduction_act = kPaperSensitivityReduction[k],
                            .paper_error_reduction_axtrain = kPaperErrorReduction[k],
                            .sensitivity_reduction_act = {},
                            .error_reduction_pas = {},
                            .error_reduction_act = {},
                            .error_reduction_axtrain = {}};
      std::optional<double>* reductions[] = {&s.error_reduction_pas, &s.error_reduction_act,
                                             &s.error_reduction_axtrain};
      for (int m = 0; m < 3; ++m) {
        const ResultRow* row = find(rows, d, kMethods[m], kPresets[k]);
        if (!row) continue;
        *reductions[m] = d_ref != 0 ? 1 - (row->error_hw - exact) / d_ref : 0.0;
        if (kMethods[m] == Method::kAct)
          s.sensitivity_reduction_act =
              ref->sensitivity_mean > 0 ? 1 - row->sensitivity_mean / ref->sensitivity_mean : 0.0;
      }
      summary.push_back(s);
    }
  }
  return summary;
}

nlohmann::json summary_json(const ReproduceSummaryRow& s) {
  nlohmann::json j = {{"dataset", s.dataset},
                      {"hardware", s.hardware},
                      {"baseline_error_exact", s.baseline_error_exact},
                      {"baseline_error_hw", s.baseline_error_hw},
                      {"baseline_sensitivity", s.baseline_sensitivity},
                      {"paper_sensitivity_reduction_act", s.paper_sensitivity_reduction_act},
                      {"paper_error_reduction_axtrain", s.paper_error_reduction_axtrain}};
  if (s.sensitivity_reduction_act) j["sensitivity_reduction_act"] = *s.sensitivity_reduction_act;
  if (s.error_reduction_pas) j["error_reduction_pas"] = *s.error_reduction_pas;
  if (s.error_reduction_act) j["error_reduction_act"] = *s.error_reduction_act;
  if (s.error_reduction_axtrain) j["error_reduction_axtrain"] = *s.error_reduction_axtrain;
  return j;
}

std::string percent(const std::optional<double>& value) {
  return value ? fmt::format("{:.1f} %", 100 * *value) : "-";
}

std::vector<ReportSection> reproduce_report(const ReproduceResult& result, const std::vector<PlotSeries>& curves,
                                            const std::vector<HistogramGroup>& sensitivity_groups) {
  const std::vector<ResultRow>& rows = result.rows;
  PlotSpec energy_plot = tradeoff_plot("Fashion-MNIST: accuracy vs energy");
  PlotSpec voltage_plot;
  voltage_plot.title = "Fashion-MNIST: error vs SRAM voltage";
  voltage_plot.x_label = "SRAM supply voltage (V)";
  voltage_plot.y_label = "test error (mean over trials)";
  for (const Method m : {Method::kBaseline, Method::kPas, Method::kAct, Method::kAxtrain}) {
    std::vector<std::size_t> indices;
    PlotSeries v;
    v.name = std::string(name_of(m));
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ResultRow& r = rows[i];
      if (r.dataset != kDatasets[0] || r.method != m) continue;
      indices.push_back(i);
      if (parse_memory(r.memory).kind != MemorySetting::Kind::kNone)
        v.x.push_back(r.voltage), v.y.push_back(r.error_hw);
    }
    v.color = add_tradeoff_series(energy_plot, v.name, rows, indices, [](const ResultRow& r) {
      return parse_memory(r.memory).kind == MemorySetting::Kind::kNone ? r.multiplier : r.memory;
    });
    voltage_plot.series.push_back(v);
  }
  PlotSpec curve_plot;
  curve_plot.title = "Fashion-MNIST: training curves (baseline, then fine-tuning for K3)";
  curve_plot.x_label = "epoch";
  curve_plot.y_label = "training loss";
  curve_plot.series = curves;
  const char* profile = kReproduceProfileNames[static_cast<std::size_t>(result.profile)].data();
  std::vector<ReportSection> sections;
  sections.push_back({"Reproduction of the paper's table",
                      fmt::format("Profile: {}. Reductions against the equal-budget baseline on the same hardware "
                                  "(SPEC 2.8); the paper's numbers beside ours.\n\n{}",
                                  profile, reproduce_table(result.summary)),
                      "", ""});
  sections.push_back({"Accuracy vs energy",
                      "Every Fashion-MNIST point (K1-K3 and the NTV sweep); lines are each method's Pareto front.",
                      render_plot(energy_plot), "energy.svg"});
  sections.push_back({"Error vs voltage",
                      fmt::format("Models trained for {} (baseline: hardware-agnostic).", kNtvTrainVoltage),
                      render_plot(voltage_plot), "voltage.svg"});
  sections.push_back(
      {"Sensitivity histograms", "Per-weight sensitivity on K3, baseline vs AxTrain-act (log10).",
       render_histogram("Per-weight sensitivity on K3", "log10 sensitivity", sensitivity_groups, 40, true),
       "sensitivity.svg"});
  sections.push_back({"Training curves", "", render_plot(curve_plot), "curves.svg"});
  return sections;
}

PlotSeries loss_curve(std::string name, const TrainHistory& history) {
  PlotSeries s;
  s.name = std::move(name);
  for (const EpochStats& e : history.epochs) {
    s.x.push_back(static_cast<double>(e.epoch));
    s.y.push_back(e.loss);
  }
  return s;
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

std::string reproduce_table(std::span<const ReproduceSummaryRow> summary) {
  std::string table =
      "| dataset | hardware | sensitivity reduction (act) | paper | error reduction: pas | act | axtrain "
      "| paper (axtrain) |\n|---|---|---|---|---|---|---|---|\n";
  for (const ReproduceSummaryRow& s : summary)
    table += fmt::format("| {} | {} | {} | {:.2f} % | {} | {} | {} | {:.2f} % |\n", s.dataset, s.hardware,
                         percent(s.sensitivity_reduction_act), 100 * s.paper_sensitivity_reduction_act,
                         percent(s.error_reduction_pas), percent(s.error_reduction_act),
                         percent(s.error_reduction_axtrain), 100 * s.paper_error_reduction_axtrain);
  return table;
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
  result.resumed_points = log.rows().size();
  const EnergyParams energy;
  HardwareResolver resolver;
  std::vector<HistogramGroup> sensitivity_groups;
  std::vector<PlotSeries> curves;
  for (const std::string dataset : kDatasets) {
    const TrainConfig base = dataset_config(dataset, o);
    progress.status("loading " + dataset);
    const PreparedData data = prepare_data(base);
    ModelStore store(o.out + "/models", data, base, resolver, progress);
    auto evaluate = [&](Method method, const HardwareConfig& trained_on, const HardwarePoint& point) {
      if (log.contains(point_row(dataset, method, point, o.seed).key())) return;
      auto net = store.model(method, trained_on, o.seed).net;
      progress.status(fmt::format("{}: evaluating {} on {}", dataset, name_of(method), point.label()));
      const ResultRow row = evaluate_point(*net, data, base, point, method, o.seed, energy, resolver);
      log.append(row);
      progress.line(fmt::format("{}: {} on {}: error {:.4f} (exact {:.4f})", dataset, name_of(method), point.label(),
                                row.error_hw, row.error_exact));
    };
    const HardwareConfig none = hardware("exact", "none");
    for (const char* k : kPresets) evaluate(Method::kBaseline, none, {k, "none", ""});
    for (const char* v : kVoltages) evaluate(Method::kBaseline, none, {"exact", v, ""});
    for (const char* k : kPresets)
      for (const Method m : kMethods) evaluate(m, hardware(k, "none"), {k, "none", ""});
    for (const Method m : kMethods)
      for (const char* v : kVoltages) evaluate(m, hardware("exact", kNtvTrainVoltage), {"exact", v, ""});
    if (dataset == kDatasets[0]) {  // per-weight sensitivity on K3 (baseline vs act) and the training curves
      const HardwareState k3 =
          HardwareState::emulate(resolver.multiplier("K3"), {}, static_cast<std::uint64_t>(o.seed));
      for (const Method m : {Method::kBaseline, Method::kAct}) {
        auto net = store.model(m, m == Method::kAct ? hardware("K3", "none") : none, o.seed).net;
        sensitivity_groups.push_back(
            {std::string(name_of(m)), measure_sensitivity(*net, data.test, data.task, k3, base.batch_size).sample});
      }
      curves.push_back(loss_curve("baseline", store.baseline(o.seed).history));
      for (const Method m : kMethods)
        curves.push_back(
            loss_curve(fmt::format("{} K3", name_of(m)), store.model(m, hardware("K3", "none"), o.seed).history));
    }
  }
  result.rows = log.rows();
  result.summary = summarise(result.rows);
  write_file_atomic(o.out + "/results.json", result.to_json().dump(2) + "\n");
  write_file_atomic(o.out + "/results.csv", rows_csv(result.rows));
  write_report(o.out, "AxTrain reproduction", reproduce_report(result, curves, sensitivity_groups));
  return result;
}

}  // namespace axtrain
