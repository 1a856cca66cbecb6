#include "axtrain/report/svg_histogram.h"
#include "axtrain/report/svg_plot.h"

#include "../support/expect_error.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>
#include <map>
#include <numeric>
#include <regex>
#include <sstream>

namespace axtrain {
namespace {

// A small XML well-formedness checker and element list: every tag closed in order, attributes quoted and
// unique, no raw '<' or bare '&' in text or attribute values, one root element.
struct Element {
  std::string name;
  std::map<std::string, std::string> attrs;
  std::string text;  // direct text content, entities decoded
};
struct Xml {
  std::string error;  // "" = well-formed
  std::vector<Element> elements;
  std::vector<const Element*> all(const std::string& name, const std::string& cls = "") const {
    std::vector<const Element*> out;
    for (const Element& e : elements)
      if (e.name == name && (cls.empty() || (e.attrs.count("class") && e.attrs.at("class") == cls))) out.push_back(&e);
    return out;
  }
  std::vector<std::string> texts(const std::string& cls) const {
    std::vector<std::string> out;
    for (const Element* e : all("text", cls)) out.push_back(e->text);
    return out;
  }
};

bool decode(const std::string& raw, std::string& out) {
  static const std::regex entity("^&(amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);");
  static const std::map<std::string, std::string> named = {{"&amp;", "&"},   {"&lt;", "<"},   {"&gt;", ">"},
                                                           {"&quot;", "\""}, {"&apos;", "'"}, {"&#39;", "'"}};
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] == '<') return false;
    if (raw[i] != '&') {
      out += raw[i];
      continue;
    }
    std::smatch m;
    const std::string rest = raw.substr(i, 12);
    if (!std::regex_search(rest, m, entity)) return false;
    out += named.count(m[0]) ? named.at(m[0]) : "?";
    i += static_cast<std::size_t>(m.length(0)) - 1;
  }
  return true;
}

