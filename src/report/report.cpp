#include "axtrain/report/report.h"

#include "axtrain/report/svg_plot.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>
#include <sstream>

namespace axtrain {
namespace {

// The text's lines as strings, without their '\r'.
std::vector<std::string> text_lines(const std::string& text) {
  std::vector<std::string> lines;
  for (const TextLine& line : split_lines(text)) {
    std::string_view content = line.text;
    if (!content.empty() && content.back() == '\r') content.remove_suffix(1);
    lines.emplace_back(content);
  }
  return lines;
}

std::string trim(const std::string& s) {
  return std::string(axtrain::trim(std::string_view(s)));
}

// Inline markup: `code` and **bold**; everything HTML-escaped.
std::string inline_html(const std::string& text) {
  std::string out;
  bool bold = false;
  for (std::size_t i = 0; i < text.size();) {
    if (text[i] == '`') {
      const auto end = text.find('`', i + 1);
      if (end != std::string::npos) {
        out += "<code>" + xml_escape(text.substr(i + 1, end - i - 1)) + "</code>";
        i = end + 1;
        continue;
      }
    }
    if (text.compare(i, 2, "**") == 0 && (bold || text.find("**", i + 2) != std::string::npos)) {
      out += bold ? "</strong>" : "<strong>";
      bold = !bold;
      i += 2;
      continue;
    }
    out += xml_escape(std::string(1, text[i]));
    ++i;
  }
  return out;
}

// Cells of a pipe-table row: leading and trailing pipes optional, "\|" is a literal pipe.
std::vector<std::string> table_cells(const std::string& line) {
  std::string row = trim(line);
  if (!row.empty() && row.front() == '|') row.erase(0, 1);
  if (!row.empty() && row.back() == '|' && (row.size() < 2 || row[row.size() - 2] != '\\')) row.pop_back();
  std::vector<std::string> cells(1);
  for (std::size_t i = 0; i < row.size(); ++i) {
    if (row[i] == '\\' && i + 1 < row.size() && row[i + 1] == '|') {
      cells.back() += '|';
      ++i;
    } else if (row[i] == '|') {
      cells.emplace_back();
    } else {
      cells.back() += row[i];
    }
  }
  for (std::string& c : cells) c = trim(c);
  return cells;
}

bool is_separator_row(const std::string& line) {
  if (line.find('|') == std::string::npos && line.find('-') == std::string::npos) return false;
  const std::vector<std::string> cells = table_cells(line);
  for (const std::string& c : cells)
    if (c.empty() || c.find_first_not_of(":-") != std::string::npos || c.find('-') == std::string::npos) return false;
  return true;
}

bool is_heading(const std::string& line, int& level) {
  level = 0;
  while (level < static_cast<int>(line.size()) && line[static_cast<std::size_t>(level)] == '#') ++level;
  return level >= 1 && level <= 6 && static_cast<std::size_t>(level) < line.size() &&
         line[static_cast<std::size_t>(level)] == ' ';
}

// "- x", "* x" -> 'u'; "12. x" -> 'o'; otherwise 0. `item` receives the text after the marker.
char list_item(const std::string& line, std::string& item) {
  const std::string t = trim(line);
  if (t.size() > 2 && (t[0] == '-' || t[0] == '*') && t[1] == ' ') {
    item = trim(t.substr(2));
    return 'u';
  }
  std::size_t d = 0;
  while (d < t.size() && std::isdigit(static_cast<unsigned char>(t[d]))) ++d;
  if (d > 0 && d + 1 < t.size() && t[d] == '.' && t[d + 1] == ' ') {
    item = trim(t.substr(d + 2));
    return 'o';
  }
  return 0;
}

std::string slug(const std::string& title) {
  std::string s;
  for (char c : title) {
    if (std::isalnum(static_cast<unsigned char>(c)))
      s += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    else if (!s.empty() && s.back() != '-')
      s += '-';
  }
  while (!s.empty() && s.back() == '-') s.pop_back();
  return s.empty() ? "figure" : s;
}

constexpr const char* kCss =
    "body{font-family:sans-serif;max-width:72rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}"
    "h1{font-size:1.6rem;border-bottom:2px solid #ddd;padding-bottom:.3rem}"
    "h2{font-size:1.25rem;margin-top:2rem;border-bottom:1px solid #eee;padding-bottom:.2rem}"
    // A table wider than the page scrolls sideways instead of running off it; numbers never wrap.
    "table{border-collapse:collapse;margin:.8rem 0;font-size:.9rem;display:block;max-width:100%;overflow-x:auto}"
    "th,td{border:1px solid #ccc;padding:.25rem .6rem}td{white-space:nowrap}th{background:#f3f3f3}"
    "tbody tr:nth-child(even){background:#fafafa}"
    "code{font-family:monospace;background:#f3f3f3;padding:0 .2rem;border-radius:3px}"
    "pre{background:#f6f6f6;padding:.6rem;overflow-x:auto}pre code{background:none;padding:0}"
    "figure{margin:1rem 0}svg{max-width:100%;height:auto}";

}  // namespace

std::string markdown_to_html(const std::string& markdown) {
  const std::vector<std::string> lines = text_lines(markdown);
  std::string out;
  std::size_t i = 0;
  auto blank = [&](std::size_t k) { return trim(lines[k]).empty(); };
  while (i < lines.size()) {
    const std::string& line = lines[i];
    int level = 0;
    std::string item;
    if (blank(i)) {
      ++i;
    } else if (trim(line).rfind("```", 0) == 0) {  // fenced code, up to the closing fence or the end
      out += "<pre><code>";
      for (++i; i < lines.size() && trim(lines[i]).rfind("```", 0) != 0; ++i) out += xml_escape(lines[i]) + "\n";
      out += "</code></pre>\n";
      ++i;
    } else if (is_heading(line, level)) {
      out += fmt::format("<h{0}>{1}</h{0}>\n", level, inline_html(trim(line.substr(static_cast<std::size_t>(level)))));
      ++i;
    } else if (line.find('|') != std::string::npos && i + 1 < lines.size() && is_separator_row(lines[i + 1])) {
      const std::vector<std::string> head = table_cells(line);
      std::vector<std::string> align;
      for (const std::string& c : table_cells(lines[i + 1])) {
        const bool l = c.front() == ':', r = c.back() == ':';
        align.push_back(l && r ? R"( style="text-align:center")" : r ? R"( style="text-align:right")" : "");
      }
      auto cell = [&](const char* tag, std::size_t k, const std::string& text) {
        return fmt::format("<{0}{1}>{2}</{0}>", tag, k < align.size() ? align[k] : "", inline_html(text));
      };
      out += "<table>\n<thead><tr>";
      for (std::size_t k = 0; k < head.size(); ++k) out += cell("th", k, head[k]);
      out += "</tr></thead>\n<tbody>\n";
      for (i += 2; i < lines.size() && !blank(i) && lines[i].find('|') != std::string::npos; ++i) {
        const std::vector<std::string> row = table_cells(lines[i]);
        out += "<tr>";
        for (std::size_t k = 0; k < head.size(); ++k) out += cell("td", k, k < row.size() ? row[k] : "");
        out += "</tr>\n";
      }
      out += "</tbody>\n</table>\n";
    } else if (const char kind = list_item(line, item)) {
      const char* tag = kind == 'u' ? "ul" : "ol";
      out += fmt::format("<{}>\n", tag);
      while (i < lines.size() && list_item(lines[i], item) == kind) {
        std::string text = item;
        for (++i;
             i < lines.size() && !blank(i) && !list_item(lines[i], item) && (lines[i][0] == ' ' || lines[i][0] == '\t');
             ++i)
          text += " " + trim(lines[i]);  // an indented continuation line
        out += "<li>" + inline_html(text) + "</li>\n";
      }
      out += fmt::format("</{}>\n", tag);
    } else {  // a paragraph: up to a blank line or another block
      std::string text = trim(line);
      for (++i; i < lines.size() && !blank(i) && !is_heading(lines[i], level) && !list_item(lines[i], item) &&
                trim(lines[i]).rfind("```", 0) != 0 &&
                !(i + 1 < lines.size() && lines[i].find('|') != std::string::npos && is_separator_row(lines[i + 1]));
           ++i)
        text += "\n" + trim(lines[i]);
      out += "<p>" + inline_html(text) + "</p>\n";
    }
  }
  return out;
}

void write_report(const std::string& dir, const std::string& title, const std::vector<ReportSection>& sections) {
  // Names first, so that a bad one writes nothing.
  std::vector<std::string> names;
  std::set<std::string> taken = {"report.md", "report.html"};
  for (const ReportSection& s : sections) {
    if (s.svg.empty()) {
      names.emplace_back();
      continue;
    }
    std::string name = s.svg_name;
    if (name.empty()) {
      name = slug(s.title) + ".svg";
      for (int n = 2; taken.count(name); ++n) name = fmt::format("{}-{}.svg", slug(s.title), n);
    }
    AXT_CHECK(name.find('/') == std::string::npos && name.find('\\') == std::string::npos && name[0] != '.' &&
                  name.size() > 4 && name.compare(name.size() - 4, 4, ".svg") == 0,
              "report figure name '{}' is not a plain file name ending in .svg; use a name like 'pareto.svg'", name);
    AXT_CHECK(taken.insert(name).second, "report figure name '{}' is used twice; give each figure its own name", name);
    AXT_CHECK(s.svg.rfind("<svg", 0) == 0, "report figure '{}' is not an <svg> element; pass the text of render_plot",
              name);
    names.push_back(name);
  }
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  AXT_CHECK(!ec && std::filesystem::is_directory(dir), "cannot create report folder '{}': {}; check the path", dir,
            ec ? ec.message() : "not a folder");

  std::string md = "# " + title + "\n";
  std::string html = fmt::format(
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>{0}</title>\n"
      "<style>{1}</style>\n</head>\n<body>\n<h1>{0}</h1>\n",
      xml_escape(title), kCss);
  for (std::size_t k = 0; k < sections.size(); ++k) {
    const ReportSection& s = sections[k];
    md += "\n## " + s.title + "\n";
    html += "<section>\n<h2>" + xml_escape(s.title) + "</h2>\n";
    if (!trim(s.markdown).empty()) {
      md += "\n" + s.markdown + (s.markdown.back() == '\n' ? "" : "\n");
      html += markdown_to_html(s.markdown);
    }
    if (!names[k].empty()) {
      write_file_atomic((std::filesystem::path(dir) / names[k]).string(), s.svg);
      std::string alt = s.title;  // brackets would end the link text early
      std::replace(alt.begin(), alt.end(), '[', '(');
      std::replace(alt.begin(), alt.end(), ']', ')');
      md += "\n![" + alt + "](" + names[k] + ")\n";
      std::string inline_svg = s.svg;
      const std::string xmlns = R"( xmlns="http://www.w3.org/2000/svg")";
      if (const auto at = inline_svg.find(xmlns); at != std::string::npos) inline_svg.erase(at, xmlns.size());
      html += "<figure>\n" + inline_svg + "</figure>\n";
    }
    html += "</section>\n";
  }
  html += "</body>\n</html>\n";
  write_file_atomic((std::filesystem::path(dir) / "report.md").string(), md);
  write_file_atomic((std::filesystem::path(dir) / "report.html").string(), html);
}

}  // namespace axtrain
