// Opens a report.html in headless Chromium (Debian package `chromium`, installed by scripts/setup.sh) with
// every network path blocked, and checks in the browser's own layout that every plot renders: one <svg>
// per plot at a real size, non-empty content, and every marker, bar and line drawn inside its plot.
// The report stays script-free; only the test's copy (probe.html) gets a small measuring script.
#include "axtrain/report/report.h"

#include "../support/run_cli.h"
#include "axtrain/report/svg_plot.h"
#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include <sys/wait.h>
#include <unistd.h>

namespace axtrain {
namespace {

// Runs after load; writes {"scripts", "resources", "tables", "svgs": [{width, height, bbox, pt, bar, series,
// outside, data, title}]} into <pre id="probe">. width/height: the svg's box on the page; bbox: its content
// (background included); pt/bar/series count elements with a non-empty box; outside counts those whose box
// leaves the svg's box (clipped); data: width and height of the union of their boxes; title: its text width.
constexpr const char* kProbe = R"JS(<pre id="probe"></pre>
<script>
addEventListener('load', function () {
  var out = {};
  try {
    var all = function (root, sel) { return Array.prototype.slice.call(root.querySelectorAll(sel)); };
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
      var title = svg.querySelector('text.title');
      s.width = r.width; s.height = r.height; s.bbox = [b.x, b.y, b.width, b.height];
      s.pt = count('circle.pt', true); s.bar = count('rect.bar', true); s.series = count('polyline.series', false);
      s.title = title ? title.getBBox().width : 0;
      s.data = [Math.max(0, d[2] - d[0]), Math.max(0, d[3] - d[1])];
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
  PlotSpec pareto{"Accuracy vs energy", "energy per inference (nJ)", "accuracy (%)", true, false, {}, 85.0, "budget"};
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

  PlotSpec voltage{"Accuracy vs voltage", "SRAM supply voltage (V)", "accuracy (%)", false, false, {}, {}, ""};
  const std::vector<double> v = {0.9, 0.8, 0.7, 0.6, 0.55, 0.5};
  voltage.series = {series("baseline", v, {91, 90.8, 89, 80, 62, 31}, Style::kLineMarkers),
                    series("AxTrain-pas", v, {90.5, 90.4, 89.8, 87, 81, 66}, Style::kLineMarkers),
                    series("AxTrain", v, {90.6, 90.5, 90, 88.1, 84, 72}, Style::kLineMarkers)};

  std::vector<HistogramGroup> groups = {{"baseline", {}}, {"AxTrain", {}}};
  for (int i = 1; i <= 400; ++i) {
    groups[0].values.push_back(std::pow(10.0, -6.0 + 4.0 * std::fmod(i * 0.618034, 1.0)));
    groups[1].values.push_back(std::pow(10.0, -7.0 + 3.0 * std::fmod(i * 0.414214, 1.0)));
  }

  PlotSpec curves{"Training curves", "epoch", "loss", false, true, {}, {}, ""};
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

TEST(ReportBrowser, EveryPlotRendersInHeadlessChromiumWithoutNetwork) {
  const std::string chromium = find_on_path("chromium");
  if (chromium.empty()) FAIL() << kMissing;

  test::TempDir tmp;
  const std::vector<ReportSection> sections = sample_sections();
  write_report(tmp.file("report"), "Browser check", sections);
  std::string html = test::slurp(tmp.file("report/report.html"));
  const auto body_end = html.rfind("</body>");
  ASSERT_NE(body_end, std::string::npos);
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
  ASSERT_NE(pipe, nullptr) << command;
  char buffer[4096];
  for (std::size_t n; (n = std::fread(buffer, 1, sizeof buffer, pipe)) > 0;) dom.append(buffer, n);
  const int status = ::pclose(pipe);
  const std::string context = "\ncommand: " + command + "\nchromium stderr:\n" + test::slurp(err_file);
  struct OnFailure {  // chromium's command and stderr (dbus, GPU noise), shown only when the test fails
    const std::string& text;
    ~OnFailure() {
      if (::testing::Test::HasFailure()) std::cerr << text << "\n";
    }
  } on_failure{context};
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << "chromium failed, status " << status;

  const std::string open = R"(<pre id="probe">)";
  const auto from = dom.find(open);
  const auto to = dom.find("</pre>", from);
  ASSERT_TRUE(from != std::string::npos && to != std::string::npos) << "no probe in the DOM:\n" << dom;
  const std::string text = unescape_html(dom.substr(from + open.size(), to - from - open.size()));
  const nlohmann::json probe = nlohmann::json::parse(text, nullptr, false);
  ASSERT_TRUE(probe.is_object() && probe.contains("svgs")) << "probe did not run: '" << text << "'";
  RecordProperty("probe", text);  // in --gtest_output=xml
  SCOPED_TRACE("probe: " + text);

  EXPECT_EQ(probe.at("scripts"), 1) << "the report itself must hold no script";
  EXPECT_TRUE(probe.at("resources").empty()) << "the report fetched something";
  EXPECT_EQ(probe.at("tables"), 1);
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

}  // namespace
}  // namespace axtrain
