#include "axtrain/report/report.h"

#include "../support/expect_error.h"
#include "../support/run_cli.h"
#include "axtrain/report/svg_histogram.h"
#include "axtrain/report/svg_plot.h"
#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <regex>
#include <set>

namespace axtrain {
namespace {

namespace fs = std::filesystem;

bool contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

std::string without_xmlns(std::string svg) {
  const std::string ns = R"( xmlns="http://www.w3.org/2000/svg")";
  svg.erase(svg.find(ns), ns.size());
  return svg;
}

std::vector<ReportSection> sample_sections() {
  PlotSpec pareto;
  pareto.title = "Accuracy vs energy";
  pareto.x_label = "energy per inference (nJ)";
  pareto.y_label = "accuracy (%)";
  PlotSeries all;
  all.name = "configurations";
  all.x = {10, 20, 30, 40};
  all.y = {80, 88, 86, 91};
  all.style = PlotSeries::Style::kMarkers;
  pareto.series.push_back(all);
  std::vector<HistogramGroup> groups(1);
  groups[0].name = "baseline";
  groups[0].values = {1, 2, 2, 3, 3, 3};

  std::vector<ReportSection> sections(3);
  sections[0].title = "Summary & <setup>";
  sections[0].markdown =
      "Best configuration: **K3 at 0.6 V**, see `metrics.json`.\n\n"
      "| design | energy (nJ) | accuracy (%) |\n|---|--:|:-:|\n| exact | 40 | 91 |\n| K3 | 20 | 88 |\n";
  sections[1].title = "Pareto front";
  sections[1].markdown = "- one point per configuration\n- the front is the staircase\n";
  sections[1].svg = render_plot(pareto);
  sections[1].svg_name = "pareto.svg";
  sections[2].title = "Sensitivity";
  sections[2].svg = render_histogram("Sensitivity", "gradient", groups, 3);
  sections[2].svg_name = "sensitivity.svg";
  return sections;
}

TEST(Report, WritesMarkdownHtmlAndEveryFigure) {
  test::TempDir tmp;
  const std::string dir = tmp.file("run/report");  // created when missing
  const std::vector<ReportSection> sections = sample_sections();
  write_report(dir, "Run 7: <Fashion-MNIST>", sections);

  const std::string md = read_file(dir + "/report.md");
  const std::string html = read_file(dir + "/report.html");
  EXPECT_TRUE(contains(html, "<title>Run 7: &lt;Fashion-MNIST&gt;</title>"));
  EXPECT_TRUE(contains(md, "# Run 7: <Fashion-MNIST>\n"));
  for (const ReportSection& s : sections) {
    EXPECT_TRUE(contains(md, "## " + s.title + "\n")) << s.title;
    EXPECT_TRUE(contains(html, "<h2>" + xml_escape(s.title) + "</h2>")) << s.title;
    if (s.svg.empty()) continue;
    EXPECT_TRUE(contains(html, without_xmlns(s.svg))) << "SVG inline: " << s.svg_name;
    EXPECT_TRUE(contains(md, "](" + s.svg_name + ")")) << s.svg_name;
    EXPECT_EQ(read_file(dir + "/" + s.svg_name), s.svg);
  }
  // Every image the markdown links exists on disk.
  const std::regex image(R"(!\[[^\]]*\]\(([^)]+)\))");
  int links = 0;
  for (auto it = std::sregex_iterator(md.begin(), md.end(), image); it != std::sregex_iterator(); ++it, ++links)
    EXPECT_TRUE(fs::is_regular_file(dir + "/" + (*it)[1].str())) << (*it)[1].str();
  EXPECT_EQ(links, 2);
  EXPECT_TRUE(contains(html, "<table>"));
  EXPECT_TRUE(contains(html, R"(<td style="text-align:right">40</td>)"));
  EXPECT_TRUE(contains(html, "<strong>K3 at 0.6 V</strong>"));
  EXPECT_TRUE(contains(html, "<li>the front is the staircase</li>"));
  // Self-contained: nothing fetched, nothing run.
  for (const std::string& bad :
       std::vector<std::string>{"http", "src=", "href=", "<script", "@import", "url(", "<link"}) {
    EXPECT_FALSE(contains(html, bad)) << bad;
    EXPECT_FALSE(contains(md, bad)) << bad;
  }
  // Exactly the expected files: no temporaries left behind.
  std::set<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files.insert(e.path().filename().string());
  EXPECT_EQ(files, (std::set<std::string>{"report.md", "report.html", "pareto.svg", "sensitivity.svg"}));
}

TEST(Report, FigureNamesDefaultToTheTitleAndBadNamesWriteNothing) {
  test::TempDir tmp;
  std::vector<ReportSection> sections(2);
  sections[0].title = "Accuracy vs voltage";
  sections[0].svg = render_plot(PlotSpec{});
  sections[1].title = "Accuracy vs voltage";
  sections[1].svg = sections[0].svg;
  write_report(tmp.file("a"), "t", sections);
  EXPECT_TRUE(fs::is_regular_file(tmp.file("a/accuracy-vs-voltage.svg")));
  EXPECT_TRUE(fs::is_regular_file(tmp.file("a/accuracy-vs-voltage-2.svg")));

  for (const std::string& name :
       std::vector<std::string>{"../escape.svg", "sub/x.svg", "plot.png", ".svg", "report.md"}) {
    sections[1].svg_name = name;
    test::expect_error([&] { write_report(tmp.file("b"), "t", sections); }, name);
  }
  sections[0].svg_name = sections[1].svg_name = "same.svg";
  test::expect_error([&] { write_report(tmp.file("b"), "t", sections); }, {"same.svg", "twice"});
  sections[1].svg_name = "other.svg";
  sections[1].svg = "not svg";
  test::expect_error([&] { write_report(tmp.file("b"), "t", sections); }, "<svg>");
  EXPECT_FALSE(fs::exists(tmp.file("b")));
}

TEST(Report, UnwritableFolderIsAUserError) {
  test::TempDir tmp;
  write_file_atomic(tmp.file("file"), "x");
  test::expect_error([&] { write_report(tmp.file("file/sub"), "t", {}); }, "file/sub");
}

TEST(MarkdownToHtml, ConvertsTheSubsetAndEscapesEverythingElse) {
  EXPECT_EQ(markdown_to_html("# Top\n### Sub `x`\n"), "<h1>Top</h1>\n<h3>Sub <code>x</code></h3>\n");
  EXPECT_EQ(markdown_to_html("one\ntwo\n\nthree"), "<p>one\ntwo</p>\n<p>three</p>\n");
  EXPECT_EQ(markdown_to_html("<script>alert(1)</script> & **b**"),
            "<p>&lt;script&gt;alert(1)&lt;/script&gt; &amp; <strong>b</strong></p>\n");
  EXPECT_EQ(markdown_to_html("- a\n- **b**\n\n1. x\n2. y\n"),
            "<ul>\n<li>a</li>\n<li><strong>b</strong></li>\n</ul>\n<ol>\n<li>x</li>\n<li>y</li>\n</ol>\n");
  EXPECT_EQ(markdown_to_html("```\na < b\n```\n"), "<pre><code>a &lt; b\n</code></pre>\n");
  EXPECT_EQ(markdown_to_html("a | b\n:-|:-:\n1 | `x`\n2\n"),
            "<table>\n<thead><tr><th>a</th><th style=\"text-align:center\">b</th></tr></thead>\n<tbody>\n"
            "<tr><td>1</td><td style=\"text-align:center\"><code>x</code></td></tr>\n</tbody>\n</table>\n<p>2</p>\n");
  EXPECT_EQ(markdown_to_html("| a \\| b | c |\n|---|---|\n| 1 |\n"),
            "<table>\n<thead><tr><th>a | b</th><th>c</th></tr></thead>\n<tbody>\n"
            "<tr><td>1</td><td></td></tr>\n</tbody>\n</table>\n");
  EXPECT_EQ(markdown_to_html("text then\n| a |\n|---|\n| 1 |\n"),
            "<p>text then</p>\n<table>\n<thead><tr><th>a</th></tr></thead>\n<tbody>\n<tr><td>1</td></tr>\n</tbody>\n"
            "</table>\n");
  EXPECT_EQ(markdown_to_html("**unclosed and 2*3"), "<p>**unclosed and 2*3</p>\n");
}

}  // namespace
}  // namespace axtrain
