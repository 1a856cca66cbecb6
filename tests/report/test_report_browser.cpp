// Opens a report.html in headless Chromium (Debian package `chromium`, installed by scripts/setup.sh) with
// every network path blocked, and checks in the browser's own layout that every plot renders: one <svg>
// per plot at a real size, non-empty content, every marker, bar and line drawn inside its plot; and, for the
// real reports of explore and reproduce, that the budget line lies at its value, every Monte Carlo point has
// its 95 % error bar, and no label overlaps a marker, the legend or another label.
// The report stays script-free; only the test's copy (probe.html) gets a small measuring script.
#include "axtrain/report/report.h"

#include "../support/run_cli.h"
#include "../support/sample_results.h"
#include "axtrain/report/svg_histogram.h"
#include "axtrain/report/svg_plot.h"
#include "axtrain/runs/explore_report.h"
#include "axtrain/runs/reproduce_report.h"
#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <regex>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace axtrain {
namespace {

// Runs after load; writes {"scripts", "resources", "tables", "svgs": [{width, height, bbox, pt, bar, series,
// outside, data, title, labels, markers, legend, legend_entries, errbars, hlines, ticks_y}]} into <pre
// id="probe">. width/height: the svg's box on the page; bbox: its content (background included); pt/bar/series
// count elements with a non-empty box; outside counts those whose box leaves the svg's box (clipped); data:
// width and height of the union of their boxes; title: its text width. The rest are boxes [x0, y0, x1, y1] in
// page pixels: labels (point labels), markers (circle.pt), legend (its frame, or null), legend_entries (its
// text), errbars; hlines: [data-y, centre y]; ticks_y: [value, centre y] of each y tick label.
constexpr const char* kProbe = R"JS(<pre id="probe"></pre>
<script>
addEventListener('load', function () {
  var out = {};
  try {
    var all = function (root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); };
    var box = function (el) { var c = el.getBoundingClientRect(); return [c.left, c.top, c.right, c.bottom]; };
    var boxes = function (root, sel) { return all(root, sel).map(box); };
    out.scripts = all(document, 'script').length;
    out.resources = performance.getEntriesByType('resource').map(function (e) { return e.name; });
    out.tables = all(document, 'table').filter(function (t) { return t.getBoundingClientRect().height > 0; }).length;
    out.svgs = all(document, 'svg').map(function (svg) {
      var r = svg.getBoundingClientRect(), b = svg.getBBox(), s = {outside: 0}, d = [1e9, 1e9, -1e9, -1e9];
      var count = function (sel, both) {
        return all(svg, sel).filter(function (el) {
          var e = el.getBBox(), c = el.getBoundingClientRect();
          var drawn = both ? e.width > 0 && e.height > 0 : e.width > 0 || e.height > 0;
          if (drawn && (c.left < r.left - 1 || c.top < r.top - 1 || c.right > r.right + 1 || c.bottom > r.bottom + 1))
            s.outside++;
          if (drawn)
            d = [Math.min(d[0], e.x), Math.min(d[1], e.y), Math.max(d[2], e.x + e.width), Math.max(d[3], e.y + e.height)];
          return drawn;
        }).length;
      };
      var title = svg.querySelector('text.title'), legend = svg.querySelector('g.legend rect');
      var centre = function (el) { var c = el.getBoundingClientRect(); return (c.top + c.bottom) / 2; };
      s.width = r.width; s.height = r.height; s.bbox = [b.x, b.y, b.width, b.height];
      s.pt = count('circle.pt', true); s.bar = count('rect.bar', true); s.series = count('polyline.series', false);
      s.title = title ? title.getBBox().width : 0;
      s.data = [Math.max(0, d[2] - d[0]), Math.max(0, d[3] - d[1])];
      s.labels = boxes(svg, 'text.pt-label'); s.markers = boxes(svg, 'circle.pt');
      s.legend = legend ? box(legend) : null; s.legend_entries = boxes(svg, 'text.legend-entry');
      s.errbars = boxes(svg, 'path.errbar');
      s.hlines = all(svg, 'line.hline').map(function (l) { return [parseFloat(l.getAttribute('data-y')), centre(l)]; });
      s.ticks_y = all(svg, 'text.tick-y').map(function (t) { return [parseFloat(t.textContent), centre(t)]; });
      return s;
    });
  } catch (e) { out.error = String(e); }
  document.getElementById('probe').textContent = JSON.stringify(out);
});
</script>
)JS";

constexpr const char* kMissing = "chromium not found: run scripts/setup.sh, which installs Debian's chromium package";

