#include "axtrain/runs/reproduce_report.h"

#include "axtrain/config/hardware.h"
#include "axtrain/explore/sweep_point.h"
#include "axtrain/report/svg_plot.h"
#include "axtrain/runs/tradeoff_plot.h"
#include "axtrain/runs/verdicts.h"
#include "axtrain/train/evaluation.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <set>

namespace axtrain {
namespace {

bool on_memory(const ResultRow& r) {
  return parse_memory(r.memory).kind != MemorySetting::Kind::kNone;
}

std::string percent(const std::optional<double>& value) {
  return value ? fmt::format("{:.1f} %", 100 * *value) : "-";
}

std::string error(const std::optional<double>& value) {
  return value ? fmt::format("{:.4f}", *value) : std::string("-");
}

std::string comparator_table(std::span<const ReproduceSummaryRow> summary) {
  const auto points = [](const std::optional<double>& value) {
    return value ? fmt::format("{:+.2f} pp", 100 * *value) : std::string("-");
  };
  std::string table =
      "| dataset | hardware | baseline exact | baseline on hw | compensated baseline | axtrain on hw | pas vs "
      "free baseline | act vs free baseline | axtrain vs free baseline | pas cost on exact | act cost on exact | "
      "axtrain cost on exact |\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const ReproduceSummaryRow& s : summary)
    table +=
        fmt::format("| {} | {} | {:.4f} | {:.4f} | {} | {} | {} | {} | {} | {} | {} | {} |\n", s.dataset, s.hardware,
                    s.baseline_error_exact, s.baseline_error_hw, error(s.baseline_error_hw_compensated),
                    error(s.error_hw[2]), percent(s.error_reduction_vs_compensated[0]),
                    percent(s.error_reduction_vs_compensated[1]), percent(s.error_reduction_vs_compensated[2]),
                    points(s.exact_cost[0]), points(s.exact_cost[1]), points(s.exact_cost[2]));
  return table;
}

// What the models of the voltage sweep were trained for ("exact 0.5V"), from the rows themselves.
std::string ntv_training(const std::vector<ResultRow>& rows, const std::string& dataset) {
  std::set<std::string> trained_for;
  for (const ResultRow& r : rows)
    if (r.dataset == dataset && r.method != Method::kBaseline && on_memory(r)) trained_for.insert(r.trained_for);
  return trained_for.empty() ? "-" : fmt::format("{}", fmt::join(trained_for, ", "));
}

// Training loss per epoch: the baseline's epochs 1..B, then each fine-tuning's epochs B+1..B+F.
PlotSpec curve_plot(const ReproduceFigures& f) {
  PlotSpec plot;
  plot.title = fmt::format("{}: training curves (baseline, then fine-tuning for {})", f.dataset, f.hardware);
  plot.x_label = "epoch";
  plot.y_label = "training loss (without the regulariser)";
  plot.integer_x = true;
  const auto curve = [](std::string name, const TrainHistory& history, int offset) {
    PlotSeries s;
    s.name = std::move(name);
    s.style = PlotSeries::Style::kLineMarkers;
    for (const EpochStats& e : history.epochs) {
      s.x.push_back(static_cast<double>(offset + e.epoch));
      s.y.push_back(e.loss);
    }
    return s;
  };
  plot.series.push_back(curve("baseline", f.baseline, 0));
  const int offset = f.baseline.epochs.empty() ? 0 : f.baseline.epochs.back().epoch;
  for (const auto& [method, history] : f.finetuning)
    plot.series.push_back(curve(fmt::format("{} {}", method, f.hardware), history, offset));
  return plot;
}

}  // namespace

std::string reproduce_table(std::span<const ReproduceSummaryRow> summary) {
  std::string table =
      "| dataset | hardware | energy (nJ) | baseline exact | baseline on hw | act sensitivity reduction | paper: act "
      "sensitivity | pas on hw | act on hw | axtrain on hw | pas reduction | act reduction | axtrain reduction | "
      "paper: axtrain reduction "
      "|\n"
      "|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n";
  for (const ReproduceSummaryRow& s : summary)
    table += fmt::format(
        "| {} | {} | {:.4g} | {:.4f} | {:.4f} | {} | {:.2f} % | {} | {} | {} | {} | {} | {} | {:.2f} % |\n", s.dataset,
        s.hardware, s.energy_pj / 1000, s.baseline_error_exact, s.baseline_error_hw,
        percent(s.sensitivity_reduction_act), 100 * s.paper_sensitivity_reduction_act, error(s.error_hw[0]),
        error(s.error_hw[1]), error(s.error_hw[2]), percent(s.error_reduction_pas), percent(s.error_reduction_act),
        percent(s.error_reduction_axtrain), 100 * s.paper_error_reduction_axtrain);
  return table;
}

std::string reproduce_verdict(const ReproduceResult& result, const std::string& dataset) {
  std::vector<std::string> ours, paper, compensated, hardware;
  for (const ReproduceSummaryRow& s : result.summary) {
    if (s.dataset != dataset) continue;
    hardware.push_back(s.hardware);
    ours.push_back(percent(s.error_reduction_axtrain));
    paper.push_back(fmt::format("{:.2f} %", 100 * s.paper_error_reduction_axtrain));
    compensated.push_back(percent(s.error_reduction_vs_compensated[2]));
  }
  std::vector<std::size_t> multipliers, voltages;
  for (std::size_t i = 0; i < result.rows.size(); ++i)
    if (result.rows[i].dataset == dataset) (on_memory(result.rows[i]) ? voltages : multipliers).push_back(i);
  std::string text;
  if (!hardware.empty())
    text = fmt::format(
        "On {}, AxTrain's reduction of the baseline's approximation-induced error on {} is {} (paper: {}); "
        "against the better free baseline (bias-compensated or plain), {} (negative: more error than it).",
        dataset, fmt::join(hardware, " / "), fmt::join(ours, " / "), fmt::join(paper, " / "),
        fmt::join(compensated, " / "));
  for (const std::string& sentence : {most_accurate_sentence(result.rows, multipliers, "multiplier"),
                                      most_accurate_sentence(result.rows, voltages, "SRAM voltage")})
    if (!sentence.empty()) text += (text.empty() ? "" : " ") + sentence;
  return text;
}

std::vector<ReportSection> reproduce_report(const ReproduceResult& result, const ReproduceFigures& figures) {
  const std::vector<ResultRow>& rows = result.rows;
  PlotSpec energy_plot = tradeoff_plot(figures.dataset + ": error vs energy per inference");
  PlotSpec voltage_plot;
  voltage_plot.title = figures.dataset + ": error vs SRAM voltage";
  voltage_plot.x_label = "SRAM supply voltage (V)";
  voltage_plot.y_label = "test error (mean over trials)";
  int trials = 1;
  for (const Method m : {Method::kBaseline, Method::kPas, Method::kAct, Method::kAxtrain}) {
    std::vector<std::size_t> indices;
    PlotSeries v;
    v.name = std::string(name_of(m));
    v.dodge_px = 3.0 * (static_cast<double>(voltage_plot.series.size()) - 1.5);  // 4 methods: -4.5 .. 4.5 px
    for (std::size_t i = 0; i < rows.size(); ++i) {
      const ResultRow& r = rows[i];
      if (r.dataset != figures.dataset || r.method != m) continue;
      indices.push_back(i);
      if (!on_memory(r)) continue;
      v.x.push_back(r.voltage), v.y.push_back(r.error_hw), v.y_err.push_back(r.error_hw_ci95);
      trials = std::max(trials, r.trials);
    }
    v.color = add_tradeoff_series(energy_plot, v.name, rows, indices,
                                  [](const ResultRow& r) { return on_memory(r) ? r.memory : r.multiplier; });
    voltage_plot.series.push_back(v);
  }
  for (const ResultRow& r : rows)
    if (r.dataset == figures.dataset && r.method == Method::kBaseline && !on_memory(r)) {
      energy_plot.hlines = {{r.error_exact, fmt::format("baseline on exact hardware: {:.4f}", r.error_exact)}};
      break;
    }
  const char* profile = kReproduceProfileNames[static_cast<std::size_t>(result.profile)].data();
  std::vector<ReportSection> sections;
  sections.push_back(
      {"Reproduction of the paper's table",
       fmt::format("Profile: {}, seed {}. {}\n\nA reduction is 1 - (E(method, hw) - E(baseline, exact)) / "
                   "(E(baseline, hw) - E(baseline, exact)), against the baseline trained for as many "
                   "epochs (SPEC 2.8); negative: more error than the baseline. The paper's numbers "
                   "(its averages per multiplier) beside ours, the errors and the energy per inference "
                   "(nominal voltage) beside the reductions.\n\n{}",
                   profile, result.rows.empty() ? 0 : result.rows.front().seed,
                   reproduce_verdict(result, figures.dataset), reproduce_table(result.summary)),
       "", ""});
  sections.push_back(
      {"Against the bias-compensated baseline",
       fmt::format("Compensating the multiplier's mean error in each layer's bias is free: no training, a "
                   "calibration on {} training rows. The 'vs free baseline' reductions are against the better of "
                   "the compensated and the plain baseline (the calibration raises the error where the compensated "
                   "column is above the plain one), so no gain is credited to training that a calibration gives; "
                   "negative: more error than that baseline. The cost on exact hardware is each method's "
                   "exact-hardware error minus the baseline's (percentage points; positive = worse on an exact "
                   "chip).\n\n{}",
                   kBiasCalibrationSamples, comparator_table(result.summary)),
       "", ""});
  sections.push_back(
      {"Error vs energy",
       fmt::format("Every {} point (multipliers and the voltage sweep); staircases are each method's Pareto front; "
                   "dashed: the baseline on exact hardware. Bars: 95 % CI over {} Monte Carlo trials (memory faults).",
                   figures.dataset, trials),
       render_plot(energy_plot), "energy.svg"});
  sections.push_back({"Error vs voltage",
                      fmt::format("pas, act and axtrain trained for {} (multiplier and SRAM voltage), the baseline "
                                  "for neither; each evaluated at every voltage. Bars: 95 % CI over {} Monte Carlo "
                                  "trials of the memory faults.",
                                  ntv_training(rows, figures.dataset), trials),
                      render_plot(voltage_plot), "voltage.svg"});
  std::vector<std::string> groups, drawn;
  for (const HistogramGroup& g : figures.sensitivity) {
    groups.push_back(g.name);
    const auto positive = std::count_if(g.values.begin(), g.values.end(), [](double v) { return v > 0; });
    drawn.push_back(fmt::format("{}: {} of {} drawn", g.name, positive, g.values.size()));
  }
  sections.push_back(
      {"Sensitivity histograms",
       fmt::format("Per-weight sensitivity on {} of {} (bins equal in log10), each model trained as in the table; "
                   "weights of zero sensitivity cannot be drawn on the log axis ({}).",
                   figures.hardware, fmt::join(groups, " and "), fmt::join(drawn, ", ")),
       render_histogram(fmt::format("Per-weight sensitivity on {}", figures.hardware), "sensitivity (log scale)",
                        figures.sensitivity, 40, true),
       "sensitivity.svg"});
  const int baseline_epochs = figures.baseline.epochs.empty() ? 0 : figures.baseline.epochs.back().epoch;
  sections.push_back(
      {"Training curves",
       fmt::format("The baseline trains for {} epochs; each method then fine-tunes it for {} epochs, "
                   "drawn from epoch {} on.",
                   baseline_epochs, figures.finetuning.empty() ? 0 : figures.finetuning[0].second.epochs.size(),
                   baseline_epochs + 1),
       render_plot(curve_plot(figures)), "curves.svg"});
  return sections;
}

}  // namespace axtrain
