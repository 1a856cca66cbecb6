// The report of a run folder, for people: report.md (Markdown, SVG plots as separate files beside it) and
// report.html (one self-contained file: inline CSS, every SVG inline, no scripts, no network references).
#pragma once

#include <string>
#include <vector>

namespace axtrain {

struct ReportSection {
  std::string title;     // the section heading (plain text)
  std::string markdown;  // body in the Markdown subset below; may be empty. Use ### for sub-headings.
  std::string svg;       // optional: one <svg> element, e.g. from render_plot
  std::string svg_name;  // file name for `svg` in the report folder, e.g. "pareto.svg": a plain name ending in
                         // ".svg" (no folders), unique in the report; "" = derived from the title
};

// Writes DIR/report.md, DIR/<svg_name> for each section with an SVG, and DIR/report.html, every file
// atomically (write_file_atomic). DIR is created when missing. report.md holds "# title", then per
// section "## title", the markdown as given and "![title](svg_name)". report.html holds the same text
// converted by markdown_to_html with each SVG inline (its xmlns attribute dropped, which HTML does not
// need), so that neither file holds "http" or any other external reference.
// Throws axtrain::Error for a bad svg_name (folder part, wrong extension, duplicate), or when DIR or a
// file cannot be written.
void write_report(const std::string& dir, const std::string& title, const std::vector<ReportSection>& sections);

// Converts the Markdown subset used by reports to HTML:
//   "#".."######" headings; paragraphs (consecutive lines); pipe tables (header row, |---|:--:| separator
//   row with optional alignment, body rows); "- "/"* " and "1. " lists (one level); ``` fenced code;
//   inline `code` and **bold**. Everything else is text; all text is HTML-escaped (raw HTML is not
//   passed through).
std::string markdown_to_html(const std::string& markdown);

}  // namespace axtrain
