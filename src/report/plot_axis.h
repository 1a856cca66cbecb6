// Private to the report layer: axes with 'nice' ticks, the plot frame (margins, title, axis labels), the
// legend, and small SVG text helpers shared by render_plot and render_histogram.
#pragma once

#include <cstddef>
#include <string>
#include <utility>
#include <vector>

namespace axtrain::plot {

// One axis: a data range, its ticks, and the pixel positions of the range ends.
struct Axis {
  double lo = 0.0, hi = 1.0;  // data values at the ends (values, also on a log axis)
  bool log = false;
  std::vector<double> ticks;           // labelled ticks, increasing, within [lo, hi]
  std::vector<double> minor;           // small ticks (log axes: 2..9 times a decade)
  std::vector<double> minor_labelled;  // minor ticks that get a (smaller) label: 2 and 5 times a decade
                                       // on log axes of at most two decades
  double step = 1.0;                   // tick step (decades per tick on a log axis)
  double inset = 6.0;                  // pixels between the frame and the ends of the range
  double p0 = 0.0, p1 = 1.0;           // pixel positions of lo and hi (set by layout)

  double map(double value) const;        // data value -> pixel
  std::string label(double tick) const;  // tick text; parses back with strtod (log: "0.01" or "1e-5",
                                         // one style per axis)
};

// An axis covering [min, max] (min > max when there is no data). Linear: 1-2-5 steps, about `target`
// ticks, the ends rounded out to ticks; with `integer` the step is at least 1 (ticks at whole numbers). Log
// (min > 0 required): whole decades. Degenerate ranges padded.
Axis make_axis(double min, double max, bool log, int target = 6, bool integer = false);

// Pixel geometry of a chart.
struct Frame {
  int width = 0, height = 0;
  double left = 0, right = 0, top = 0, bottom = 0;  // plot-area edges in pixels (right/bottom: coordinates)
};

// Chooses margins from the tick labels and text, sets the axes' pixel ends, and returns the frame.
Frame layout(int width, int height, bool has_title, Axis& x, Axis& y);

// Appends the <svg> start tag, title, frame, grid, ticks, tick labels and axis labels.
void draw_frame(std::string& out, const Frame& frame, const std::string& title, const std::string& x_label,
                const std::string& y_label, const Axis& x, const Axis& y);

// A text box in pixels, used to keep labels from overlapping.
struct Box {
  double x0, y0, x1, y1;
  bool overlaps(const Box& other) const;
};

struct LegendEntry {
  std::string name, color;
  bool line = false, marker = false, bar = false, dashed = false;  // dashed: a reference line's swatch
};

// Places the legend in the first corner of the plot area (top-right, top-left, bottom-right, bottom-left) that
// holds none of the pixel points `occupied`; when every corner holds some, the legend goes to the right of the
// plot area and the picture (frame.width) grows by its width (frame.height too, when the legend is taller than
// the picture), so that it never hides data and the plot keeps its size. Returns the legend's box (empty
// without entries).
Box place_legend(Frame& frame, const std::vector<LegendEntry>& entries,
                 const std::vector<std::pair<double, double>>& occupied);

// Draws the legend's entries in `box` (from place_legend).
void draw_legend(std::string& out, const Box& box, const std::vector<LegendEntry>& entries);

// Estimated width in pixels of `text` in a sans-serif font of `size` px (no font metrics available).
double text_width(const std::string& text, double size);

// A pixel coordinate as SVG text, one decimal; non-finite values are an internal error.
std::string px(double value);

// A plot size is 240..10000 x 180..10000 px (else axtrain::Error).
void check_size(int width, int height);

// `color` XML-escaped, or the palette colour of `index` when it is empty.
std::string color_of(const std::string& color, std::size_t index);

// A value for a tooltip: 4 significant digits.
std::string short_num(double value);

}  // namespace axtrain::plot
