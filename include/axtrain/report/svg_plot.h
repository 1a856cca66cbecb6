// Hand-written SVG plots for reports: scatter/line plots with 'nice' axes (histograms: svg_histogram.h). No libtorch,
// no plotting library. Every function returns one self-contained <svg> element as text: no external references, no
// scripts, fonts by generic family ("sans-serif"), all text XML-escaped. The only URI in the output is the SVG
// namespace name (xmlns="http://www.w3.org/2000/svg"), which a standalone .svg file needs and which is never fetched;
// write_report (report.h) drops it when it inlines an SVG into HTML.
//
// Coordinates are pixels in the SVG's own user space (viewBox "0 0 width height"); data values are in the
// caller's units, which the axis labels should name, e.g. "energy per inference (nJ)".
#pragma once

#include <cstddef>
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
                                    // a label that would overlap a marker, the legend or an earlier label is
                                    // left out
  std::vector<double> y_err;        // optional: each point's half-width (a 95 % CI), drawn as an error bar
                                    // <path class="errbar"> from y - e to y + e where e > 0 is finite
  double dodge_px = 0;  // drawn this many pixels right of its x (-6..6), so that series sharing x values keep
                        // their markers and error bars apart; tooltips keep the data values
};

// A dashed horizontal reference line across the plot (e.g. the error budget): <line class="hline"
// data-y="value">; its label is a legend entry with a dashed swatch.
struct ReferenceLine {
  double y = 0;
  std::string label;  // "" = no legend entry; lines with the same label share one entry
};

struct PlotSpec {
  std::string title, x_label, y_label;  // axis labels include units
  bool log_x = false, log_y = false;    // log axes: ticks at decades, values <= 0 skipped
  bool integer_x = false;               // x ticks at whole numbers only (epochs)
  std::vector<PlotSeries> series;
  std::vector<ReferenceLine> hlines;  // non-finite ones (and non-positive ones on a log axis) are skipped
};

// Renders `spec` as an <svg> of width x height pixels (width >= 240, height >= 180; else axtrain::Error).
// Axes use 'nice' ticks (steps 1, 2 or 5 times a power of ten; decades on log axes) with labels that parse
// as numbers. The ranges cover every drawn point, its error bar and the reference lines; a degenerate range
// (one point, all points equal, no points) is padded, so the output never holds a non-finite coordinate. The
// legend (one entry per named series, then one per reference-line label, in order) goes in the first plot
// corner (top-right, top-left, bottom-right, bottom-left) where it covers no marker, line or error bar, and
// otherwise to the right of the plot area, the <svg> growing wider than `width` by the legend's width, so that
// it never hides data.
// Throws axtrain::Error when a series' x, y (or non-empty labels) differ in length.
std::string render_plot(const PlotSpec& spec, int width = 640, int height = 400);

// The fixed colour-blind-safe palette (Okabe-Ito, without yellow): colour of series/group `index`.
const std::string& palette_color(std::size_t index);

// Escapes & < > " ' for XML/HTML text and attribute values.
std::string xml_escape(const std::string& text);

}  // namespace axtrain