std::string find_on_path(const std::string& program) {
  std::istringstream path(std::getenv("PATH") ? std::getenv("PATH") : "");
  for (std::string dir; std::getline(path, dir, ':');) {
    const std::string candidate = (dir.empty() ? "." : dir) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0 && std::filesystem::is_regular_file(candidate)) return candidate;
  }
  return "";
}

int count(const std::string& text, const std::string& part) {
  int n = 0;
  for (auto at = text.find(part); at != std::string::npos; at = text.find(part, at + part.size())) ++n;
  return n;
}

std::string unescape_html(std::string text) {
  for (const auto& [from, to] : {std::pair<std::string, std::string>{"&lt;", "<"}, {"&gt;", ">"}, {"&amp;", "&"}})
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size()))
      text.replace(at, from.size(), to);
  return text;
}

PlotSeries series(const std::string& name, std::vector<double> x, std::vector<double> y, PlotSeries::Style style) {
  PlotSeries s;
  s.name = name;
  s.x = std::move(x);
  s.y = std::move(y);
  s.style = style;
  return s;
}

// A report like `axtrain reproduce` writes: a table, accuracy vs energy (labelled markers, Pareto staircase,
// budget line, log x), accuracy vs voltage (three methods), a log10 histogram with two groups and training
// curves on a log axis.
std::vector<ReportSection> sample_sections() {
  using Style = PlotSeries::Style;
  PlotSpec pareto{"Accuracy vs energy", "energy per inference (nJ)", "accuracy (%)", true, false, false, {},
                  {{85.0, "budget"}}};
  PlotSeries configs = series("configurations", {}, {}, Style::kMarkers);
  const std::vector<std::string> designs = {"exact", "K1", "K2", "K3"};
  const std::vector<std::string> volts = {"0.9V", "0.8V", "0.7V", "0.6V", "0.55V", "0.5V"};
  for (std::size_t d = 0; d < designs.size(); ++d)
    for (std::size_t v = 0; v < volts.size(); ++v) {
      configs.x.push_back(40.0 * std::pow(0.7, static_cast<double>(d)) * std::pow(0.8, static_cast<double>(v)));
      configs.y.push_back(91.0 - 1.5 * static_cast<double>(d) - 0.4 * static_cast<double>(v * v));
      configs.labels.push_back(designs[d] + " " + volts[v]);
    }
  pareto.series = {configs, series("Pareto front", {5.5, 9, 16, 40}, {80, 86, 89, 91}, Style::kStep)};

  PlotSpec voltage{"Accuracy vs voltage", "SRAM supply voltage (V)", "accuracy (%)", false, false, false, {}, {}};
  const std::vector<double> v = {0.9, 0.8, 0.7, 0.6, 0.55, 0.5};
  voltage.series = {series("baseline", v, {91, 90.8, 89, 80, 62, 31}, Style::kLineMarkers),
                    series("AxTrain-pas", v, {90.5, 90.4, 89.8, 87, 81, 66}, Style::kLineMarkers),
                    series("AxTrain", v, {90.6, 90.5, 90, 88.1, 84, 72}, Style::kLineMarkers)};

  std::vector<HistogramGroup> groups = {{"baseline", {}}, {"AxTrain", {}}};
  for (int i = 1; i <= 400; ++i) {
    groups[0].values.push_back(std::pow(10.0, -6.0 + 4.0 * std::fmod(i * 0.618034, 1.0)));
    groups[1].values.push_back(std::pow(10.0, -7.0 + 3.0 * std::fmod(i * 0.414214, 1.0)));
  }

  PlotSpec curves{"Training curves", "epoch", "loss", false, true, true, {}, {}};
  curves.series = {series("train", {1, 2, 3, 4, 5}, {0.9, 0.5, 0.35, 0.3, 0.27}, Style::kLine),
                   series("validation", {1, 2, 3, 4, 5}, {0.95, 0.6, 0.45, 0.42, 0.41}, Style::kLine)};

  std::vector<ReportSection> sections(5);
  sections[0] = {"Summary",
                 "Best under the budget: **K3 at 0.6 V**.\n\n| design | energy (nJ) | accuracy (%) |\n"
                 "|---|--:|--:|\n| exact | 40 | 91.0 |\n| K3 | 9.8 | 86.1 |\n",
                 "", ""};
  sections[1] = {"Accuracy vs energy", "- one marker per configuration\n", render_plot(pareto), "pareto.svg"};
  sections[2] = {"Accuracy vs voltage", "", render_plot(voltage), ""};
  sections[3] = {"Sensitivity", "", render_histogram("Weight sensitivity", "|gradient|", groups, 30, true), ""};
  sections[4] = {"Training curves", "", render_plot(curves), ""};
  return sections;
}

