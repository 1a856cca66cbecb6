#include "axtrain/runs/tradeoff_plot.h"

#include "axtrain/explore/pareto.h"

namespace axtrain {

PlotSpec tradeoff_plot(std::string title) {
  PlotSpec plot;
  plot.title = std::move(title);
  plot.x_label = "energy per inference (nJ)";
  plot.y_label = "test error on the hardware";
  return plot;
}

std::string add_tradeoff_series(PlotSpec& plot, const std::string& name, std::span<const ResultRow> rows,
                                std::span<const std::size_t> indices,
                                const std::function<std::string(const ResultRow&)>& label) {
  PlotSeries all, front;
  all.name = name;
  all.style = PlotSeries::Style::kMarkers;
  front.style = PlotSeries::Style::kStep;
  all.color = front.color = palette_color(plot.series.size() / 2);  // a group's front in its points' colour
  std::vector<TradeoffPoint> points;
  for (std::size_t i : indices) {
    all.x.push_back(rows[i].energy_pj / 1000);
    all.y.push_back(rows[i].error_hw);
    all.labels.push_back(label(rows[i]));
    points.push_back({rows[i].energy_pj, rows[i].error_hw});
  }
  for (std::size_t k : pareto_front(points)) {
    front.x.push_back(all.x[k]);
    front.y.push_back(all.y[k]);
  }
  std::string color = all.color;
  plot.series.push_back(std::move(all));
  plot.series.push_back(std::move(front));
  return color;
}

}  // namespace axtrain
