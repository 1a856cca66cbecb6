#include "axtrain/report/svg_plot.h"

#include "axtrain/util/check.h"
#include "plot_axis.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <optional>

namespace axtrain {
namespace {

using Point = std::pair<double, double>;

// A white outline behind text drawn over data, so that it stays readable where it crosses a line.
constexpr const char* kHalo = R"( stroke="white" stroke-width="3" stroke-linejoin="round" paint-order="stroke")";

void check_size(int width, int height) {
  AXT_CHECK(width >= 240 && height >= 180 && width <= 10000 && height <= 10000,
            "plot size {}x{} px is out of range; use a width of 240..10000 and a height of 180..10000", width, height);
}

bool usable(double v, bool log) {
  return std::isfinite(v) && (!log || v > 0);
}

// The drawable points of a series, in pixel-free data values.
std::vector<std::size_t> usable_points(const PlotSeries& s, const PlotSpec& spec) {
  std::vector<std::size_t> idx;
  for (std::size_t i = 0; i < s.x.size(); ++i)
    if (usable(s.x[i], spec.log_x) && usable(s.y[i], spec.log_y)) idx.push_back(i);
  return idx;
}

std::string color_of(const std::string& color, std::size_t index) {
  return xml_escape(color.empty() ? palette_color(index) : color);
}

std::string short_num(double v) {
  return fmt::format("{:.4g}", v);
}

// Places `label` beside the marker at (cx, cy) where it overlaps nothing placed so far and stays inside the
// frame; returns false (and draws nothing) when no spot is free.
bool place_label(std::string& out, const plot::Frame& f, double cx, double cy, const std::string& label,
                 std::vector<plot::Box>& placed) {
  constexpr double kSize = 9.5;
  const double w = plot::text_width(label, kSize);
  struct Spot {
    double dx, dy;
    bool right;
  };
  const std::array<Spot, 4> spots = {Spot{6, -5, true}, Spot{6, 12, true}, Spot{-6, -5, false}, Spot{-6, 12, false}};
  for (const Spot& s : spots) {
    const double x0 = s.right ? cx + s.dx : cx + s.dx - w;
    const plot::Box box{x0, cy + s.dy - kSize, x0 + w, cy + s.dy + 2};
    if (box.x0 < f.left + 1 || box.x1 > f.right - 1 || box.y0 < f.top + 1 || box.y1 > f.bottom - 1) continue;
    if (std::any_of(placed.begin(), placed.end(), [&](const plot::Box& b) { return b.overlaps(box); })) continue;
    placed.push_back(box);
    out += fmt::format(R"(<text class="pt-label" x="{}" y="{}" font-size="{}" fill="#444"{}>{}</text>)",
                       plot::px(box.x0), plot::px(cy + s.dy), kSize, kHalo, xml_escape(label));
    out += '\n';
    return true;
  }
  return false;
}

// Pixel samples along a polyline, so the legend avoids lines as well as markers.
void sample_line(const std::vector<Point>& pts, std::vector<Point>& occupied) {
  for (std::size_t i = 0; i + 1 < pts.size(); ++i)
    for (int k = 0; k < 8; ++k) {
      const double t = k / 8.0;
      occupied.emplace_back(pts[i].first + t * (pts[i + 1].first - pts[i].first),
                            pts[i].second + t * (pts[i + 1].second - pts[i].second));
    }
  if (!pts.empty()) occupied.push_back(pts.back());
}

}  // namespace

const std::string& palette_color(std::size_t index) {
  static const std::array<std::string, 7> kPalette = {"#0072B2", "#D55E00", "#009E73", "#CC79A7",
                                                      "#E69F00", "#56B4E9", "#000000"};
  return kPalette[index % kPalette.size()];
}

std::string xml_escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default:
        // Control characters are not allowed in XML 1.0 text; show them as spaces.
        out += (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') ? ' ' : c;
    }
  }
  return out;
}

