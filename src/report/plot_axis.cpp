#include "plot_axis.h"

#include "axtrain/report/svg_plot.h"
#include "axtrain/util/check.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <string_view>

namespace axtrain::plot {
namespace {

constexpr double kTitleSize = 15, kLabelSize = 13, kTickSize = 11, kLegendSize = 11, kTickLength = 5, kMinorSize = 10;

// 1, 2 or 5 times a power of ten, at least `raw`.
double nice_step(double raw) {
  const double mag = std::pow(10.0, std::floor(std::log10(raw)));
  const double f = raw / mag;
  return (f <= 1.0 + 1e-9 ? 1.0 : f <= 2.0 + 1e-9 ? 2.0 : f <= 5.0 + 1e-9 ? 5.0 : 10.0) * mag;
}

// A font size at most `size` at which `text` fits in `room` pixels (never below 8).
double fit_size(const std::string& text, double size, double room) {
  const double w = text_width(text, size);
  return w <= room ? size : std::max(8.0, size * room / w);
}

void text(std::string& out, double x, double y, double size, const char* anchor, const std::string& body,
          const std::string& extra = "") {
  out += fmt::format(R"(<text x="{}" y="{}" font-size="{:.1f}" text-anchor="{}"{}>{}</text>)", px(x), px(y), size,
                     anchor, extra, xml_escape(body));
  out += '\n';
}

}  // namespace

double text_width(const std::string& text, double size) {
  // Advance widths in em, rounded up from DejaVu Sans (the sans-serif of Debian's fonts-dejavu-core), so that
  // an estimate errs wide: a label judged free of others is free in the browser too.
  double units = 0;
  for (unsigned char c : text) {
    if ((c & 0xC0) == 0x80) continue;  // UTF-8 continuation byte: counted with its lead byte
    units += std::string_view("ilj.,:;'|!").find(static_cast<char>(c)) != std::string_view::npos  ? 0.32
             : std::string_view(" ()[]trf-").find(static_cast<char>(c)) != std::string_view::npos ? 0.42
             : (c == 'm' || c == 'w' || c == 'M' || c == 'W' || c == '%' || c == '=' || c == '+') ? 0.9
             : (c >= 'A' && c <= 'Z')                                                             ? 0.74
             : (c >= '0' && c <= '9')                                                             ? 0.65
                                                                                                  : 0.63;
  }
  return units * size;
}

std::string px(double value) {
  AXT_ASSERT(std::isfinite(value));
  return fmt::format("{:.1f}", value);
}

void check_size(int width, int height) {
  AXT_CHECK(width >= 240 && height >= 180 && width <= 10000 && height <= 10000,
            "plot size {}x{} px is out of range; use a width of 240..10000 and a height of 180..10000", width, height);
}

std::string color_of(const std::string& color, std::size_t index) {
  return xml_escape(color.empty() ? palette_color(index) : color);
}

std::string short_num(double value) {
  return fmt::format("{:.4g}", value);
}

bool Box::overlaps(const Box& o) const {
  return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
}

double Axis::map(double value) const {
  const double t =
      log ? (std::log10(value) - std::log10(lo)) / (std::log10(hi) - std::log10(lo)) : (value - lo) / (hi - lo);
  return p0 + t * (p1 - p0);
}

std::string Axis::label(double tick) const {
  if (log) {
    const int k = static_cast<int>(std::floor(std::log10(tick) + 1e-9));
    const long m = std::lround(tick / std::pow(10.0, k));
    const bool exponent = std::log10(lo) < -3.5 || std::log10(hi) > 4.5;  // one style for the whole axis
    if (exponent) return fmt::format("{}e{}", m, k);
    return fmt::format("{:.{}f}", static_cast<double>(m) * std::pow(10.0, k), std::max(0, -k));
  }
  const double big = std::max(std::fabs(lo), std::fabs(hi));
  if (big >= 1e6 || step < 1e-5) return fmt::format("{:g}", tick);
  const int decimals = std::max(0, -static_cast<int>(std::floor(std::log10(step) + 1e-9)));
  std::string s = fmt::format("{:.{}f}", tick, decimals);
  if (s.find_first_not_of("-0.") == std::string::npos) s = decimals ? fmt::format("{:.{}f}", 0.0, decimals) : "0";
  return s;
}

Axis make_axis(double min, double max, bool log, int target, bool integer) {
  Axis a;
  a.log = log;
  if (log) {
    double l0 = 0, l1 = 1;  // decades; [1, 10] when there is no data
    if (min <= max && min > 0) {
      l0 = std::floor(std::log10(min) + 1e-12);
      l1 = std::ceil(std::log10(max) - 1e-12);
      if (l1 <= l0) l1 = l0 + 1;
    }
    const double per = std::max(1.0, std::ceil((l1 - l0) / 8.0));
    l0 = std::floor(l0 / per) * per;
    l1 = std::ceil(l1 / per) * per;
    a.step = per;
    a.lo = std::pow(10.0, l0);
    a.hi = std::pow(10.0, l1);
    for (double k = l0; k <= l1 + 1e-9; k += per) a.ticks.push_back(std::pow(10.0, k));
    if (per == 1.0 && l1 - l0 <= 6)
      for (double k = l0; k < l1; k += 1)
        for (int m = 2; m <= 9; ++m) {
          a.minor.push_back(m * std::pow(10.0, k));
          if (l1 - l0 <= 2 && (m == 2 || m == 5)) a.minor_labelled.push_back(a.minor.back());
        }
    return a;
  }
  if (!(min <= max)) min = 0, max = 1;  // no data
  const double scale = std::max(std::fabs(min), std::fabs(max));
  if (max - min <= scale * 1e-9) {  // one value (or values equal to rounding): pad around it
    const double pad = scale > 0 ? scale * 0.1 : 1.0;
    min -= pad;
    max += pad;
  }
  a.step = nice_step((max - min) / std::max(1, target - 1));
  if (integer) a.step = std::max(a.step, 1.0);
  a.lo = std::floor(min / a.step + 1e-9) * a.step;
  a.hi = std::ceil(max / a.step - 1e-9) * a.step;
  for (int i = 0; i < 100; ++i) {
    double t = a.lo + i * a.step;
    if (t > a.hi + a.step * 1e-6) break;
    if (std::fabs(t) < a.step * 1e-9) t = 0.0;
    a.ticks.push_back(t);
  }
  return a;
}

Frame layout(int width, int height, bool has_title, Axis& x, Axis& y) {
  double ytick_w = 0;
  for (double t : y.ticks) ytick_w = std::max(ytick_w, text_width(y.label(t), kTickSize));
  for (double t : y.minor_labelled) ytick_w = std::max(ytick_w, text_width(y.label(t), kTickSize));
  const double last_x = x.ticks.empty() ? 0 : text_width(x.label(x.ticks.back()), kTickSize);
  Frame f;
  f.width = width;
  f.height = height;
  f.left = 10 + kLabelSize + 10 + ytick_w + kTickLength + 4;
  f.right = width - std::max(18.0, last_x / 2 + 6);
  f.top = has_title ? 36 : 14;
  f.bottom = height - (kTickLength + 4 + kTickSize + 12 + kLabelSize + 8);
  x.p0 = f.left + x.inset;
  x.p1 = f.right - x.inset;
  y.p0 = f.bottom - y.inset;
  y.p1 = f.top + y.inset;
  return f;
}

void draw_frame(std::string& out, const Frame& f, const std::string& title, const std::string& x_label,
                const std::string& y_label, const Axis& x, const Axis& y) {
  out += fmt::format(R"(<svg xmlns="http://www.w3.org/2000/svg" width="{0}" height="{1}" viewBox="0 0 {0} {1}" )"
                     R"(font-family="sans-serif" fill="#222">)",
                     f.width, f.height);
  out += '\n';
  if (!title.empty()) out += "<title>" + xml_escape(title) + "</title>\n";
  out += fmt::format(R"(<rect x="0" y="0" width="{}" height="{}" fill="white"/>)", f.width, f.height) + "\n";
  // Grid and minor ticks.
  out += R"(<g stroke="#e6e6e6" stroke-width="1">)";
  for (double t : x.ticks)
    out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", px(x.map(t)), px(f.top), px(f.bottom));
  for (double t : y.ticks)
    out += fmt::format(R"(<line x1="{1}" y1="{0}" x2="{2}" y2="{0}"/>)", px(y.map(t)), px(f.left), px(f.right));
  out += "</g>\n";
  out += R"(<g stroke="#444" stroke-width="1">)";
  for (double t : x.minor)
    out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", px(x.map(t)), px(f.bottom), px(f.bottom + 3));
  for (double t : y.minor)
    out += fmt::format(R"(<line x1="{1}" y1="{0}" x2="{2}" y2="{0}"/>)", px(y.map(t)), px(f.left - 3), px(f.left));
  for (double t : x.ticks)
    out += fmt::format(R"(<line x1="{0}" y1="{1}" x2="{0}" y2="{2}"/>)", px(x.map(t)), px(f.bottom),
                       px(f.bottom + kTickLength));
  for (double t : y.ticks)
    out += fmt::format(R"(<line x1="{1}" y1="{0}" x2="{2}" y2="{0}"/>)", px(y.map(t)), px(f.left - kTickLength),
                       px(f.left));
  out += "</g>\n";
  out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#444" stroke-width="1"/>)",
                     px(f.left), px(f.top), px(f.right - f.left), px(f.bottom - f.top)) +
         "\n";
  // Tick labels: x labels thinned to every k-th when they would touch.
  double xw = 0;
  for (double t : x.ticks) xw = std::max(xw, text_width(x.label(t), kTickSize));
  std::size_t every = 1;
  if (x.ticks.size() > 1) {
    const double gap = std::fabs(x.map(x.ticks[1]) - x.map(x.ticks[0]));
    while (every < x.ticks.size() && gap * static_cast<double>(every) < xw + 8) ++every;
  }
  for (std::size_t i = 0; i < x.ticks.size(); i += every)
    text(out, x.map(x.ticks[i]), f.bottom + kTickLength + 3 + kTickSize, kTickSize, "middle", x.label(x.ticks[i]),
         R"( class="tick-x")");
  for (double t : y.ticks)
    text(out, f.left - kTickLength - 3, y.map(t) + kTickSize * 0.35, kTickSize, "end", y.label(t),
         R"( class="tick-y")");
  const std::string minor_style = R"( fill="#666")";
  if (every == 1)
    for (double t : x.minor_labelled)
      text(out, x.map(t), f.bottom + kTickLength + 3 + kTickSize, kMinorSize, "middle", x.label(t),
           minor_style + R"( class="tick-x-minor")");
  for (double t : y.minor_labelled)
    text(out, f.left - kTickLength - 3, y.map(t) + kMinorSize * 0.35, kMinorSize, "end", y.label(t),
         minor_style + R"( class="tick-y-minor")");
  // Title and axis labels, shrunk to fit when long.
  if (!title.empty())
    text(out, f.width / 2.0, 23, fit_size(title, kTitleSize, f.width - 16), "middle", title,
         R"( font-weight="bold" class="title")");
  const double plot_h = f.bottom - f.top;
  if (!x_label.empty())
    text(out, (f.left + f.right) / 2, f.height - 10, fit_size(x_label, kLabelSize, f.width - 16), "middle", x_label,
         R"( class="label-x")");
  if (!y_label.empty()) {
    const double cx = 10 + kLabelSize * 0.8, cy = (f.top + f.bottom) / 2;
    text(out, cx, cy, fit_size(y_label, kLabelSize, plot_h + 30), "middle", y_label,
         fmt::format(R"x( transform="rotate(-90 {} {})" class="label-y")x", px(cx), px(cy)));
  }
}

