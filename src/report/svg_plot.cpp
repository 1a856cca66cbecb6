#include "axtrain/report/svg_plot.h"

#include "axtrain/util/check.h"
#include "plot_axis.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

namespace axtrain {
namespace {

using Point = std::pair<double, double>;

constexpr const char* kReferenceColor = "#666";  // reference lines and their legend swatch
// A white outline behind text drawn over data, so that it stays readable where it crosses a line.
constexpr const char* kHalo = R"( stroke="white" stroke-width="3" stroke-linejoin="round" paint-order="stroke")";

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
    const plot::Box box{x0, cy + s.dy - kSize, x0 + w, cy + s.dy + 2.5};  // the font's ascent and descent
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

// Where a plot's data lies in pixels, for one layout of its axes.
struct Geometry {
  struct ErrorBar {
    std::size_t series;
    double x, top, bottom;
  };
  std::vector<std::vector<std::size_t>> points;  // per series: its usable points, in drawing order
  std::vector<std::vector<Point>> marks;         // per series with markers: the pixels of those points
  std::vector<std::vector<Point>> paths;         // per series with a line: its polyline
  std::vector<ErrorBar> error_bars;
  std::vector<std::pair<double, double>> hlines;  // (value, pixel y) of each drawn reference line
  std::vector<Point> occupied;                    // pixel samples of all of the above, kept clear by the legend
};

double half_width(const PlotSeries& s, std::size_t i) {
  const double e = s.y_err.empty() ? 0.0 : s.y_err[i];
  return std::isfinite(e) && e > 0 ? e : 0.0;
}

Geometry geometry(const PlotSpec& spec, const plot::Axis& x, const plot::Axis& y, const plot::Frame& f) {
  Geometry g;
  for (const ReferenceLine& line : spec.hlines) {
    if (!usable(line.y, spec.log_y)) continue;
    const double py = y.map(line.y);
    g.hlines.emplace_back(line.y, py);
    for (double px = f.left; px <= f.right; px += 12) g.occupied.emplace_back(px, py);
  }
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const PlotSeries& s = spec.series[si];
    std::vector<std::size_t> idx = usable_points(s, spec);
    if (s.style == PlotSeries::Style::kStep)
      std::stable_sort(idx.begin(), idx.end(), [&](std::size_t a, std::size_t b) { return s.x[a] < s.x[b]; });
    std::vector<Point> pts;
    pts.reserve(idx.size());
    for (std::size_t i : idx) pts.emplace_back(x.map(s.x[i]) + s.dodge_px, y.map(s.y[i]));
    std::vector<Point> path;
    if (s.style != PlotSeries::Style::kMarkers)
      for (std::size_t k = 0; k < pts.size(); ++k) {
        if (s.style == PlotSeries::Style::kStep && k > 0) path.emplace_back(pts[k].first, pts[k - 1].second);
        path.push_back(pts[k]);
      }
    sample_line(path, g.occupied);
    g.occupied.insert(g.occupied.end(), pts.begin(), pts.end());
    for (std::size_t k = 0; k < idx.size(); ++k) {
      const double e = half_width(s, idx[k]);
      if (e == 0) continue;
      const double low = spec.log_y && s.y[idx[k]] - e <= 0 ? y.lo : s.y[idx[k]] - e;
      const Geometry::ErrorBar bar{si, pts[k].first, y.map(s.y[idx[k]] + e), y.map(low)};
      g.error_bars.push_back(bar);
      for (double py = bar.top; py <= bar.bottom; py += 6) g.occupied.emplace_back(bar.x, py);
    }
    g.points.push_back(std::move(idx));
    g.marks.push_back(s.style == PlotSeries::Style::kLine ? std::vector<Point>{} : std::move(pts));
    g.paths.push_back(std::move(path));
  }
  return g;
}

// One entry per named series, then one per distinct reference-line label.
std::vector<plot::LegendEntry> legend_entries(const PlotSpec& spec) {
  std::vector<plot::LegendEntry> legend;
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const PlotSeries& s = spec.series[si];
    if (!s.name.empty())
      legend.push_back(plot::LegendEntry{s.name, plot::color_of(s.color, si), s.style != PlotSeries::Style::kMarkers,
                                         s.style != PlotSeries::Style::kLine, false, false});
  }
  for (const ReferenceLine& line : spec.hlines)
    if (!line.label.empty() && usable(line.y, spec.log_y) &&
        std::none_of(legend.begin(), legend.end(), [&](const auto& e) { return e.dashed && e.name == line.label; }))
      legend.push_back(plot::LegendEntry{line.label, kReferenceColor, false, false, false, true});
  return legend;
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
  plot::check_size(width, height);
  constexpr double kInf = std::numeric_limits<double>::infinity();
  double x_min = kInf, x_max = -kInf, y_min = kInf, y_max = -kInf;
  for (const PlotSeries& s : spec.series) {
    AXT_CHECK(s.x.size() == s.y.size(), "plot series '{}' has {} x values but {} y values; give one y per x", s.name,
              s.x.size(), s.y.size());
    AXT_CHECK(s.labels.empty() || s.labels.size() == s.x.size(),
              "plot series '{}' has {} labels for {} points; give one label per point or none", s.name, s.labels.size(),
              s.x.size());
    AXT_CHECK(std::fabs(s.dodge_px) <= 6, "plot series '{}' is dodged by {} px; use -6..6, the axis inset", s.name,
              s.dodge_px);
    AXT_CHECK(s.y_err.empty() || s.y_err.size() == s.x.size(),
              "plot series '{}' has {} error bars for {} points; give one per point or none", s.name, s.y_err.size(),
              s.x.size());
    for (std::size_t i : usable_points(s, spec)) {
      const double e = half_width(s, i);
      x_min = std::min(x_min, s.x[i]), x_max = std::max(x_max, s.x[i]);
      y_min = std::min(y_min, spec.log_y && s.y[i] - e <= 0 ? s.y[i] : s.y[i] - e);
      y_max = std::max(y_max, s.y[i] + e);
    }
  }
  for (const ReferenceLine& line : spec.hlines)
    if (usable(line.y, spec.log_y)) y_min = std::min(y_min, line.y), y_max = std::max(y_max, line.y);

