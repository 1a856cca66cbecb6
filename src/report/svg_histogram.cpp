#include "axtrain/report/svg_histogram.h"

#include "axtrain/report/svg_plot.h"
#include "axtrain/util/check.h"
#include "plot_axis.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <limits>

namespace axtrain {

using Point = std::pair<double, double>;

HistogramBins histogram_bins(const std::vector<HistogramGroup>& groups, int bins, bool log10_values) {
  AXT_CHECK(bins >= 1 && bins <= 1000, "histogram bins = {} is out of range; use 1..1000", bins);
  auto usable_value = [&](double v) { return std::isfinite(v) && (!log10_values || v > 0); };
  auto key = [&](double v) { return log10_values ? std::log10(v) : v; };
  double lo = std::numeric_limits<double>::infinity(), hi = -lo;
  for (const HistogramGroup& g : groups)
    for (double v : g.values)
      if (usable_value(v)) lo = std::min(lo, key(v)), hi = std::max(hi, key(v));
  if (!(lo <= hi)) lo = 0, hi = 1;  // no values
  if (hi - lo <= std::max(std::fabs(lo), std::fabs(hi)) * 1e-9) {
    const double pad = log10_values ? 0.5 : (lo != 0 ? std::fabs(lo) * 0.1 : 0.5);
    lo -= pad, hi += pad;
  }
  HistogramBins h;
  h.lo = log10_values ? std::pow(10.0, lo) : lo;
  h.hi = log10_values ? std::pow(10.0, hi) : hi;
  for (const HistogramGroup& g : groups) {
    std::vector<long> counts(static_cast<std::size_t>(bins), 0);
    for (double v : g.values) {
      if (!usable_value(v)) continue;
      const double t = (key(v) - lo) / (hi - lo) * bins;
      const long b = std::clamp(static_cast<long>(std::floor(t)), 0L, static_cast<long>(bins) - 1);
      ++counts[static_cast<std::size_t>(b)];
    }
    h.counts.push_back(std::move(counts));
  }
  return h;
}

std::string render_histogram(const std::string& title, const std::string& x_label,
                             const std::vector<HistogramGroup>& groups, int bins, bool log10_values, int width,
                             int height) {
  plot::check_size(width, height);
  const HistogramBins h = histogram_bins(groups, bins, log10_values);
  long top = 0;
  for (const auto& counts : h.counts)
    for (long c : counts) top = std::max(top, c);
  plot::Axis x = plot::make_axis(h.lo, h.hi, log10_values);
  plot::Axis y = plot::make_axis(0, static_cast<double>(std::max(top, 1L)), false, 5);
  if (y.step < 1) y = plot::make_axis(0, 4, false, 5);  // counts are whole numbers: no ticks at 0.5
  y.inset = 0;
  // Bin edges as values: equal steps in the value, or in its log10.
  const double k0 = log10_values ? std::log10(h.lo) : h.lo, k1 = log10_values ? std::log10(h.hi) : h.hi;
  auto edge = [&](int b) {
    const double k = k0 + (k1 - k0) * b / bins;
    return log10_values ? std::pow(10.0, k) : k;
  };
  std::vector<plot::LegendEntry> legend;
  for (std::size_t g = 0; g < groups.size(); ++g)
    if (!groups[g].name.empty())
      legend.push_back(plot::LegendEntry{groups[g].name, plot::color_of("", g), false, false, true, false});
  plot::Frame f = plot::layout(width, height, !title.empty(), x, y);
  std::vector<Point> occupied;  // samples of every bar, bottom to top
  for (std::size_t g = 0; g < groups.size(); ++g)
    for (int b = 0; b < bins; ++b)
      if (const long c = h.counts[g][static_cast<std::size_t>(b)]; c > 0)
        for (double py = y.map(static_cast<double>(c)); py <= y.map(0); py += 8)
          occupied.emplace_back((x.map(edge(b)) + x.map(edge(b + 1))) / 2, py);
  const plot::Box legend_box = plot::place_legend(f, legend, occupied);
  std::string out;
  plot::draw_frame(out, f, title, x_label, "count", x, y);
  const double opacity = groups.size() > 1 ? 0.45 : 0.7;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::string color = plot::color_of("", g);
    for (int b = 0; b < bins; ++b) {
      const long c = h.counts[g][static_cast<std::size_t>(b)];
      if (c == 0) continue;
      const double x0 = x.map(edge(b)), x1 = x.map(edge(b + 1)), y0 = y.map(static_cast<double>(c)), y1 = y.map(0);
      out += fmt::format(R"(<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="{}" )"
                         R"(stroke="{}" stroke-width="0.6"><title>{}: {} in [{}, {})</title></rect>)",
                         plot::px(x0), plot::px(y0), plot::px(std::max(0.5, x1 - x0)), plot::px(y1 - y0), color,
                         opacity, color, xml_escape(groups[g].name.empty() ? "count" : groups[g].name), c,
                         plot::short_num(edge(b)), plot::short_num(edge(b + 1)));
      out += '\n';
    }
  }
  plot::draw_legend(out, legend_box, legend);
  out += "</svg>\n";
  return out;
}

}  // namespace axtrain
