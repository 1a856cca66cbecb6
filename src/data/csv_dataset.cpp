#include "axtrain/data/csv_dataset.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <string_view>

namespace axtrain {
namespace {

std::vector<std::string_view> split_fields(std::string_view line) {
  std::vector<std::string_view> fields;
  std::size_t start = 0;
  while (true) {
    const std::size_t comma = line.find(',', start);
    fields.push_back(
        trim(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
    if (comma == std::string_view::npos) return fields;
    start = comma + 1;
  }
}

std::size_t column_index(const std::vector<std::string>& header, const std::string& name, const std::string& path) {
  const auto it = std::find(header.begin(), header.end(), name);
  AXT_CHECK(it != header.end(), "CSV file '{}' has no column '{}'; its columns are: {}", path, name,
            join(header, ", "));
  return static_cast<std::size_t>(it - header.begin());
}

}  // namespace

Dataset load_csv(const std::string& path, const std::vector<std::string>& feature_columns,
                 const std::vector<std::string>& target_columns, Task task) {
  const std::string text = read_file(path);
  std::vector<std::pair<int, std::string_view>> lines;  // (1-based line number, content), blank lines skipped
  for (const TextLine& line : split_lines(text))
    if (!trim(line.text).empty()) lines.emplace_back(line.number, trim(line.text));
  AXT_CHECK(!lines.empty(),
            "CSV file '{}' is empty; it needs a header row of column names and one row per "
            "sample",
            path);

  std::vector<std::string> header;
  for (std::string_view field : split_fields(lines[0].second)) {
    AXT_CHECK(!field.empty(), "CSV file '{}' line {}: the header has an empty column name; name every column", path,
              lines[0].first);
    AXT_CHECK(std::find(header.begin(), header.end(), field) == header.end(),
              "CSV file '{}' line {}: column '{}' appears twice in the header; column names must be unique", path,
              lines[0].first, field);
    header.emplace_back(field);
  }

  AXT_CHECK(!target_columns.empty(), "no target column given for CSV file '{}'; name one of: {}", path,
            join(header, ", "));
  AXT_CHECK(task != Task::kClassification || target_columns.size() == 1,
            "classification on CSV file '{}' takes "
            "exactly one target column (the class id), not {}",
            path, target_columns.size());
  std::vector<std::size_t> targets;
  targets.reserve(target_columns.size());
  for (const auto& name : target_columns) targets.push_back(column_index(header, name, path));
  std::vector<std::size_t> features;
  if (feature_columns.empty()) {
    for (std::size_t c = 0; c < header.size(); ++c)
      if (std::find(targets.begin(), targets.end(), c) == targets.end()) features.push_back(c);
  } else {
    for (const auto& name : feature_columns) features.push_back(column_index(header, name, path));
  }
  AXT_CHECK(!features.empty(), "CSV file '{}' has no feature column left: every column is a target", path);
  std::vector<std::size_t> used = features;
  used.insert(used.end(), targets.begin(), targets.end());
  std::sort(used.begin(), used.end());
  const auto dup = std::adjacent_find(used.begin(), used.end());
  AXT_CHECK(dup == used.end(),
            "CSV file '{}': column '{}' is named twice among the features and targets; use "
            "each column once",
            path, dup == used.end() ? "" : header[*dup]);

  Dataset data;
  data.name = path;
  data.task = task;
  data.sample_shape = {static_cast<std::int64_t>(features.size())};
  if (task == Task::kRegression) data.target_dim = static_cast<int>(targets.size());
  std::vector<float> row(header.size());
  std::int64_t max_label = -1;
  for (std::size_t l = 1; l < lines.size(); ++l) {
    const auto [line_no, line] = lines[l];
    const auto fields = split_fields(line);
    AXT_CHECK(fields.size() == header.size(), "CSV file '{}' line {}: {} fields; the header has {} columns", path,
              line_no, fields.size(), header.size());
    for (std::size_t c = 0; c < fields.size(); ++c) {
      const std::string_view f = fields[c];
      double value = 0;
      const auto [ptr, ec] = std::from_chars(f.data(), f.data() + f.size(), value);
      AXT_CHECK(!f.empty() && ec == std::errc() && ptr == f.data() + f.size() && std::isfinite(value),
                "{}:{}: column '{}' holds '{}', not a finite number; every field must be a number", path, line_no,
                printable(header[c]), printable(f));
      AXT_CHECK(std::abs(value) <= std::numeric_limits<float>::max(),
                "{}:{}: column '{}' holds {}, outside the range of a 32-bit float (magnitude at most 3.4e38); "
                "scale the column",
                path, line_no, printable(header[c]), printable(f));
      row[c] = static_cast<float>(value);
      if (task == Task::kClassification && c == targets[0]) {
        AXT_CHECK(value >= 0 && value == std::floor(value),
                  "{}:{}: class id '{}' in column '{}' "
                  "is not a non-negative integer; classification targets are class ids 0, 1, 2, ...",
                  path, line_no, printable(f), printable(header[c]));
        AXT_CHECK(value < kMaxClasses,
                  "{}:{}: class id {} in column '{}' would make {} classes, above the limit of {} (the output "
                  "layer has one unit per class); number the classes 0, 1, 2, ... or train a regression",
                  path, line_no, printable(f), printable(header[c]), value + 1, kMaxClasses);
        data.labels.push_back(static_cast<std::int64_t>(value));
        max_label = std::max(max_label, data.labels.back());
      }
    }
    for (std::size_t c : features) data.features.push_back(row[c]);
    if (task == Task::kRegression)
      for (std::size_t c : targets) data.targets.push_back(row[c]);
  }
  if (task == Task::kClassification) data.num_classes = static_cast<int>(std::max<std::int64_t>(max_label + 1, 1));
  data.validate();
  return data;
}

Dataset infer_csv_task(Dataset data, const std::vector<std::string>& target_columns, std::string& reason) {
  AXT_ASSERT(data.task == Task::kRegression);
  const std::string columns = target_columns.size() == 1 ? fmt::format("column '{}'", printable(target_columns[0]))
                                                         : fmt::format("{} target columns", target_columns.size());
  const auto is_class_id = [](float v) { return v >= 0 && v < kAutoClassLimit && v == std::floor(v); };
  if (data.target_dim != 1 || !std::all_of(data.targets.begin(), data.targets.end(), is_class_id)) {
    reason = fmt::format(
        "task = auto: {} {}: regression (error = mean absolute error of the targets scaled to [0, 1]); set "
        "task = classification for class ids",
        columns,
        data.target_dim != 1 ? "to fit" : fmt::format("holds values other than integers 0..{}", kAutoClassLimit - 1));
    return data;
  }
  data.task = Task::kClassification;
  data.labels.assign(data.targets.begin(), data.targets.end());
  const std::int64_t max_id = data.labels.empty() ? 0 : *std::max_element(data.labels.begin(), data.labels.end());
  data.num_classes = static_cast<int>(max_id + 1);
  data.targets.clear();
  data.target_dim = 0;
  data.validate();
  reason = fmt::format(
      "task = auto: {} holds only integers 0..{}: classification into {} classes (error = share misclassified); "
      "set task = regression to fit the values as numbers",
      columns, max_id, data.num_classes);
  return data;
}

}  // namespace axtrain
