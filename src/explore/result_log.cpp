#include "axtrain/explore/result_log.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

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

double finite(double value, const char* field) {
  AXT_CHECK(std::isfinite(value), "result field {} is {}; it must be a finite number; fix the evaluation that "
            "produced it", field, value);
  return value;
}

const Json& field_of(const Json& json, const std::string& name) {
  const auto it = json.find(name);
  AXT_CHECK(it != json.end(), "result row has no field \"{}\"; every row needs all of: {}", name,
            fmt::join(result_row_fields(), ", "));
  return *it;
}

std::string get_string(const Json& json, const std::string& name) {
  const Json& v = field_of(json, name);
  AXT_CHECK(v.is_string(), "result field \"{}\" is {}; it must be a string", name, v.dump());
  return v.get<std::string>();
}

double get_double(const Json& json, const std::string& name) {
  const Json& v = field_of(json, name);
  AXT_CHECK(v.is_number() && std::isfinite(v.get<double>()), "result field \"{}\" is {}; it must be a finite number",
            name, v.dump());
  return v.get<double>();
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
  const std::string s = v.get<std::string>();
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
  for (const std::string* s : {&dataset, &method, &multiplier, &memory, &layer_assignment}) {
    escape_into(out, *s);
    out += '|';
  }
  return out + std::to_string(seed);
}

const std::vector<std::string>& result_row_fields() {
  static const std::vector<std::string> fields = {
      "dataset",  "method",      "multiplier",    "memory",        "layer_assignment", "seed",
      "voltage",  "ber",         "error_exact",   "error_hw",      "error_hw_std",     "error_hw_ci95",
      "trials",   "error_hw_compensated",         "sensitivity_mean", "energy_pj",     "energy_saving"};
  return fields;
}

Json to_json(const ResultRow& r) {
  AXT_CHECK(r.trials >= 1, "result field trials is {}; it must be >= 1", r.trials);
  Json j = Json::object();
  j["dataset"] = r.dataset;
  j["method"] = r.method;
  j["multiplier"] = r.multiplier;
  j["memory"] = r.memory;
  j["layer_assignment"] = r.layer_assignment;
  j["seed"] = r.seed;
  j["voltage"] = finite(r.voltage, "voltage");
  j["ber"] = finite(r.ber, "ber");
  j["error_exact"] = finite(r.error_exact, "error_exact");
  j["error_hw"] = finite(r.error_hw, "error_hw");
  j["error_hw_std"] = finite(r.error_hw_std, "error_hw_std");
  j["error_hw_ci95"] = finite(r.error_hw_ci95, "error_hw_ci95");
  j["trials"] = r.trials;
  j["error_hw_compensated"] = finite(r.error_hw_compensated, "error_hw_compensated");
  j["sensitivity_mean"] = finite(r.sensitivity_mean, "sensitivity_mean");
  j["energy_pj"] = finite(r.energy_pj, "energy_pj");
  j["energy_saving"] = finite(r.energy_saving, "energy_saving");
  AXT_ASSERT(j.size() == result_row_fields().size());
  return j;
}