Xml parse_xml(const std::string& s) {
  Xml xml;
  std::vector<std::size_t> open;  // indices into elements
  int roots = 0;
  static const std::regex attr(R"re(^\s+([A-Za-z_:][-A-Za-z0-9_:.]*)="([^"]*)")re");
  static const std::regex name_re(R"(^[A-Za-z_:][-A-Za-z0-9_:.]*)");
  std::size_t i = 0;
  while (i < s.size()) {
    const std::size_t lt = s.find('<', i);
    std::string text;
    if (!decode(s.substr(i, lt == std::string::npos ? std::string::npos : lt - i), text))
      return xml.error = "raw '&' or '<' in text near offset " + std::to_string(i), xml;
    if (!open.empty())
      xml.elements[open.back()].text += text;
    else if (text.find_first_not_of(" \n\t") != std::string::npos)
      return xml.error = "text outside the root element", xml;
    if (lt == std::string::npos) break;
    const std::size_t gt = s.find('>', lt);
    if (gt == std::string::npos) return xml.error = "unterminated tag", xml;
    std::string tag = s.substr(lt + 1, gt - lt - 1);
    i = gt + 1;
    if (!tag.empty() && tag[0] == '/') {
      if (open.empty() || xml.elements[open.back()].name != tag.substr(1))
        return xml.error = "unexpected </" + tag.substr(1) + ">", xml;
      open.pop_back();
      continue;
    }
    const bool self_closing = !tag.empty() && tag.back() == '/';
    if (self_closing) tag.pop_back();
    std::smatch m;
    if (!std::regex_search(tag, m, name_re)) return xml.error = "bad tag <" + tag + ">", xml;
    Element e;
    e.name = m[0];
    std::string rest = tag.substr(e.name.size());
    while (std::regex_search(rest, m, attr)) {
      std::string value;
      if (!decode(m[2], value)) return xml.error = "bad attribute value in <" + e.name + ">", xml;
      if (!e.attrs.emplace(m[1], value).second) return xml.error = "duplicate attribute in <" + e.name + ">", xml;
      rest = m.suffix();
    }
    if (rest.find_first_not_of(" \n\t") != std::string::npos)
      return xml.error = "unquoted or malformed attributes in <" + e.name + ">: " + rest, xml;
    if (open.empty() && ++roots > 1) return xml.error = "more than one root element", xml;
    xml.elements.push_back(e);
    if (!self_closing) open.push_back(xml.elements.size() - 1);
  }
  if (!open.empty()) return xml.error = "<" + xml.elements[open.back()].name + "> is never closed", xml;
  if (roots != 1) xml.error = "no root element";
  return xml;
}

std::vector<double> numbers(const std::vector<std::string>& texts) {
  std::vector<double> out;
  for (const std::string& t : texts) {
    char* end = nullptr;
    out.push_back(std::strtod(t.c_str(), &end));
    EXPECT_TRUE(end && *end == '\0' && !t.empty()) << "tick label '" << t << "' is not a number";
  }
  return out;
}

// Well-formed, a single <svg> root, and no non-finite number or out-of-view coordinate anywhere.
Xml check_svg(const std::string& svg) {
  Xml xml = parse_xml(svg);
  EXPECT_EQ(xml.error, "") << svg;
  if (!xml.error.empty()) return xml;
  EXPECT_EQ(xml.elements[0].name, "svg");
  static const std::regex non_finite("nan|inf", std::regex::icase);
  for (const Element& e : xml.elements)
    for (const auto& [name, value] : e.attrs)
      EXPECT_FALSE(std::regex_search(value, non_finite)) << name << "=" << value;
  EXPECT_EQ(svg.find("<script"), std::string::npos);
  std::string no_ns = svg;
  no_ns.erase(no_ns.find(R"(xmlns="http://www.w3.org/2000/svg")"), 34);
  EXPECT_EQ(no_ns.find("http"), std::string::npos) << "only the namespace name may be a URI";
  const double w = std::stod(xml.elements[0].attrs.at("width")), h = std::stod(xml.elements[0].attrs.at("height"));
  for (const Element& e : xml.elements)
    for (const char* a : {"x", "cx", "x1", "x2", "y", "cy", "y1", "y2"})
      if (e.attrs.count(a)) {
        const double v = std::stod(e.attrs.at(a));
        EXPECT_TRUE(v >= 0 && v <= (a[0] == 'x' || a[1] == 'x' ? w : h)) << e.name << " " << a << "=" << v;
      }
  return xml;
}

bool is_nice_step(double step) {
  const double mag = std::pow(10.0, std::floor(std::log10(step) + 1e-9));
  const double f = step / mag;
  return std::fabs(f - 1) < 1e-6 || std::fabs(f - 2) < 1e-6 || std::fabs(f - 5) < 1e-6;
}

void expect_nice_ticks(const std::vector<double>& ticks, double lo, double hi) {
  ASSERT_GE(ticks.size(), 2u);
  const double step = ticks[1] - ticks[0];
  EXPECT_TRUE(is_nice_step(step)) << step;
  for (std::size_t i = 1; i < ticks.size(); ++i) {
    EXPECT_GT(ticks[i], ticks[i - 1]);
    EXPECT_NEAR(ticks[i] - ticks[i - 1], step, step * 1e-6);
  }
  EXPECT_LE(ticks.front(), lo);
  EXPECT_GE(ticks.back(), hi);
}

void expect_decades(const std::vector<double>& ticks, double lo, double hi) {
  ASSERT_GE(ticks.size(), 2u);
  for (std::size_t i = 0; i < ticks.size(); ++i) {
    const double k = std::log10(ticks[i]);
    EXPECT_NEAR(k, std::round(k), 1e-9) << ticks[i] << " is not a power of ten";
    if (i > 0) {
      EXPECT_GT(ticks[i], ticks[i - 1]);
    }
  }
  EXPECT_LE(ticks.front(), lo);
  EXPECT_GE(ticks.back(), hi);
}

PlotSeries series(std::string name, std::vector<double> x, std::vector<double> y, PlotSeries::Style style) {
  PlotSeries s;
  s.name = std::move(name);
  s.x = std::move(x);
  s.y = std::move(y);
  s.style = style;
  return s;
}

TEST(XmlChecker, RejectsMalformedMarkup) {
  EXPECT_EQ(parse_xml(R"(<svg><g><text x="1">a &amp; b</text></g><line x1="2"/></svg>)").error, "");
  EXPECT_NE(parse_xml("<svg><g></svg></g>").error, "");
  EXPECT_NE(parse_xml("<svg><g></svg>").error, "");
  EXPECT_NE(parse_xml("<svg><text>a & b</text></svg>").error, "");
  EXPECT_NE(parse_xml("<svg><text>a < b</text></svg>").error, "");
  EXPECT_NE(parse_xml("<svg><line x1=2/></svg>").error, "");
  EXPECT_NE(parse_xml(R"(<svg><line x1="2" x1="3"/></svg>)").error, "");
  EXPECT_NE(parse_xml("<svg/><svg/>").error, "");
}

TEST(SvgPlot, HasTitleLabelsOneLegendEntryPerNamedSeriesAndTheDataElements) {
  PlotSpec spec;
  spec.title = "Accuracy vs energy";
  spec.x_label = "energy per inference (nJ)";
  spec.y_label = "accuracy (%)";
  spec.series.push_back(
      series("all configurations", {1, 2, 3, 4, 5}, {80, 85, 83, 90, 91}, PlotSeries::Style::kMarkers));
  spec.series.push_back(series("Pareto front", {1, 2, 4, 5}, {80, 85, 90, 91}, PlotSeries::Style::kStep));
  spec.series.push_back(series("", {1, 5}, {82, 82}, PlotSeries::Style::kLine));
  spec.series.push_back(series("training loss", {1, 2, 3}, {88, 86, 84}, PlotSeries::Style::kLineMarkers));
  const Xml xml = check_svg(render_plot(spec));
  EXPECT_EQ(xml.texts("title"), std::vector<std::string>{spec.title});
  EXPECT_EQ(xml.texts("label-x"), std::vector<std::string>{spec.x_label});
  EXPECT_EQ(xml.texts("label-y"), std::vector<std::string>{spec.y_label});
  EXPECT_EQ(xml.texts("legend-entry"),
            (std::vector<std::string>{"all configurations", "Pareto front", "training loss"}));
  EXPECT_EQ(xml.all("polyline", "series").size(), 3u);  // step, line, line+markers
  EXPECT_EQ(xml.all("circle", "pt").size(), 5u + 4u + 3u);
}

TEST(SvgPlot, StepSeriesIsAStaircaseSortedByX) {
  PlotSpec spec;
  spec.series.push_back(series("front", {4, 1, 2}, {90, 80, 85}, PlotSeries::Style::kStep));
  const Xml xml = check_svg(render_plot(spec));
  const auto lines = xml.all("polyline", "series");
  ASSERT_EQ(lines.size(), 1u);
  std::vector<std::pair<double, double>> pts;
  std::istringstream in(lines[0]->attrs.at("points"));
  for (std::string pair; in >> pair;) pts.emplace_back(std::stod(pair), std::stod(pair.substr(pair.find(',') + 1)));
  ASSERT_EQ(pts.size(), 5u);  // 3 points, 2 risers
  for (std::size_t k = 1; k < pts.size(); ++k) {
    EXPECT_GE(pts[k].first, pts[k - 1].first);
    EXPECT_TRUE(pts[k].first == pts[k - 1].first || pts[k].second == pts[k - 1].second) << "not axis-aligned";
  }
}

TEST(SvgPlot, LinearTicksAreNiceIncreasingAndCoverTheData) {
  for (const auto& [lo, hi] :
       std::vector<std::pair<double, double>>{{0.0, 1.0}, {0.813, 0.917}, {-37, 1250}, {3e-7, 9e-7}, {2e7, 9e8}}) {
    PlotSpec spec;
    spec.series.push_back(series("s", {lo, hi}, {hi, lo}, PlotSeries::Style::kLineMarkers));
    const Xml xml = check_svg(render_plot(spec));
    SCOPED_TRACE(std::to_string(lo) + ".." + std::to_string(hi));
    expect_nice_ticks(numbers(xml.texts("tick-y")), lo, hi);
    const std::vector<double> x = numbers(xml.texts("tick-x"));  // x labels may be thinned: still increasing
    for (std::size_t i = 1; i < x.size(); ++i) EXPECT_GT(x[i], x[i - 1]);
  }
}

TEST(SvgPlot, LogAxesPutTicksAtDecadesAndSkipNonPositiveValues) {
  PlotSpec spec;
  spec.log_x = spec.log_y = true;
  spec.series.push_back(
      series("s", {0.003, 0.5, 40, 4000, 0, -1}, {2e-6, 1e-4, 0.2, 0.9, 1, 1}, PlotSeries::Style::kMarkers));
  const Xml xml = check_svg(render_plot(spec));
  expect_decades(numbers(xml.texts("tick-x")), 0.003, 4000);
  expect_decades(numbers(xml.texts("tick-y")), 2e-6, 0.9);
  EXPECT_EQ(xml.all("circle", "pt").size(), 4u);
}

TEST(SvgPlot, EscapesXmlSpecialCharactersEverywhere) {
  PlotSpec spec;
  const std::string nasty = R"(a<b & "c" > 'd')";
  spec.title = spec.x_label = spec.y_label = nasty;
  spec.hlines = {{0.5, nasty}};
  PlotSeries s = series(nasty, {1, 2}, {0, 1}, PlotSeries::Style::kLineMarkers);
  s.labels = {nasty, "ok"};
  spec.series.push_back(s);
  const std::string svg = render_plot(spec);
  const Xml xml = check_svg(svg);
  EXPECT_EQ(svg.find(nasty), std::string::npos);
  EXPECT_EQ(xml.texts("title"), std::vector<std::string>{nasty});
  EXPECT_EQ(xml.texts("legend-entry"), (std::vector<std::string>{nasty, nasty}));  // the series, the line
}

TEST(SvgPlot, SkipsNonFinitePoints) {
  const double nan = std::numeric_limits<double>::quiet_NaN(), inf = std::numeric_limits<double>::infinity();
  PlotSpec spec;
  spec.series.push_back(series("s", {1, nan, 3, 4, inf, 6}, {1, 2, nan, 4, 5, -inf}, PlotSeries::Style::kLineMarkers));
  spec.hlines = {{nan, "budget"}};
  const Xml xml = check_svg(render_plot(spec));
  EXPECT_EQ(xml.all("circle", "pt").size(), 2u);
  EXPECT_EQ(xml.all("line", "hline").size(), 0u);
  EXPECT_EQ(xml.texts("legend-entry"), std::vector<std::string>{"s"}) << "no entry for a line not drawn";
}

TEST(SvgPlot, EmptyAndSinglePointSeriesRenderWithFiniteCoordinates) {
  std::vector<PlotSpec> specs(5);
  specs[1].series.push_back(series("empty", {}, {}, PlotSeries::Style::kLineMarkers));
  specs[2].series.push_back(series("one", {3}, {0.7}, PlotSeries::Style::kStep));
  specs[3].series.push_back(series("equal", {0, 0, 0}, {0, 0, 0}, PlotSeries::Style::kLine));
  specs[4].log_x = specs[4].log_y = true;
  specs[4].series.push_back(series("one log", {100}, {0.5}, PlotSeries::Style::kMarkers));
  for (std::size_t k = 0; k < specs.size(); ++k) {
    SCOPED_TRACE(k);
    const Xml xml = check_svg(render_plot(specs[k]));
    EXPECT_GE(xml.texts("tick-x").size(), 2u);
    const std::vector<double> y = numbers(xml.texts("tick-y"));
    ASSERT_GE(y.size(), 2u);
    if (specs[k].log_y) {
      expect_decades(y, y.front(), y.back());
    } else {
      expect_nice_ticks(y, y.front(), y.back());
    }
  }
}

TEST(SvgPlot, PointLabelsAndBudgetLineAreDrawn) {
  PlotSpec spec;
  spec.hlines = {{0.85, "accuracy budget"}, {0.83, "accuracy budget"}};
  PlotSeries s = series("configs", {1, 10, 20}, {0.9, 0.8, 0.7}, PlotSeries::Style::kMarkers);
  s.labels = {"K1 0.9V", "K3 0.6V", ""};
  spec.series.push_back(s);
  const Xml xml = check_svg(render_plot(spec));
  EXPECT_EQ(xml.texts("pt-label"), (std::vector<std::string>{"K1 0.9V", "K3 0.6V"}));
  ASSERT_EQ(xml.all("line", "hline").size(), 2u);
  EXPECT_EQ(xml.all("line", "hline")[0]->attrs.at("data-y"), "0.85");
  EXPECT_EQ(xml.texts("legend-entry"), (std::vector<std::string>{"configs", "accuracy budget"}))
      << "two lines with one label share one entry";
}

// The pixel y of `value` on the plot's y axis, from the positions of its tick labels (linear axis).
double y_pixel(const Xml& xml, double value) {
  const std::vector<const Element*> ticks = xml.all("text", "tick-y");
  EXPECT_GE(ticks.size(), 2u);
  // Tick labels sit at the tick's pixel + 0.35 * font size (11 px), as draw_frame writes them.
  const auto tick_y = [](const Element* e) { return std::stod(e->attrs.at("y")) - 11 * 0.35; };
  const double v0 = std::stod(ticks.front()->text), v1 = std::stod(ticks.back()->text);
  return tick_y(ticks.front()) + (value - v0) / (v1 - v0) * (tick_y(ticks.back()) - tick_y(ticks.front()));
}

TEST(SvgPlot, ErrorBarsSpanEachPointsIntervalAndWidenTheRange) {
  PlotSpec spec;
  PlotSeries s = series("mc", {1, 2, 3}, {0.5, 0.6, 0.7}, PlotSeries::Style::kLineMarkers);
  s.y_err = {0.05, 0, std::numeric_limits<double>::quiet_NaN()};
  spec.series.push_back(s);
  const Xml xml = check_svg(render_plot(spec));
  const std::vector<const Element*> bars = xml.all("path", "errbar");
  ASSERT_EQ(bars.size(), 1u) << "no bar for a zero or non-finite half-width";
  // d = "M<x0>,<top>H<x1>M<x>,<top>V<bottom>M<x0>,<bottom>H<x1>"
  double x0 = 0, top = 0, x1 = 0, x = 0, top2 = 0, bottom = 0;
  ASSERT_EQ(std::sscanf(bars[0]->attrs.at("d").c_str(), "M%lf,%lfH%lfM%lf,%lfV%lf", &x0, &top, &x1, &x, &top2, &bottom),
            6);
  const std::vector<const Element*> pts = xml.all("circle", "pt");
  ASSERT_EQ(pts.size(), 3u);
  EXPECT_NEAR(x, std::stod(pts[0]->attrs.at("cx")), 0.051);
  EXPECT_NEAR(top, y_pixel(xml, 0.55), 0.2);
  EXPECT_NEAR(bottom, y_pixel(xml, 0.45), 0.2);
  const std::vector<double> y = numbers(xml.texts("tick-y"));
  EXPECT_LE(y.front(), 0.45) << "the range covers the bar";
  PlotSeries bad = s;
  bad.y_err.pop_back();
  spec.series = {bad};
  test::expect_error([&] { render_plot(spec); }, {"mc", "2 error bars", "3 points"});
}

TEST(SvgPlot, DodgedSeriesSharingXKeepTheirMarkersAndBarsApart) {
  PlotSpec spec;
  for (double dodge : {-3.0, 3.0}) {
    PlotSeries s = series("m" + std::to_string(dodge), {0.5, 0.6}, {0.2, 0.3}, PlotSeries::Style::kLineMarkers);
    s.y_err = {0.01, 0.01};
    s.dodge_px = dodge;
    spec.series.push_back(s);
  }
  const Xml xml = check_svg(render_plot(spec));
  const std::vector<const Element*> pts = xml.all("circle", "pt");
  ASSERT_EQ(pts.size(), 4u);
  EXPECT_NEAR(std::stod(pts[2]->attrs.at("cx")) - std::stod(pts[0]->attrs.at("cx")), 6.0, 0.11);
  EXPECT_EQ(pts[0]->attrs.at("cy"), pts[2]->attrs.at("cy")) << "dodged along x only";
  const std::vector<const Element*> bars = xml.all("path", "errbar");
  ASSERT_EQ(bars.size(), 4u);
  for (std::size_t k = 0; k < 4; ++k) {  // each bar on its own marker: bars and markers in series order
    double x0 = 0, top = 0, x1 = 0, x = 0;
    ASSERT_EQ(std::sscanf(bars[k]->attrs.at("d").c_str(), "M%lf,%lfH%lfM%lf", &x0, &top, &x1, &x), 4);
    EXPECT_NEAR(x, std::stod(pts[k]->attrs.at("cx")), 0.051) << k;
  }
  spec.series[0].dodge_px = 7;
  test::expect_error([&] { render_plot(spec); }, {"dodged by 7 px", "-6..6"});
}

TEST(SvgPlot, IntegerAxesHaveWholeNumberTicks) {
  PlotSpec spec;
  spec.integer_x = true;
  spec.series.push_back(series("loss", {1, 2, 3}, {0.9, 0.5, 0.4}, PlotSeries::Style::kLine));
  for (double t : numbers(check_svg(render_plot(spec)).texts("tick-x"))) EXPECT_EQ(t, std::round(t));
  spec.integer_x = false;
  const std::vector<double> ticks = numbers(check_svg(render_plot(spec)).texts("tick-x"));
  EXPECT_TRUE(std::any_of(ticks.begin(), ticks.end(), [](double t) { return t != std::round(t); }))
      << "the same data without integer_x has half-epoch ticks; the test would not see a change";
}

// A legend with more entries than the picture is tall makes the picture taller, never runs off it.
TEST(SvgPlot, ALegendTallerThanThePictureGrowsIt) {
  PlotSpec spec;
  for (int i = 0; i < 40; ++i)
    spec.series.push_back(series("series " + std::to_string(i), {0, 1}, {0, 1}, PlotSeries::Style::kLine));
  const Xml xml = check_svg(render_plot(spec, 640, 240));
  const double height = std::stod(xml.elements[0].attrs.at("height"));
  EXPECT_GT(height, 240);
  int legends = 0;
  for (const Element* r : xml.all("rect")) {
    if (!r->attrs.count("rx")) continue;
    ++legends;
    EXPECT_LE(std::stod(r->attrs.at("y")) + std::stod(r->attrs.at("height")), height);
  }
  EXPECT_EQ(legends, 1);
}

// Every corner of the plot area holds data: the legend goes beside the plot, over no marker.
TEST(SvgPlot, LegendNeverCoversAMarker) {
  PlotSpec spec;
  PlotSeries grid = series("a long legend entry name", {}, {}, PlotSeries::Style::kMarkers);
  for (int i = 0; i <= 10; ++i)
    for (int j = 0; j <= 10; ++j) grid.x.push_back(i), grid.y.push_back(j);
  spec.series.push_back(grid);
  const Xml xml = check_svg(render_plot(spec));
  const std::vector<const Element*> rects = xml.all("rect");
  const Element* legend = nullptr;
  for (const Element* r : rects)
    if (r->attrs.count("rx")) legend = r;
  ASSERT_NE(legend, nullptr);
  const double lx = std::stod(legend->attrs.at("x")), ly = std::stod(legend->attrs.at("y"));
  const double lw = std::stod(legend->attrs.at("width")), lh = std::stod(legend->attrs.at("height"));
  EXPECT_GT(lx, 640 - 100) << "beside the plot, not over it";
  EXPECT_LE(lx + lw, std::stod(xml.elements[0].attrs.at("width")));
  for (const Element* p : xml.all("circle", "pt")) {
    const double cx = std::stod(p->attrs.at("cx")), cy = std::stod(p->attrs.at("cy"));
    EXPECT_FALSE(cx + 3.5 > lx && cx - 3.5 < lx + lw && cy + 3.5 > ly && cy - 3.5 < ly + lh)
        << "marker at " << cx << "," << cy << " under the legend";
  }
}

TEST(SvgPlot, BadInputIsAUserError) {
  PlotSpec spec;
  spec.series.push_back(series("acc", {1, 2}, {1}, PlotSeries::Style::kLine));
  test::expect_error([&] { render_plot(spec); }, {"acc", "2 x values", "1 y values"});
  spec.series[0].y = {1, 2};
  spec.series[0].labels = {"a"};
  test::expect_error([&] { render_plot(spec); }, {"acc", "1 labels"});
  test::expect_error([] { render_plot(PlotSpec{}, 10, 400); }, "plot size");
  test::expect_error([] { render_histogram("t", "x", {}, 0); }, "bins");
}

TEST(SvgHistogram, CountsSumToTheFiniteValuesAndBarsMatchNonEmptyBins) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  std::vector<HistogramGroup> groups(2);
  groups[0].name = "baseline";
  groups[1].name = "act & <approx>";
  for (int i = 0; i < 500; ++i) {
    groups[0].values.push_back(std::sin(i * 0.37) * 3.0);
    groups[1].values.push_back(std::cos(i * 0.11) * 2.0 + 0.5);
  }
  groups[0].values.push_back(nan);
  groups[1].values.push_back(std::numeric_limits<double>::infinity());
  const HistogramBins h = histogram_bins(groups, 30, false);
  ASSERT_EQ(h.counts.size(), 2u);
  long nonzero = 0;
  for (const auto& c : h.counts) {
    EXPECT_EQ(c.size(), 30u);
    EXPECT_EQ(std::accumulate(c.begin(), c.end(), 0L), 500L);
    for (long n : c) nonzero += n > 0;
  }
  const Xml xml = check_svg(render_histogram("Sensitivity", "gradient magnitude", groups, 30));
  EXPECT_EQ(static_cast<long>(xml.all("rect", "bar").size()), nonzero);
  EXPECT_EQ(xml.texts("legend-entry"), (std::vector<std::string>{"baseline", "act & <approx>"}));
  expect_nice_ticks(numbers(xml.texts("tick-y")), 0, 1);
}

TEST(SvgHistogram, Log10BinsAndDecadeTicks) {
  std::vector<HistogramGroup> groups(1);
  for (int i = 0; i < 200; ++i) groups[0].values.push_back(std::pow(10.0, -6 + 5.0 * i / 199));
  groups[0].values.push_back(0.0);
  groups[0].values.push_back(-3.0);
  const HistogramBins h = histogram_bins(groups, 10, true);
  EXPECT_EQ(std::accumulate(h.counts[0].begin(), h.counts[0].end(), 0L), 200L);
  EXPECT_EQ(h.counts[0].front(), 20);  // equal steps in log10: 20 values each
  EXPECT_NEAR(h.lo, 1e-6, 1e-15);
  const Xml xml = check_svg(render_histogram("", "|gradient|", groups, 10, true));
  expect_decades(numbers(xml.texts("tick-x")), 1e-6, 0.1);
}

TEST(SvgHistogram, EmptyAndConstantGroupsRender) {
  std::vector<HistogramGroup> groups(2);
  groups[1].values = {2.5, 2.5, 2.5};
  const HistogramBins h = histogram_bins(groups, 5, false);
  EXPECT_EQ(std::accumulate(h.counts[1].begin(), h.counts[1].end(), 0L), 3L);
  check_svg(render_histogram("t", "x", groups, 5));
  check_svg(render_histogram("t", "x", {}, 5, true));
}

}  // namespace
}  // namespace axtrain