namespace {

constexpr double kSwatch = 22, kRow = 16, kPad = 6, kInset = 8;

std::pair<double, double> legend_size(const std::vector<LegendEntry>& entries) {
  double text_w = 0;
  for (const LegendEntry& e : entries) text_w = std::max(text_w, text_width(e.name, kLegendSize));
  return {kPad + kSwatch + 6 + text_w + kPad, kPad * 2 + kRow * static_cast<double>(entries.size()) - 4};
}

}  // namespace

Box place_legend(Frame& f, const std::vector<LegendEntry>& entries,
                 const std::vector<std::pair<double, double>>& occupied) {
  if (entries.empty()) return Box{0, 0, 0, 0};
  const auto [w, h] = legend_size(entries);
  const std::array<Box, 4> corners = {
      Box{f.right - kInset - w, f.top + kInset, f.right - kInset, f.top + kInset + h},
      Box{f.left + kInset, f.top + kInset, f.left + kInset + w, f.top + kInset + h},
      Box{f.right - kInset - w, f.bottom - kInset - h, f.right - kInset, f.bottom - kInset},
      Box{f.left + kInset, f.bottom - kInset - h, f.left + kInset + w, f.bottom - kInset}};
  for (const Box& c : corners) {
    if (c.x0 < f.left || c.y1 > f.bottom) continue;  // taller or wider than the plot area
    const bool free = std::none_of(occupied.begin(), occupied.end(), [&](const auto& p) {
      return p.first >= c.x0 - 4 && p.first <= c.x1 + 4 && p.second >= c.y0 - 4 && p.second <= c.y1 + 4;
    });
    if (free) return c;
  }
  // Beside the plot: the picture grows to the right by the legend's width, so the plot area keeps its size.
  f.width += static_cast<int>(std::ceil(w + 12));
  f.height = std::max(f.height, static_cast<int>(std::ceil(f.top + h + 8)));  // a long legend: taller
  return Box{f.right + 10, f.top, f.right + 10 + w, f.top + h};
}

