#include "axtrain/train/reproduce.h"

#include "axtrain/explore/pareto.h"
#include "axtrain/explore/result_log.h"
#include "axtrain/report/report.h"
#include "axtrain/report/svg_plot.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/train/experiment.h"
#include "axtrain/util/atomic_file.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include <filesystem>
#include <sstream>
#include <map>

namespace axtrain {
namespace {

const char* const kPresets[] = {"K1", "K2", "K3"};
const char* const kMethods[] = {"pas", "act", "axtrain"};
const char* const kVoltages[] = {"0.7V", "0.65V", "0.6V", "0.55V", "0.5V"};  // down to the BER curve's floor
constexpr const char* kNtvTrainVoltage = "0.5V";  // the hardest point: BER 1e-3

// The per-dataset training setup of each profile (docs/reproduce.md).
TrainConfig dataset_config(const std::string& dataset, const ReproduceOptions& o) {
  TrainConfig c;
  c.dataset = dataset;
  c.seed = o.seed;
  c.threads = o.threads;
  c.quiet = true;
  c.trials = o.quick ? 3 : 10;
  if (dataset == "fashion-mnist") {
    c.hidden = {256, 256};
    c.epochs = o.quick ? 3 : 10;
    c.finetune_epochs = o.quick ? 2 : 5;
  } else {
    c.hidden = dataset == "blackscholes" ? IntList{8, 8} : IntList{8};
    c.kernel_samples = o.quick ? 10000 : 20000;
    c.lr = 1e-2;
    c.batch_size = 64;
    c.epochs = o.quick ? 15 : 30;
    c.finetune_epochs = o.quick ? 5 : 10;
  }
  return c;
}

HardwareConfig hardware(const std::string& multiplier, const std::string& memory) {
  HardwareConfig h;
  h.multiplier = multiplier;
  h.memory = memory;
  return h;
}

const ResultRow* find(const std::vector<ResultRow>& rows, const std::string& dataset, const std::string& method,
                      const std::string& multiplier, const std::string& memory) {
  for (const ResultRow& r : rows)
    if (r.dataset == dataset && r.method == method && r.multiplier == multiplier && r.memory == memory) return &r;
  return nullptr;
}

nlohmann::json summarise(const std::vector<ResultRow>& rows, const std::vector<std::string>& datasets) {
  nlohmann::json summary = nlohmann::json::array();
  for (const std::string& d : datasets) {
    for (int k = 0; k < 3; ++k) {
      const ResultRow* ref = find(rows, d, "baseline", kPresets[k], "none");
      if (!ref) continue;
      const double exact = ref->error_exact;  // E(baseline, exact) of the equal-budget reference
      const double d_ref = ref->error_hw - exact;
      nlohmann::json s = {{"dataset", d}, {"hardware", kPresets[k]}, {"baseline_error_exact", exact},
                          {"baseline_error_hw", ref->error_hw}, {"baseline_sensitivity", ref->sensitivity_mean},
                          {"paper_sensitivity_reduction_act", kPaperSensitivityReduction[k]},
                          {"paper_error_reduction_axtrain", kPaperErrorReduction[k]}};
      for (const char* m : kMethods) {
        const ResultRow* row = find(rows, d, m, kPresets[k], "none");
        if (!row) continue;
        s[fmt::format("error_reduction_{}", m)] = d_ref != 0 ? 1 - (row->error_hw - exact) / d_ref : 0.0;
        if (std::string(m) == "act")
          s["sensitivity_reduction_act"] = ref->sensitivity_mean > 0 ? 1 - row->sensitivity_mean / ref->sensitivity_mean : 0.0;
      }
      summary.push_back(s);
    }
  }
  return summary;
}

std::vector<double> read_curve(const std::string& csv_path, int column) {
  std::vector<double> values;
  std::istringstream in(std::filesystem::exists(csv_path) ? read_file(csv_path) : "");
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    std::stringstream fields(line);
    std::string cell;
    for (int i = 0; i <= column && std::getline(fields, cell, ','); ++i) {}
    values.push_back(std::stod(cell));
  }
  return values;
}

}  // namespace

