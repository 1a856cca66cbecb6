#include "axtrain/explore/result_log.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/field_json.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <iostream>
#include <limits>

#include <fcntl.h>
#include <unistd.h>

namespace axtrain {
namespace {

using Json = nlohmann::json;

void escape_into(std::string& out, const std::string& s) {
  for (char c : s) {
    if (c == '\\' || c == '|') out += '\\';
    out += c;
  }
}

// Writes all of `data` to the file descriptor, retrying on EINTR and short writes.
void write_all(int fd, std::string_view data, const std::string& path) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0 && errno == EINTR) continue;
    AXT_CHECK(n > 0, "cannot write the result log {}: {}; check the disk and permissions", path, std::strerror(errno));
    data.remove_prefix(static_cast<std::size_t>(n));
  }
}

void fsync_or_fail(int fd, const std::string& path) {
  AXT_CHECK(::fsync(fd) == 0, "cannot sync {} to disk: {}; check the disk", path, std::strerror(errno));
}

// Appends `data` to `path` (creating it), fsyncs it and, when it was created, its folder.
void append_durably(const std::string& path, std::string_view data) {
  const bool existed = std::filesystem::exists(path);
  const int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
  AXT_CHECK(fd >= 0, "cannot open the result log {} for appending: {}; check that its folder exists and is writable",
            path, std::strerror(errno));
  try {
    write_all(fd, data, path);
    fsync_or_fail(fd, path);
  } catch (...) {
    ::close(fd);
    throw;
  }
  ::close(fd);
  if (existed) return;
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (dir.empty()) dir = ".";
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {  // best effort: some file systems refuse to sync a folder
    ::fsync(dfd);
    ::close(dfd);
  }
}

std::string csv_cell(const Json& v) {
  if (!v.is_string()) return v.dump();
  std::string s = v.get<std::string>();
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

}  // namespace

std::string ResultRow::key() const {
  std::string out;
  for (const std::string& s : {dataset, std::string(name_of(method)), multiplier, memory, layer_assignment}) {
    escape_into(out, s);
    out += '|';
  }
  return out + std::to_string(seed);
}

const std::vector<Field<ResultRow>>& result_row_fields() {
  using R = ResultRow;
  using Rule = FieldRule;
  static const std::vector<Field<ResultRow>> fields = {
      {"dataset", &R::dataset, "dataset name as in the config"},
      {"method", &R::method, "training method"},
      {"multiplier", &R::multiplier, "multiplier spec; \"\" with a per-layer assignment"},
      {"memory", &R::memory, "memory setting as in the config"},
      {"layer_assignment", &R::layer_assignment, "per-layer assignment, or \"\""},
      {"seed", &R::seed, "training seed", Rule::at_least(0)},
      {"voltage", &R::voltage, "SRAM voltage used for energy, V"},
      {"ber", &R::ber, "bit error rate used"},
      {"error_exact", &R::error_exact, "error on exact hardware"},
      {"error_hw", &R::error_hw, "error on this hardware, mean over the trials"},
      {"error_hw_std", &R::error_hw_std, "standard deviation over the trials"},
      {"error_hw_ci95", &R::error_hw_ci95, "half-width of the 95 % confidence interval"},
      {"trials", &R::trials, "Monte Carlo trials", Rule::at_least(1)},
      {"error_hw_compensated", &R::error_hw_compensated, "error with the bias compensated; -1 = not measured"},
      {"sensitivity_mean", &R::sensitivity_mean, "mean weight sensitivity"},
      {"energy_pj", &R::energy_pj, "energy per inference, pJ"},
      {"energy_saving", &R::energy_saving, "saving against the exact multiplier at nominal voltage"},
      {"trained_for", &R::trained_for, "what the model was trained for: \"reference\" or a hardware label"},
      {"fingerprint", &R::fingerprint, "of every setting that determines the row"},
  };
  return fields;
}