void draw_legend(std::string& out, const Box& box, const std::vector<LegendEntry>& entries) {
  if (entries.empty()) return;
  out += fmt::format(R"(<g class="legend"><rect x="{}" y="{}" width="{}" height="{}" fill="white" fill-opacity="0.88" )"
                     R"(stroke="#bbb" stroke-width="1" rx="3"/>)",
                     px(box.x0), px(box.y0), px(box.x1 - box.x0), px(box.y1 - box.y0));
  out += '\n';
  for (std::size_t i = 0; i < entries.size(); ++i) {
    const LegendEntry& e = entries[i];
    const double cy = box.y0 + kPad + kRow * static_cast<double>(i) + 6, x0 = box.x0 + kPad;
    const std::string color = xml_escape(e.color);
    if (e.bar)
      out += fmt::format(R"(<rect x="{}" y="{}" width="{}" height="10" fill="{}" fill-opacity="0.6" stroke="{}"/>)",
                         px(x0 + 4), px(cy - 5), px(kSwatch - 8), color, color);
    if (e.line || e.dashed)
      out += fmt::format(R"(<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{}" stroke-width="{}"{}/>)", px(x0), px(cy),
                         px(x0 + kSwatch), px(cy), color, e.dashed ? 1.2 : 2.0,
                         e.dashed ? R"( stroke-dasharray="6 4")" : "");
    if (e.marker)
      out += fmt::format(R"(<circle class="legend-pt" cx="{}" cy="{}" r="3.5" fill="{}"/>)", px(x0 + kSwatch / 2),
                         px(cy), color);
    text(out, x0 + kSwatch + 6, cy + kLegendSize * 0.35, kLegendSize, "start", e.name, R"( class="legend-entry")");
  }
  out += "</g>\n";
}

}  // namespace axtrain::plot