// Prints `text` once, when the test has failed (the probe's measurements, too long for every assertion).
struct ShowOnFailure {
  std::string text;
  ~ShowOnFailure() {
    if (::testing::Test::HasFailure()) std::cerr << text << "\n";
  }
};

// Writes `sections` as a report, opens its probe copy in Chromium and returns the probe's measurements
// (null after a failed assertion). Chromium's command and stderr are printed when the test fails.
nlohmann::json probe_report(const std::vector<ReportSection>& sections, const test::TempDir& tmp) {
  const std::string chromium = find_on_path("chromium");
  if (chromium.empty()) {
    ADD_FAILURE() << kMissing;
    return nullptr;
  }
  write_report(tmp.file("report"), "Browser check", sections);
  std::string html = test::slurp(tmp.file("report/report.html"));
  const auto body_end = html.rfind("</body>");
  if (body_end == std::string::npos) {
    ADD_FAILURE() << "no </body> in report.html";
    return nullptr;
  }
  html.insert(body_end, kProbe);
  write_file_atomic(tmp.file("report/probe.html"), html);

  const std::string err_file = tmp.file("chromium.stderr");
  const std::string command =
      "timeout -k 5 60 '" + chromium +
      "' --headless --no-sandbox --disable-gpu --disable-dev-shm-usage"
      " --no-first-run --disable-extensions --disable-background-networking --disable-component-update --disable-sync"
      " --host-resolver-rules='MAP * ~NOTFOUND' --proxy-server=127.0.0.1:9 --user-data-dir='" +
      tmp.file("profile") + "' --window-size=1000,2000 --virtual-time-budget=5000 --dump-dom 'file://" +
      tmp.file("report/probe.html") + "' 2>'" + err_file + "' </dev/null";
  std::string dom;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) {
    ADD_FAILURE() << "cannot run " << command;
    return nullptr;
  }
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) dom.append(buffer, n);
  const int status = ::pclose(pipe);
  const std::string context = "\ncommand: " + command + "\nchromium stderr:\n" + test::slurp(err_file);
  if (!(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
    ADD_FAILURE() << "chromium failed, status " << status << context;
    return nullptr;
  }
  const std::string open = R"(<pre id="probe">)";
  const auto from = dom.find(open);
  const auto to = dom.find("</pre>", from);
  if (from == std::string::npos || to == std::string::npos) {
    ADD_FAILURE() << "no probe in the DOM:\n" << dom << context;
    return nullptr;
  }
  const std::string text = unescape_html(dom.substr(from + open.size(), to - from - open.size()));
  nlohmann::json probe = nlohmann::json::parse(text, nullptr, false);
  if (!probe.is_object() || !probe.contains("svgs")) {
    ADD_FAILURE() << "probe did not run: '" << text << "'" << context;
    return nullptr;
  }
  ::testing::Test::RecordProperty("probe", text);  // in --gtest_output=xml
  return probe;
}

// What every report must show: no script of its own, nothing fetched, the tables laid out, and each plot at a
// real size with all of its markers, bars and lines drawn inside it.
void expect_plots_render(const nlohmann::json& probe, const std::vector<ReportSection>& sections, int tables) {
  EXPECT_EQ(probe.at("scripts"), 1) << "the report itself must hold no script";
  EXPECT_TRUE(probe.at("resources").empty()) << "the report fetched something";
  EXPECT_EQ(probe.at("tables"), tables);
  std::vector<const ReportSection*> plots;
  for (const ReportSection& s : sections)
    if (!s.svg.empty()) plots.push_back(&s);
  ASSERT_EQ(probe.at("svgs").size(), plots.size());
  for (std::size_t k = 0; k < plots.size(); ++k) {
    const nlohmann::json& s = probe.at("svgs").at(k);
    const std::string& svg = plots[k]->svg;
    SCOPED_TRACE(plots[k]->title);
    EXPECT_GT(s.at("width").get<double>(), 100.0);
    EXPECT_GT(s.at("height").get<double>(), 100.0);
    EXPECT_GT(s.at("bbox").at(2).get<double>(), 0.0);
    EXPECT_GT(s.at("bbox").at(3).get<double>(), 0.0);
    EXPECT_GT(s.at("data").at(0).get<double>(), 100.0) << "the data should span the plot";
    EXPECT_GT(s.at("data").at(1).get<double>(), 100.0) << "the data should span the plot";
    EXPECT_GT(s.at("title").get<double>(), 0.0) << "title text not rendered (fonts?)";
    EXPECT_EQ(s.at("pt"), count(svg, R"(class="pt")"));
    EXPECT_EQ(s.at("bar"), count(svg, R"(class="bar")"));
    EXPECT_EQ(s.at("series"), count(svg, R"(class="series")"));
    EXPECT_GT(count(svg, R"(class="pt")") + count(svg, R"(class="bar")") + count(svg, R"(class="series")"), 0);
    EXPECT_EQ(s.at("outside"), 0) << "markers, bars or lines clipped";
  }
}