Json to_json(const ResultRow& r) {
  return fields_to_json(result_row_fields(), r, "result row");
}

ResultRow row_from_json(const Json& j) {
  ResultRow r;
  fields_from_json(result_row_fields(), j, r, "result row");
  return r;
}

ResultLog ResultLog::open(const std::string& path) {
  ResultLog log(path);
  if (!std::filesystem::exists(path)) return log;
  const std::string content = read_file(path);
  for (const TextLine& line : split_lines(content)) {
    if (trim(line.text).empty()) continue;
    ResultRow row;
    try {
      Json j = Json::parse(line.text);
      if (j.is_object() && !j.contains("fingerprint")) j["fingerprint"] = "", j["trained_for"] = "";  // older rows
      row = row_from_json(j);
    } catch (const std::exception& e) {  // Json::parse_error or axtrain::Error from row_from_json
      if (!line.terminated) {
        std::cerr << fmt::format(
            "axtrain: warning: {}:{}: ignoring a truncated last line (a write interrupted by a "
            "kill); that point will be recomputed\n",
            path, line.number);
        std::filesystem::resize_file(path, static_cast<std::uintmax_t>(line.text.data() - content.data()));
        append_durably(path, "");  // fsync the truncation
        break;
      }
      std::string why = e.what();
      std::replace(why.begin(), why.end(), '\n', ' ');
      AXT_FAIL("{}:{}: not a valid result row: {}; fix or delete that line (the point will be recomputed)", path,
               line.number, why);
    }
    AXT_CHECK(log.index_.emplace(row.key(), log.rows_.size()).second,
              "{}:{}: the point {} appears twice in the result log; delete one of the two lines", path, line.number,
              row.key());
    log.rows_.push_back(std::move(row));
    if (!line.terminated) append_durably(path, "\n");  // a whole row whose '\n' was lost: terminate it
  }
  return log;
}

std::size_t ResultLog::retain_fingerprints(const std::map<std::string, std::string>& fingerprints) {
  std::vector<ResultRow> kept;
  for (const ResultRow& row : rows_) {
    const auto it = fingerprints.find(row.key());
    if (it != fingerprints.end() && it->second == row.fingerprint) kept.push_back(row);
  }
  const std::size_t dropped = rows_.size() - kept.size();
  if (dropped == 0) return 0;
  std::string content;
  index_.clear();
  for (const ResultRow& row : kept) {
    content += to_json(row).dump() + "\n";
    index_.emplace(row.key(), index_.size());
  }
  write_file_atomic(path_, content);
  rows_ = std::move(kept);
  return dropped;
}

bool ResultLog::contains(const std::string& key) const {
  return index_.contains(key);
}

const ResultRow& ResultLog::row(const std::string& key) const {
  const auto it = index_.find(key);
  AXT_CHECK(it != index_.end(), "the point {} is not in the result log {}", key, path_);
  return rows_[it->second];
}

void ResultLog::append(const ResultRow& row) {
  const std::string key = row.key();
  AXT_CHECK(!contains(key), "the point {} is already in the result log {}; skip points that contains() reports", key,
            path_);
  std::string line;
  try {
    line = to_json(row).dump() + "\n";
  } catch (const Json::exception& e) {
    AXT_FAIL("cannot write the point {} to {}: {}; use UTF-8 names", key, path_, e.what());
  }
  append_durably(path_, line);
  index_.emplace(key, rows_.size());
  rows_.push_back(row);
}

std::string rows_csv(std::span<const ResultRow> rows) {
  const auto& fields = result_row_fields();
  std::string out;
  for (const auto& field : fields) out += (out.empty() ? "" : ",") + field.name;
  out += '\n';
  for (const ResultRow& row : rows) {
    const Json j = to_json(row);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      out += csv_cell(j.at(fields[i].name));
    }
    out += '\n';
  }
  return out;
}

}  // namespace axtrain