ResultRow row_from_json(const Json& j) {
  AXT_CHECK(j.is_object(), "a result row must be a JSON object, not {}", j.dump());
  const auto& fields = result_row_fields();
  for (const auto& [name, value] : j.items())
    AXT_CHECK(std::find(fields.begin(), fields.end(), name) != fields.end(),
              "result row has an unknown field \"{}\"; the fields are: {}", name, fmt::join(fields, ", "));
  ResultRow r;
  r.dataset = get_string(j, "dataset");
  r.method = get_string(j, "method");
  r.multiplier = get_string(j, "multiplier");
  r.memory = get_string(j, "memory");
  r.layer_assignment = get_string(j, "layer_assignment");
  const Json& seed = field_of(j, "seed");
  AXT_CHECK(seed.is_number_unsigned(), "result field \"seed\" is {}; it must be a non-negative integer", seed.dump());
  r.seed = seed.get<std::uint64_t>();
  r.voltage = get_double(j, "voltage");
  r.ber = get_double(j, "ber");
  r.error_exact = get_double(j, "error_exact");
  r.error_hw = get_double(j, "error_hw");
  r.error_hw_std = get_double(j, "error_hw_std");
  r.error_hw_ci95 = get_double(j, "error_hw_ci95");
  const Json& trials = field_of(j, "trials");
  AXT_CHECK(trials.is_number_integer() && trials.get<std::int64_t>() >= 1 &&
                trials.get<std::int64_t>() <= std::numeric_limits<int>::max(),
            "result field \"trials\" is {}; it must be an integer >= 1", trials.dump());
  r.trials = static_cast<int>(trials.get<std::int64_t>());
  r.error_hw_compensated = get_double(j, "error_hw_compensated");
  r.sensitivity_mean = get_double(j, "sensitivity_mean");
  r.energy_pj = get_double(j, "energy_pj");
  r.energy_saving = get_double(j, "energy_saving");
  return r;
}

ResultLog ResultLog::open(const std::string& path) {
  ResultLog log(path);
  if (!std::filesystem::exists(path)) return log;
  const std::string content = read_file(path);
  std::size_t start = 0;
  for (int line = 1; start < content.size(); ++line) {
    const std::size_t end = content.find('\n', start);
    const bool complete = end != std::string::npos;
    const std::string text = content.substr(start, complete ? end - start : std::string::npos);
    const std::size_t line_start = start;
    start = complete ? end + 1 : content.size();
    if (text.find_first_not_of(" \t\r") == std::string::npos) continue;
    ResultRow row;
    try {
      row = row_from_json(Json::parse(text));
    } catch (const std::exception& e) {  // Json::parse_error or axtrain::Error from row_from_json
      if (!complete) {
        std::cerr << fmt::format("axtrain: warning: {}:{}: ignoring a truncated last line (a write interrupted by a "
                                 "kill); that point will be recomputed\n",
                                 path, line);
        std::filesystem::resize_file(path, line_start);
        append_durably(path, "");  // fsync the truncation
        break;
      }
      std::string why = e.what();
      std::replace(why.begin(), why.end(), '\n', ' ');
      AXT_FAIL("{}:{}: not a valid result row: {}; fix or delete that line (the point will be recomputed)", path,
               line, why);
    }
    AXT_CHECK(log.keys_.insert(row.key()).second,
              "{}:{}: the point {} appears twice in the result log; delete one of the two lines", path, line,
              row.key());
    log.rows_.push_back(std::move(row));
    if (!complete) append_durably(path, "\n");  // a whole row whose '\n' was lost: terminate it
  }
  return log;
}

bool ResultLog::contains(const std::string& key) const { return keys_.count(key) != 0; }

void ResultLog::append(const ResultRow& row) {
  const std::string key = row.key();
  AXT_CHECK(!contains(key), "the point {} is already in the result log {}; skip points that contains() reports",
            key, path_);
  std::string line;
  try {
    line = to_json(row).dump() + "\n";
  } catch (const Json::exception& e) {
    AXT_FAIL("cannot write the point {} to {}: {}; use UTF-8 names", key, path_, e.what());
  }
  append_durably(path_, line);
  keys_.insert(key);
  rows_.push_back(row);
}

std::string rows_csv(std::span<const ResultRow> rows) {
  const auto& fields = result_row_fields();
  std::string out = fmt::format("{}\n", fmt::join(fields, ","));
  for (const ResultRow& row : rows) {
    const Json j = to_json(row);
    for (std::size_t i = 0; i < fields.size(); ++i) {
      if (i > 0) out += ',';
      out += csv_cell(j.at(fields[i]));
    }
    out += '\n';
  }
  return out;
}

}  // namespace axtrain