using Box = std::array<double, 4>;  // x0, y0, x1, y1 in page pixels

bool overlap(const Box& a, const Box& b) {  // by more than half a pixel each way
  return std::min(a[2], b[2]) - std::max(a[0], b[0]) > 0.5 && std::min(a[3], b[3]) - std::max(a[1], b[1]) > 0.5;
}

std::vector<Box> boxes(const nlohmann::json& list) {
  std::vector<Box> out;
  for (const auto& b : list) out.push_back(b.get<Box>());
  return out;
}

// No point label overlaps another, a marker or the legend; the legend covers no marker and holds its text.
void expect_no_overlaps(const nlohmann::json& svg) {
  const std::vector<Box> labels = boxes(svg.at("labels")), markers = boxes(svg.at("markers"));
  const std::vector<Box> entries = boxes(svg.at("legend_entries"));
  for (std::size_t i = 0; i < labels.size(); ++i) {
    for (std::size_t j = i + 1; j < labels.size(); ++j) EXPECT_FALSE(overlap(labels[i], labels[j])) << i << " " << j;
    for (const Box& m : markers) EXPECT_FALSE(overlap(labels[i], m)) << "label " << i << " over a marker";
  }
  if (svg.at("legend").is_null()) return;
  const Box legend = svg.at("legend").get<Box>();
  for (const Box& l : labels) EXPECT_FALSE(overlap(l, legend)) << "a label under the legend";
  for (const Box& m : markers) EXPECT_FALSE(overlap(m, legend)) << "a marker under the legend";
  for (const Box& e : entries)
    EXPECT_TRUE(e[0] >= legend[0] && e[2] <= legend[2] + 0.5 && e[1] >= legend[1] && e[3] <= legend[3] + 0.5)
        << "legend text outside its frame: [" << e[0] << ", " << e[2] << "] in [" << legend[0] << ", " << legend[2]
        << "]";
}

// Page pixels per unit of y and the page y of value 0, fitted through the y tick labels' centres.
std::pair<double, double> y_scale(const nlohmann::json& svg) {
  const nlohmann::json& ticks = svg.at("ticks_y");
  const double v0 = ticks.front().at(0), p0 = ticks.front().at(1), v1 = ticks.back().at(0), p1 = ticks.back().at(1);
  const double scale = (p1 - p0) / (v1 - v0);
  return {scale, p0 - v0 * scale};
}

// The reference lines are at `values`, where the y axis puts them.
void expect_lines_at(const nlohmann::json& svg, const std::vector<double>& values) {
  ASSERT_EQ(svg.at("hlines").size(), values.size());
  const auto [scale, zero] = y_scale(svg);
  for (std::size_t k = 0; k < values.size(); ++k) {
    EXPECT_NEAR(svg.at("hlines").at(k).at(0).get<double>(), values[k], 1e-12);
    EXPECT_NEAR(svg.at("hlines").at(k).at(1).get<double>(), zero + values[k] * scale, 1.5) << "line " << k;
  }
}

// One error bar per point with a CI, centred on a marker, as tall as its interval.
void expect_error_bars(const nlohmann::json& svg, std::vector<double> half_widths) {
  const std::vector<Box> bars = boxes(svg.at("errbars")), markers = boxes(svg.at("markers"));
  ASSERT_EQ(bars.size(), half_widths.size());
  const double scale = std::fabs(y_scale(svg).first);
  std::vector<double> heights;
  for (const Box& bar : bars) {
    const double x = (bar[0] + bar[2]) / 2, mid = (bar[1] + bar[3]) / 2;
    heights.push_back(bar[3] - bar[1]);
    EXPECT_TRUE(std::any_of(markers.begin(), markers.end(),
                            [&](const Box& m) {
                              return std::fabs((m[0] + m[2]) / 2 - x) < 0.6 && std::fabs((m[1] + m[3]) / 2 - mid) < 0.8;
                            }))
        << "an error bar at x " << x << " centred on no marker";
  }
  std::sort(heights.begin(), heights.end());
  std::sort(half_widths.begin(), half_widths.end());
  for (std::size_t k = 0; k < heights.size(); ++k) EXPECT_NEAR(heights[k], 2 * half_widths[k] * scale, 1.0) << k;
}

