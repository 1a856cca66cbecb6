#include "../support/expect_error.h"
#include "../support/run_cli.h"
#include "axtrain/explore/result_log.h"

#include "axtrain/util/rng.h"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

namespace axtrain {
namespace {

using test::expect_error;
using test::slurp;
using test::TempDir;

// A row with every field set to a distinct, non-default value derived from the seed.
ResultRow sample_row(int seed) {
  Rng rng(derive_key({99, static_cast<std::uint64_t>(seed)}));
  ResultRow r;
  r.dataset = "fashion-mnist";
  r.method = seed % 2 ? Method::kAxtrain : Method::kBaseline;
  r.multiplier = "K3";
  r.memory = "ber:1e-4";
  r.layer_assignment = "K3,K1,exact";
  r.seed = seed;
  r.voltage = 0.6 + 0.01 * static_cast<double>(seed);
  r.ber = 1e-4;
  r.error_exact = rng.uniform_open();
  r.error_hw = rng.uniform_open();
  r.error_hw_std = rng.uniform_open();
  r.error_hw_ci95 = rng.uniform_open();
  r.trials = 5 + static_cast<int>(seed);
  r.error_hw_compensated = rng.uniform_open();
  r.sensitivity_mean = rng.uniform_open() * 1e-6;
  r.energy_pj = 1e5 * rng.uniform_open();
  r.energy_saving = rng.uniform_open();
  return r;
}

void expect_same(const ResultRow& a, const ResultRow& b) {
  EXPECT_EQ(to_json(a), to_json(b));  // every field, exactly (doubles round-trip)
  EXPECT_EQ(a.key(), b.key());
}

TEST(ResultLog, JsonRoundTripKeepsEveryField) {
  const ResultRow r = sample_row(3);
  const nlohmann::json j = to_json(r);
  EXPECT_EQ(j.size(), result_row_fields().size());
  for (const auto& f : result_row_fields()) EXPECT_TRUE(j.contains(f.name)) << f.name;
  const ResultRow back = row_from_json(nlohmann::json::parse(j.dump()));
  expect_same(r, back);
  EXPECT_EQ(back.trials, 8);
  EXPECT_EQ(back.layer_assignment, "K3,K1,exact");
  EXPECT_DOUBLE_EQ(back.error_hw_compensated, r.error_hw_compensated);
  // Defaults survive too (error_hw_compensated = -1: not measured).
  expect_same(ResultRow{}, row_from_json(to_json(ResultRow{})));
}

TEST(ResultLog, FromJsonNamesTheBadField) {
  const nlohmann::json good = to_json(sample_row(1));
  nlohmann::json j = good;
  j.erase("energy_pj");
  expect_error([&] { row_from_json(j); }, {"energy_pj", "no field"});
  j = good;
  j["trials"] = 0;
  expect_error([&] { row_from_json(j); }, {"trials", ">= 1"});
  j = good;
  j["seed"] = -1;
  expect_error([&] { row_from_json(j); }, {"seed", ">= 0"});
  j = good;
  j["method"] = "fast";
  expect_error([&] { row_from_json(j); }, {"method", "string"});
  j = good;
  j["dataset"] = 5;
  expect_error([&] { row_from_json(j); }, {"dataset", "string"});
  j = good;
  j["error_hw"] = "0.1";
  expect_error([&] { row_from_json(j); }, {"error_hw", "number"});
  j = good;
  j["colour"] = "red";
  expect_error([&] { row_from_json(j); }, {"colour", "unknown"});
  expect_error([&] { row_from_json(nlohmann::json::array()); }, "JSON object");
}

TEST(ResultLog, KeysAreUnique) {
  ResultRow a = sample_row(1), b = sample_row(1);
  EXPECT_EQ(a.key(), b.key());
  b.error_hw += 0.1;  // measurements are not identity
  EXPECT_EQ(a.key(), b.key());
  b.seed = 2;
  EXPECT_NE(a.key(), b.key());
  // A '|' inside a field cannot make two different points collide.
  a.multiplier = "x|y";
  a.memory = "z";
  b = a;
  b.multiplier = "x";
  b.memory = "y|z";
  EXPECT_NE(a.key(), b.key());
  std::set<std::string> keys;
  for (const char* la : {"", "K3,K1,exact", "0.6V,0.7V,1.0V"}) {
    ResultRow r = sample_row(1);
    r.layer_assignment = la;
    keys.insert(r.key());
  }
  EXPECT_EQ(keys.size(), 3u);
}

TEST(ResultLog, AppendThenReopenGivesSameRows) {
  TempDir dir;
  const std::string path = dir.file("results.jsonl");
  {
    ResultLog log = ResultLog::open(path);  // missing file: empty log
    EXPECT_TRUE(log.rows().empty());
    for (int s = 0; s < 4; ++s) log.append(sample_row(s));
    EXPECT_TRUE(log.contains(sample_row(2).key()));
    expect_error([&] { log.append(sample_row(2)); }, "already in the result log");
  }
  const ResultLog again = ResultLog::open(path);
  ASSERT_EQ(again.rows().size(), 4u);
  for (std::size_t s = 0; s < 4; ++s) {
    expect_same(again.rows()[s], sample_row(static_cast<int>(s)));
    EXPECT_TRUE(again.contains(sample_row(static_cast<int>(s)).key()));
  }
  EXPECT_FALSE(again.contains(sample_row(4).key()));
  // One JSON object per line.
  std::istringstream lines(slurp(path));
  int n = 0;
  for (std::string line; std::getline(lines, line); ++n) EXPECT_TRUE(nlohmann::json::parse(line).is_object());
  EXPECT_EQ(n, 4);
}

// A rerun keeps only the rows of its own configuration: key present and fingerprint equal.
TEST(ResultLog, RetainFingerprintsKeepsOnlyMatchingRowsOnDiskToo) {
  TempDir dir;
  const std::string path = dir.file("results.jsonl");
  ResultLog log = ResultLog::open(path);
  for (int s = 0; s < 4; ++s) {
    ResultRow row = sample_row(s);
    row.fingerprint = "fp" + std::to_string(s);
    log.append(row);
  }
  std::map<std::string, std::string> expected;
  expected[sample_row(0).key()] = "fp0";    // matches: kept
  expected[sample_row(1).key()] = "other";  // another configuration's row under the same key: dropped
  expected[sample_row(3).key()] = "fp3";    // kept; row 2 is not in this sweep: dropped
  EXPECT_EQ(log.retain_fingerprints(expected), 2u);
  ASSERT_EQ(log.rows().size(), 2u);
  EXPECT_TRUE(log.contains(sample_row(0).key()));
  EXPECT_FALSE(log.contains(sample_row(1).key()));
  EXPECT_FALSE(log.contains(sample_row(2).key()));
  const ResultLog again = ResultLog::open(path);
  ASSERT_EQ(again.rows().size(), 2u);
  EXPECT_EQ(again.rows()[1].fingerprint, "fp3");
  EXPECT_EQ(log.row(sample_row(3).key()).fingerprint, "fp3") << "found by key after the rewrite";
  expect_error([&] { (void)log.row(sample_row(1).key()); }, "not in the result log");
  EXPECT_EQ(log.retain_fingerprints(expected), 0u) << "nothing more to drop";
}

TEST(ResultLog, TruncatedLastLineIsIgnoredAndNextAppendWorks) {
  TempDir dir;
  const std::string path = dir.file("results.jsonl");
  ResultLog::open(path).append(sample_row(0));
  ResultLog::open(path).append(sample_row(1));
  {  // a kill in the middle of writing row 2
    const std::string line = to_json(sample_row(2)).dump();
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << line.substr(0, line.size() / 2);
  }
  testing::internal::CaptureStderr();
  ResultLog log = ResultLog::open(path);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("warning"), std::string::npos) << err;
  EXPECT_NE(err.find(path + ":3"), std::string::npos) << err;
  ASSERT_EQ(log.rows().size(), 2u);
  EXPECT_FALSE(log.contains(sample_row(2).key()));
  log.append(sample_row(2));
  const ResultLog again = ResultLog::open(path);
  ASSERT_EQ(again.rows().size(), 3u);
  for (std::size_t s = 0; s < 3; ++s) expect_same(again.rows()[s], sample_row(static_cast<int>(s)));
}

TEST(ResultLog, CompleteLastRowWithoutNewlineIsKept) {
  TempDir dir;
  const std::string path = dir.file("results.jsonl");
  {
    std::ofstream out(path, std::ios::binary);
    out << to_json(sample_row(0)).dump() << "\n" << to_json(sample_row(1)).dump();
  }
  ResultLog log = ResultLog::open(path);
  ASSERT_EQ(log.rows().size(), 2u);
  log.append(sample_row(2));
  EXPECT_EQ(ResultLog::open(path).rows().size(), 3u);
}

TEST(ResultLog, MalformedMiddleLineThrowsWithFileAndLine) {
  TempDir dir;
  const std::string path = dir.file("results.jsonl");
  {
    std::ofstream out(path, std::ios::binary);
    out << to_json(sample_row(0)).dump() << "\n{\"dataset\": \"fashion\n" << to_json(sample_row(1)).dump() << "\n";
  }
  expect_error([&] { ResultLog::open(path); }, {path + ":2", "not a valid result row"});
  {  // valid JSON but a bad row, in the middle
    nlohmann::json bad = to_json(sample_row(5));
    bad["trials"] = -3;
    std::ofstream out(path, std::ios::binary);
    out << to_json(sample_row(0)).dump() << "\n" << bad.dump() << "\n" << to_json(sample_row(1)).dump() << "\n";
  }
  expect_error([&] { ResultLog::open(path); }, {path + ":2", "trials"});
  {  // a complete but malformed last line is not a truncation
    std::ofstream out(path, std::ios::binary);
    out << to_json(sample_row(0)).dump() << "\nnot json\n";
  }
  expect_error([&] { ResultLog::open(path); }, {path + ":2"});
  {  // the same point twice
    std::ofstream out(path, std::ios::binary);
    out << to_json(sample_row(0)).dump() << "\n\n" << to_json(sample_row(0)).dump() << "\n";
  }
  expect_error([&] { ResultLog::open(path); }, {path + ":3", "appears twice"});
}

TEST(ResultLog, CsvHasEveryFieldAndOneLinePerRow) {
  std::vector<ResultRow> rows = {sample_row(0), sample_row(1), sample_row(2)};
  rows[1].dataset = "say \"hi\"";
  const std::string csv = rows_csv(rows);
  std::istringstream in(csv);
  std::vector<std::string> lines;
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 4u);
  EXPECT_EQ(csv.back(), '\n');
  // Header: every field of to_json, in result_row_fields() order.
  std::vector<std::string> header;
  std::istringstream h(lines[0]);
  for (std::string cell; std::getline(h, cell, ',');) header.push_back(cell);
  std::vector<std::string> names;
  for (const auto& f : result_row_fields()) names.push_back(f.name);
  EXPECT_EQ(header, names);
  std::set<std::string> json_keys;
  const nlohmann::json j0 = to_json(rows[0]);  // items() of a temporary would dangle
  for (const auto& [k, v] : j0.items()) json_keys.insert(k);
  EXPECT_EQ(std::set<std::string>(header.begin(), header.end()), json_keys);
  // Row 0: the layer assignment has commas, so it is quoted; numbers read back exactly.
  EXPECT_EQ(lines[1].rfind("fashion-mnist,baseline,K3,ber:1e-4,\"K3,K1,exact\",0,", 0), 0u) << lines[1];
  EXPECT_NE(lines[1].find(nlohmann::json(rows[0].energy_pj).dump()), std::string::npos);
  EXPECT_EQ(lines[2].rfind("\"say \"\"hi\"\"\",axtrain,", 0), 0u) << lines[2];
  EXPECT_EQ(rows_csv(std::vector<ResultRow>{}), lines[0] + "\n");
}

}  // namespace
}  // namespace axtrain