nlohmann::json run_reproduce(const ReproduceOptions& o, const Progress& progress) {
  torch::set_num_threads(o.threads);
  std::filesystem::create_directories(o.out);
  ResultLog log = ResultLog::open(o.out + "/results.jsonl");
  const std::size_t resumed = log.rows().size();
  const std::vector<std::string> datasets = {"fashion-mnist", "inversek2j", "blackscholes"};
  const EnergyParams energy;
  std::vector<HistogramGroup> sensitivity_groups;
  for (const std::string& dataset : datasets) {
    const TrainConfig base = dataset_config(dataset, o);
    progress.status("loading " + dataset);
    const PreparedData data = prepare_data(base);
    ModelStore store(o.out + "/models", data, base, progress);
    auto evaluate = [&](const std::string& method, const HardwareConfig& trained_on, const HardwarePoint& point) {
      if (log.contains(point_row(dataset, method, point, o.seed).key())) return;
      auto net = store.model(method, trained_on, o.seed);
      progress.status(fmt::format("{}: evaluating {} on {}", dataset, method, point.label()));
      log.append(evaluate_point(*net, data, base, point, method, o.seed, energy));
    };
    const HardwareConfig none = hardware("exact", "none");
    for (const char* k : kPresets) evaluate("baseline", none, {k, "none", ""});
    for (const char* v : kVoltages) evaluate("baseline", none, {"exact", v, ""});
    for (const char* k : kPresets)
      for (const char* m : kMethods) evaluate(m, hardware(k, "none"), {k, "none", ""});
    for (const char* m : kMethods)
      for (const char* v : kVoltages) evaluate(m, hardware("exact", kNtvTrainVoltage), {"exact", v, ""});
    if (dataset == "fashion-mnist") {  // per-weight sensitivity on K3: baseline vs act, for the histogram
      for (const char* m : {"baseline", "act"}) {
        auto net = store.model(m, m == std::string("act") ? hardware("K3", "none") : none, o.seed);
        HardwareState k3 = HardwareState::emulate(Multiplier::parse("K3"), {}, static_cast<std::uint64_t>(o.seed));
        sensitivity_groups.push_back({m, measure_sensitivity(*net, data.test, data.task, k3, base.batch_size).sample});
      }
    }
  }
  const std::vector<ResultRow>& rows = log.rows();
  nlohmann::json results = {{"profile", o.quick ? "quick" : "full"}, {"resumed_points", resumed},
                            {"rows", nlohmann::json::array()}, {"summary", summarise(rows, datasets)},
                            {"paper", {{"hardware", {"K1", "K2", "K3"}},
                                       {"sensitivity_reduction_act", kPaperSensitivityReduction},
                                       {"error_reduction_axtrain", kPaperErrorReduction}}}};
  for (const ResultRow& r : rows) {
    nlohmann::json j = to_json(r);
    j["hardware"] = hardware_label(r);
    results["rows"].push_back(j);
  }
  write_file_atomic(o.out + "/results.json", results.dump(2) + "\n");
  write_file_atomic(o.out + "/results.csv", rows_csv(rows));

  // The report.
  std::string table = "| dataset | hardware | sensitivity reduction (act) | paper | error reduction: pas | act | axtrain | paper (axtrain) |\n"
                      "|---|---|---|---|---|---|---|---|\n";
  for (const auto& s : results["summary"])
    table += fmt::format("| {} | {} | {:.1f} % | {:.2f} % | {:.1f} % | {:.1f} % | {:.1f} % | {:.2f} % |\n",
                         s["dataset"].get<std::string>(), s["hardware"].get<std::string>(),
                         100 * s.value("sensitivity_reduction_act", 0.0), 100 * s["paper_sensitivity_reduction_act"].get<double>(),
                         100 * s.value("error_reduction_pas", 0.0), 100 * s.value("error_reduction_act", 0.0),
                         100 * s.value("error_reduction_axtrain", 0.0), 100 * s["paper_error_reduction_axtrain"].get<double>());
  PlotSpec energy_plot;
  energy_plot.title = "Fashion-MNIST: accuracy vs energy";
  energy_plot.x_label = "energy per inference (nJ)";
  energy_plot.y_label = "test error on the hardware";
  PlotSpec voltage_plot;
  voltage_plot.title = "Fashion-MNIST: error vs SRAM voltage";
  voltage_plot.x_label = "SRAM supply voltage (V)";
  voltage_plot.y_label = "test error (mean over trials)";
  for (const std::string m : {"baseline", "pas", "act", "axtrain"}) {
    PlotSeries e, v;
    e.name = v.name = m;
    e.style = PlotSeries::Style::kMarkers;
    for (const ResultRow& r : rows) {
      if (r.dataset != "fashion-mnist" || r.method != m) continue;
      e.x.push_back(r.energy_pj / 1000), e.y.push_back(r.error_hw);
      e.labels.push_back(r.memory == "none" ? r.multiplier : r.memory);
      if (r.memory != "none") v.x.push_back(r.voltage), v.y.push_back(r.error_hw);
    }
    // The method's Pareto front (energy, error) in its points' colour.
    std::vector<TradeoffPoint> points;
    for (std::size_t i = 0; i < e.x.size(); ++i) points.push_back({e.x[i], e.y[i]});
    PlotSeries front;
    front.style = PlotSeries::Style::kStep;
    front.color = e.color = v.color = palette_color(energy_plot.series.size() / 2);
    for (std::size_t i : pareto_front(points)) front.x.push_back(e.x[i]), front.y.push_back(e.y[i]);
    energy_plot.series.push_back(e);
    energy_plot.series.push_back(front);
    voltage_plot.series.push_back(v);
  }
  PlotSpec curves;
  curves.title = "Fashion-MNIST: training curves (baseline, then fine-tuning for K3)";
  curves.x_label = "epoch";
  curves.y_label = "training loss";
  for (const std::string name : {"fashion-mnist-base-seed", "fashion-mnist-pas-K3-none-seed", "fashion-mnist-act-K3-none-seed",
                                 "fashion-mnist-axtrain-K3-none-seed"}) {
    PlotSeries s;
    s.name = name.substr(14, name.size() - 14 - 5);
    s.y = read_curve(fmt::format("{}/models/{}{}.history.csv", o.out, name, o.seed), 1);
    for (std::size_t i = 0; i < s.y.size(); ++i) s.x.push_back(static_cast<double>(i + 1));
    curves.series.push_back(s);
  }
  std::vector<ReportSection> sections;
  sections.push_back({"Reproduction of the paper's table",
                      fmt::format("Profile: {}. Reductions against the equal-budget baseline on the same hardware "
                                  "(SPEC 2.8); the paper's numbers beside ours.\n\n{}", o.quick ? "quick" : "full", table),
                      "", ""});
  sections.push_back({"Accuracy vs energy", "Every Fashion-MNIST point (K1-K3 and the NTV sweep); lines are each method's Pareto front.", render_plot(energy_plot), "energy.svg"});
  sections.push_back({"Error vs voltage", "Models trained for 0.6 V (baseline: hardware-agnostic).", render_plot(voltage_plot), "voltage.svg"});
  sections.push_back({"Sensitivity histograms", "Per-weight sensitivity on K3, baseline vs AxTrain-act (log10).",
                      render_histogram("Per-weight sensitivity on K3", "log10 sensitivity", sensitivity_groups, 40, true), "sensitivity.svg"});
  sections.push_back({"Training curves", "", render_plot(curves), "curves.svg"});
  write_report(o.out, "AxTrain reproduction", sections);
  return results;
}

}  // namespace axtrain