TEST(ReportBrowser, EveryPlotRendersInHeadlessChromiumWithoutNetwork) {
  test::TempDir tmp;
  const std::vector<ReportSection> sections = sample_sections();
  const nlohmann::json probe = probe_report(sections, tmp);
  ASSERT_FALSE(probe.is_null());
  const ShowOnFailure show{"probe: " + probe.dump()};
  expect_plots_render(probe, sections, 1);
  for (std::size_t k = 0; k < probe.at("svgs").size(); ++k) {
    SCOPED_TRACE("plot " + std::to_string(k));
    expect_no_overlaps(probe.at("svgs").at(k));
  }
}

TEST(ReportBrowser, ExploreReportDrawsTheBudgetLineErrorBarsAndLabelsThatDoNotCollide) {
  const ExploreResult result = test::sample_exploration();
  const std::vector<ReportSection> sections = explore_report(result);
  test::TempDir tmp;
  const nlohmann::json probe = probe_report(sections, tmp);
  ASSERT_FALSE(probe.is_null());
  const ShowOnFailure show{"probe: " + probe.dump()};
  expect_plots_render(probe, sections, 2);
  const nlohmann::json& pareto = probe.at("svgs").at(0);
  double reference = 0;  // the mean over the two seeds, which the overall best is judged by
  int seeds = 0;
  for (const MethodAnalysis& m : result.analysis.methods)
    if (m.method == Method::kBaseline) reference += m.reference_error, ++seeds;
  ASSERT_EQ(seeds, 2);
  expect_lines_at(pareto, {reference / seeds + result.budget});
  std::vector<double> half_widths;
  for (const ResultRow& r : result.rows)
    if (r.error_hw_ci95 > 0) half_widths.push_back(r.error_hw_ci95);
  ASSERT_GT(half_widths.size(), 10u);
  expect_error_bars(pareto, half_widths);
  expect_no_overlaps(pareto);
  EXPECT_GT(pareto.at("labels").size(), 3u) << "labels are placed where they fit, not all dropped";
}

TEST(ReportBrowser, ReproduceReportDrawsErrorBarsIntegerEpochsAndLabelsThatDoNotCollide) {
  const ReproduceResult result = test::sample_reproduction();
  const ReproduceFigures figures = test::sample_figures();
  const std::vector<ReportSection> sections = reproduce_report(result, figures);
  test::TempDir tmp;
  const nlohmann::json probe = probe_report(sections, tmp);
  ASSERT_FALSE(probe.is_null());
  const ShowOnFailure show{"probe: " + probe.dump()};
  expect_plots_render(probe, sections, 2);
  ASSERT_EQ(probe.at("svgs").size(), 4u);  // energy, voltage, sensitivity, curves
  std::vector<double> half_widths;
  for (const ResultRow& r : result.rows)
    if (r.error_hw_ci95 > 0) half_widths.push_back(r.error_hw_ci95);
  for (int k : {0, 1}) {
    SCOPED_TRACE(k);
    expect_error_bars(probe.at("svgs").at(k), half_widths);
    expect_no_overlaps(probe.at("svgs").at(k));
  }
  expect_lines_at(probe.at("svgs").at(0), {result.rows[0].error_exact});  // the baseline on exact hardware
  for (int k : {2, 3}) expect_no_overlaps(probe.at("svgs").at(k));
  // The curves: whole-epoch ticks, the fine-tuning drawn from epoch 4 on (after the baseline's 3).
  const std::string& curves = sections.back().svg;
  const std::regex tick(R"re(class="tick-x">([^<]*)<)re");
  int ticks = 0;
  for (auto it = std::sregex_iterator(curves.begin(), curves.end(), tick); it != std::sregex_iterator(); ++it, ++ticks)
    EXPECT_EQ((*it)[1].str().find('.'), std::string::npos) << "tick " << (*it)[1];
  EXPECT_GE(ticks, 3);
  EXPECT_NE(curves.find("pas K3: (4, "), std::string::npos) << "the first fine-tuning epoch at x = 4";
  EXPECT_NE(sections.back().markdown.find("fine-tunes it for 2 epochs, drawn from epoch 4"), std::string::npos);
  EXPECT_NE(sections[3].markdown.find("trained for exact 0.5V (multiplier and SRAM voltage)"), std::string::npos)
      << sections[3].markdown;
}

}  // namespace
}  // namespace axtrain
