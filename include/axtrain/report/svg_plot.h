// Hand-written SVG plots for reports: scatter/line plots with 'nice' axes and histograms. No libtorch, no
// plotting library. Every function returns one self-contained <svg> element as text: no external
// references, no scripts, fonts by generic family ("sans-serif"), all text XML-escaped. The only URI in the
// output is the SVG namespace name (xmlns="http://www.w3.org/2000/svg"), which a standalone .svg file needs
// and which is never fetched; write_report (report.h) drops it when it inlines an SVG into HTML.
//
// Coordinates are pixels in the SVG's own user space (viewBox "0 0 width height"); data values are in the
// caller's units, which the axis labels should name, e.g. "energy per inference (nJ)".
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

namespace axtrain {

// One data series of a plot. x and y have the same length; labels is empty or has that length too.
struct PlotSeries {
  // How the points are drawn. Element counts (what a reader or test can rely on), for n finite points:
  //   kLine        one <polyline class="series"> through the points in the given order (when n >= 1)
  //   kMarkers     n <circle class="pt">
  //   kLineMarkers one polyline and n circles
  //   kStep        a staircase through the points sorted by x (horizontal first, then vertical: at each x the
  //                value of the last point at or left of it -- the attainable front of a Pareto set), one
  //                polyline and n circles
  // Non-finite points (and non-positive ones on a log axis) are skipped; a line joins the remaining points.
  enum class Style { kLine, kMarkers, kLineMarkers, kStep };

  std::string name;          // legend entry; "" = no legend entry
  std::vector<double> x, y;  // data values, same length
  Style style = Style::kLineMarkers;
  std::string color;                // any SVG colour ("#0072B2"); "" = the palette colour for its index
  std::vector<std::string> labels;  // optional per-point text ("K3 0.6V") drawn small beside the marker;
                                    // a label that would overlap an earlier one is left out
};

struct PlotSpec {
  std::string title, x_label, y_label;  // axis labels include units
  bool log_x = false, log_y = false;    // log axes: ticks at decades, values <= 0 skipped
  std::vector<PlotSeries> series;
  std::optional<double> hline;  // a dashed horizontal reference line (e.g. the accuracy budget)
  std::string hline_label;      // its text, drawn above the line at the right end
};

// Renders `spec` as an <svg> of width x height pixels (width >= 240, height >= 180; else axtrain::Error).
// Axes use 'nice' ticks (steps 1, 2 or 5 times a power of ten; decades on log axes) with labels that parse
// as numbers. The ranges cover every drawn point and the hline; a degenerate range (one point, all points
// equal, no points) is padded, so the output never holds a non-finite coordinate. The legend (one entry
// per named series, in order) goes in the plot corner with the fewest points.
// Throws axtrain::Error when a series' x, y (or non-empty labels) differ in length.
std::string render_plot(const PlotSpec& spec, int width = 640, int height = 400);

// The fixed colour-blind-safe palette (Okabe-Ito, without yellow): colour of series/group `index`.
const std::string& palette_color(std::size_t index);

struct HistogramGroup {
  std::string name;            // legend entry; "" = none
  std::vector<double> values;  // raw values; non-finite ones are skipped (and values <= 0 with log10)
};

// Shared bin edges and per-group counts, as render_histogram draws them. With log10_values the bins are
// equal in log10(value) and `lo`/`hi` are still values (not logs). Each group's counts sum to its number of
// finite (positive, with log10) values; the top bin includes its upper edge.
struct HistogramBins {
  double lo = 0.0, hi = 1.0;
  std::vector<std::vector<long>> counts;  // [group][bin]
};
HistogramBins histogram_bins(const std::vector<HistogramGroup>& groups, int bins, bool log10_values);

// Histogram of each group's values in `bins` (1..1000) common bins, groups overlaid as semi-transparent
// <rect class="bar"> (one per non-empty bin), y axis "count". With log10_values the x axis is logarithmic
// (ticks at decades) and the bins are equal in log10(value).
std::string render_histogram(const std::string& title, const std::string& x_label,
                             const std::vector<HistogramGroup>& groups, int bins = 40, bool log10_values = false,
                             int width = 640, int height = 400);

// Escapes & < > " ' for XML/HTML text and attribute values.
std::string xml_escape(const std::string& text);

}  // namespace axtrain