  plot::Axis x = plot::make_axis(x_min, x_max, spec.log_x, 6, spec.integer_x);
  plot::Axis y = plot::make_axis(y_min, y_max, spec.log_y);
  plot::Frame f = plot::layout(width, height, !spec.title.empty(), x, y);
  const Geometry g = geometry(spec, x, y, f);
  const std::vector<plot::LegendEntry> legend = legend_entries(spec);
  const plot::Box legend_box = plot::place_legend(f, legend, g.occupied);
  std::string out;
  plot::draw_frame(out, f, spec.title, spec.x_label, spec.y_label, x, y);
  for (const auto& [value, py] : g.hlines)
    out += fmt::format(R"(<line class="hline" data-y="{}" x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" )"
                       R"(stroke-width="1.2" stroke-dasharray="6 4"/>)",
                       value, plot::px(f.left), plot::px(py), plot::px(f.right), plot::px(py), kReferenceColor) +
           "\n";
  for (std::size_t si = 0; si < spec.series.size(); ++si) {  // lines first, then error bars, markers on top
    if (g.paths[si].empty()) continue;
    std::string points;
    for (const auto& [px, py] : g.paths[si]) points += (points.empty() ? "" : " ") + plot::px(px) + "," + plot::px(py);
    out += fmt::format(R"(<polyline class="series" fill="none" stroke="{}" stroke-width="2" )"
                       R"(stroke-linejoin="round" points="{}"/>)",
                       plot::color_of(spec.series[si].color, si), points) +
           "\n";
  }
  for (const Geometry::ErrorBar& bar : g.error_bars)
    out += fmt::format(R"(<path class="errbar" d="M{0},{1}H{2}M{3},{1}V{4}M{0},{4}H{2}" fill="none" stroke="{5}" )"
                       R"(stroke-width="1.2"/>)",
                       plot::px(bar.x - 3), plot::px(bar.top), plot::px(bar.x + 3), plot::px(bar.x),
                       plot::px(bar.bottom), plot::color_of(spec.series[bar.series].color, bar.series)) +
           "\n";
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const PlotSeries& s = spec.series[si];
    for (std::size_t k = 0; k < g.marks[si].size(); ++k) {
      const std::size_t i = g.points[si][k];
      std::string tip = s.name.empty() ? "" : s.name + ": ";
      if (!s.labels.empty() && !s.labels[i].empty()) tip += s.labels[i] + " ";
      tip += "(" + plot::short_num(s.x[i]) + ", " + plot::short_num(s.y[i]);
      if (half_width(s, i) > 0) tip += " +- " + plot::short_num(half_width(s, i));
      tip += ")";
      out += fmt::format(R"(<circle class="pt" cx="{}" cy="{}" r="3.5" fill="{}" stroke="white" stroke-width="0.8">)"
                         R"(<title>{}</title></circle>)",
                         plot::px(g.marks[si][k].first), plot::px(g.marks[si][k].second), plot::color_of(s.color, si),
                         xml_escape(tip)) +
             "\n";
    }
  }
  plot::draw_legend(out, legend_box, legend);
  // Point labels last, clear of the legend, every marker and each other.
  std::vector<plot::Box> placed = {legend_box};
  for (const auto& pts : g.marks)
    for (const auto& [mx, my] : pts) placed.push_back(plot::Box{mx - 4.5, my - 4.5, mx + 4.5, my + 4.5});
  for (std::size_t si = 0; si < spec.series.size(); ++si) {
    const PlotSeries& s = spec.series[si];
    if (s.labels.empty() || g.marks[si].empty()) continue;
    for (std::size_t k = 0; k < g.points[si].size(); ++k)
      if (const std::string& label = s.labels[g.points[si][k]]; !label.empty())
        place_label(out, f, g.marks[si][k].first, g.marks[si][k].second, label, placed);
  }
  out += "</svg>\n";
  return out;
}

}  // namespace axtrain