std::string render_plot(const PlotSpec& spec, int width, int height) {
  check_size(width, height);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double x_min = kInf, x_max = -kInf, y_min = kInf, y_max = -kInf;
  for (const PlotSeries& s : spec.series) {
    AXT_CHECK(s.x.size() == s.y.size(), "plot series '{}' has {} x values but {} y values; give one y per x", s.name,
              s.x.size(), s.y.size());
    AXT_CHECK(s.labels.empty() || s.labels.size() == s.x.size(),
              "plot series '{}' has {} labels for {} points; give one label per point or none", s.name, s.labels.size(),
              s.x.size());
    for (std::size_t i : usable_points(s, spec)) {
      x_min = std::min(x_min, s.x[i]), x_max = std::max(x_max, s.x[i]);
      y_min = std::min(y_min, s.y[i]), y_max = std::max(y_max, s.y[i]);
    }
  }
  const bool hline = spec.hline && usable(*spec.hline, spec.log_y);
  if (hline) y_min = std::min(y_min, *spec.hline), y_max = std::max(y_max, *spec.hline);

  plot::Axis x = plot::make_axis(x_min, x_max, spec.log_x);
  plot::Axis y = plot::make_axis(y_min, y_max, spec.log_y);
  const plot::Frame f = plot::layout(width, height, !spec.title.empty(), x, y);
  std::string out;
  plot::draw_frame(out, f, spec.title, spec.x_label, spec.y_label, x, y);

  std::vector<Point> occupied;
  std::vector<plot::Box> placed;  // text boxes already drawn (hline label, legend, point labels)
  std::vector<plot::LegendEntry> legend;
  std::string data;
  std::optional<double> hline_y;  // where the hline label goes, once the data is known
  if (hline) {
    const double py = y.map(*spec.hline);
    data += fmt::format(R"(<line class="hline" x1="{}" y1="{}" x2="{}" y2="{}" stroke="#666" stroke-width="1.2" )"
                        R"(stroke-dasharray="6 4"/>)",
                        plot::px(f.left), plot::px(py), plot::px(f.right), plot::px(py));
    data += '\n';
    for (double px = f.left; px <= f.right; px += 12) occupied.emplace_back(px, py);
    if (!spec.hline_label.empty()) hline_y = py;
  }
  // Lines first, markers on top of all lines.
  std::vector<std::vector<Point>> markers(spec.series.size());
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const PlotSeries& s = spec.series[si];
    const std::string color = color_of(s.color, si);
    std::vector<std::size_t> idx = usable_points(s, spec);
    const bool line = s.style != PlotSeries::Style::kMarkers;
    const bool marks = s.style != PlotSeries::Style::kLine;
    if (s.style == PlotSeries::Style::kStep)
      std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return s.x[a] < s.x[b]; });
    std::vector<Point> pts;
    pts.reserve(idx.size());
    for (std::size_t i : idx) pts.emplace_back(x.map(s.x[i]), y.map(s.y[i]));
    if (line && !pts.empty()) {
      std::vector<Point> path;
      for (std::size_t k = 0; k < pts.size(); ++k) {
        if (s.style == PlotSeries::Style::kStep && k > 0) path.emplace_back(pts[k].first, pts[k - 1].second);
        path.push_back(pts[k]);
      }
      std::string points;
      for (const auto& [px, py] : path) points += (points.empty() ? "" : " ") + plot::px(px) + "," + plot::px(py);
      data += fmt::format(R"(<polyline class="series" fill="none" stroke="{}" stroke-width="2" )"
                          R"(stroke-linejoin="round" points="{}"/>)",
                          color, points);
      data += '\n';
      sample_line(path, occupied);
    }
    if (marks) markers[si] = pts;
    occupied.insert(occupied.end(), pts.begin(), pts.end());
    if (!s.name.empty()) legend.push_back(plot::LegendEntry{s.name, color, line, marks, false});
  }
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const PlotSeries& s = spec.series[si];
    const std::string color = color_of(s.color, si);
    std::vector<std::size_t> idx = usable_points(s, spec);
    if (s.style == PlotSeries::Style::kStep)
      std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return s.x[a] < s.x[b]; });
    for (std::size_t k = 0; k < markers[si].size(); ++k) {
      const std::size_t i = idx[k];
      std::string tip = s.name.empty() ? "" : s.name + ": ";
      if (!s.labels.empty() && !s.labels[i].empty()) tip += s.labels[i] + " ";
      tip += "(" + short_num(s.x[i]) + ", " + short_num(s.y[i]) + ")";
      data += fmt::format(R"(<circle class="pt" cx="{}" cy="{}" r="3.5" fill="{}" stroke="white" stroke-width="0.8">)"
                          R"(<title>{}</title></circle>)",
                          plot::px(markers[si][k].first), plot::px(markers[si][k].second), color, xml_escape(tip));
      data += '\n';
    }
  }
  out += data;
  if (hline_y) {  // the label at the end of the line (right or left, above or below) with the fewest points
    const double w = plot::text_width(spec.hline_label, 11), py = *hline_y;
    std::optional<plot::Box> best;
    long best_count = 0;
    for (const double ty : {py - 4, py + 13})
      for (const double x0 : {f.right - 6 - w, f.left + 6}) {
        const plot::Box box{x0, ty - 11, x0 + w, ty + 2};
        if (box.y0 < f.top || box.y1 > f.bottom) continue;
        long n = 0;
        for (const auto& [ox, oy] : occupied)
          n += ox >= box.x0 - 4 && ox <= box.x1 + 4 && oy > box.y0 - 4 && oy < box.y1 + 4 && oy != py;
        if (!best || n < best_count) best = box, best_count = n;
      }
    if (best) {
      out += fmt::format(R"(<text class="hline-label" x="{}" y="{}" font-size="11" fill="#555"{}>{}</text>)",
                         plot::px(best->x0), plot::px(best->y1 - 2), kHalo, xml_escape(spec.hline_label));
      out += '\n';
      placed.push_back(*best);
      for (double tx = best->x0; tx <= best->x1; tx += 6) occupied.emplace_back(tx, best->y1 - 6);
    }
  }
  placed.push_back(plot::draw_legend(out, f, legend, occupied));
  for (const auto& pts : markers)  // markers are obstacles for point labels
    for (const auto& [mx, my] : pts) placed.push_back(plot::Box{mx - 4, my - 4, mx + 4, my + 4});
  // Point labels last, clear of the legend, the hline label and each other.
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const PlotSeries& s = spec.series[si];
    if (s.labels.empty()) continue;
    for (std::size_t i : usable_points(s, spec))
      if (!s.labels[i].empty()) place_label(out, f, x.map(s.x[i]), y.map(s.y[i]), s.labels[i], placed);
  }
  out += "</svg>\n";
  return out;
}

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
  check_size(width, height);
  const HistogramBins h = histogram_bins(groups, bins, log10_values);
  long top = 0;
  for (const auto& counts : h.counts)
    for (long c : counts) top = std::max(top, c);
  plot::Axis x = plot::make_axis(h.lo, h.hi, log10_values);
  plot::Axis y = plot::make_axis(0, static_cast<double>(std::max(top, 1L)), false, 5);
  if (y.step < 1) y = plot::make_axis(0, 4, false, 5);  // counts are whole numbers: no ticks at 0.5
  y.inset = 0;
  const plot::Frame f = plot::layout(width, height, !title.empty(), x, y);
  std::string out;
  plot::draw_frame(out, f, title, x_label, "count", x, y);

  // Bin edges as values: equal steps in the value, or in its log10.
  const double k0 = log10_values ? std::log10(h.lo) : h.lo, k1 = log10_values ? std::log10(h.hi) : h.hi;
  auto edge = [&](int b) {
    const double k = k0 + (k1 - k0) * b / bins;
    return log10_values ? std::pow(10.0, k) : k;
  };
  std::vector<Point> occupied;
  std::vector<plot::LegendEntry> legend;
  const double opacity = groups.size() > 1 ? 0.45 : 0.7;
  for (std::size_t g = 0; g < groups.size(); ++g) {
    const std::string color = color_of("", g);
    for (int b = 0; b < bins; ++b) {
      const long c = h.counts[g][static_cast<std::size_t>(b)];
      if (c == 0) continue;
      const double x0 = x.map(edge(b)), x1 = x.map(edge(b + 1)), y0 = y.map(static_cast<double>(c)), y1 = y.map(0);
      out += fmt::format(R"(<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{}" fill-opacity="{}" )"
                         R"(stroke="{}" stroke-width="0.6"><title>{}: {} in [{}, {})</title></rect>)",
                         plot::px(x0), plot::px(y0), plot::px(std::max(0.5, x1 - x0)), plot::px(y1 - y0), color,
                         opacity, color, xml_escape(groups[g].name.empty() ? "count" : groups[g].name), c,
                         short_num(edge(b)), short_num(edge(b + 1)));
      out += '\n';
      for (double py = y0; py <= y1; py += 8) occupied.emplace_back((x0 + x1) / 2, py);
    }
    if (!groups[g].name.empty()) legend.push_back(plot::LegendEntry{groups[g].name, color, false, false, true});
  }
  plot::draw_legend(out, f, legend, occupied);
  out += "</svg>\n";
  return out;
}

}  // namespace axtrain
