// `axtrain explore` run as a user would: the Pareto front and the best configuration under the budget
// against a brute-force selection over the rows, and resuming after a kill.
#include "../support/run_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

namespace axtrain::test {
namespace {

// Two multipliers x two voltages, two methods, on a small generated regression kernel. `sweep` varies it (a
// list flag given twice would add to the list, so each is given once).
std::string sweep(const std::string& multipliers = "K1,K3", const std::string& memories = "0.7V,0.6V",
                  const std::string& hidden = "8") {
  return "explore --dataset sobel --kernel_samples 600 --hidden " + hidden +
         " --epochs 2 --finetune_epochs 1 --batch_size 32 --sweep_multipliers " + multipliers + " --sweep_memories " +
         memories +
         " --sweep_methods baseline,pas --hw K3 --trials 2 --budget 0.02 --quiet "
         "--json ";
}
const std::string kSweep = sweep() + "--out ";

nlohmann::json explore(const std::string& out) {
  return run_cli_json(kSweep + out);
}

TEST(CliExplore, ParetoFrontAndBestUnderBudgetMatchBruteForce) {
  TempDir dir;
  const nlohmann::json results = explore(dir.file("sweep"));
  const auto& rows = results["rows"];
  ASSERT_EQ(rows.size(), 8u);  // 2 methods x 2 multipliers x 2 voltages
  for (const char* file : {"results.json", "results.csv", "results.jsonl", "report.md", "report.html", "pareto.svg"})
    EXPECT_TRUE(std::filesystem::exists(dir.file("sweep/") + file)) << file;
  double reference = -1;
  for (const auto& r : rows)
    if (r["method"] == "baseline") reference = r["error_exact"].get<double>();
  ASSERT_GE(reference, 0);
  ASSERT_EQ(results["analysis"]["methods"].size(), 2u);
  for (const auto& group : results["analysis"]["methods"]) {
    const std::string method = group["method"];
    std::vector<std::size_t> members;
    for (std::size_t i = 0; i < rows.size(); ++i)
      if (rows[i]["method"] == method) members.push_back(i);
    auto energy = [&](std::size_t i) { return rows[i]["energy_pj"].get<double>(); };
    auto error = [&](std::size_t i) { return rows[i]["error_hw"].get<double>(); };
    // Brute force: a point is on the front iff no other point is at least as good in both and better in one.
    std::set<std::size_t> front;
    for (std::size_t i : members) {
      bool dominated = false;
      for (std::size_t j : members)
        dominated = dominated ||
                    (energy(j) <= energy(i) && error(j) <= error(i) && (energy(j) < energy(i) || error(j) < error(i)));
      if (!dominated) front.insert(i);
    }
    const auto reported = group["pareto"].get<std::vector<std::size_t>>();
    std::set<std::size_t> reported_set(reported.begin(), reported.end());
    for (std::size_t i : reported_set) EXPECT_TRUE(front.contains(i)) << method << " row " << i;
    for (std::size_t i : front) {  // every non-dominated point is reported, or an exact duplicate of one that is
      bool covered = reported_set.contains(i);
      for (std::size_t j : reported_set) covered = covered || (energy(j) == energy(i) && error(j) == error(i));
      EXPECT_TRUE(covered) << method << " row " << i;
    }
    // Brute force: the lowest energy among points within the budget.
    double best_energy = std::numeric_limits<double>::infinity();
    for (std::size_t i : members)
      if (error(i) - reference <= 0.02 + 1e-12) best_energy = std::min(best_energy, energy(i));
    const auto& best = group["best_under_budget"];
    if (std::isinf(best_energy)) {
      EXPECT_TRUE(best.is_null()) << method;
    } else {
      ASSERT_FALSE(best.is_null()) << method;
      EXPECT_EQ(best["energy_pj"].get<double>(), best_energy) << method;
      EXPECT_EQ(group["reference_error"].get<double>(), reference);
    }
  }
  // A fair sweep: each pas model was fine-tuned for the point it is scored on; the baseline is the reference.
  std::set<std::string> models;
  for (const auto& r : rows) {
    const std::string label = r["multiplier"].get<std::string>() + " " + r["memory"].get<std::string>();
    EXPECT_EQ(r["trained_for"], r["method"] == "baseline" ? "reference" : label) << r.dump();
    models.insert(r["trained_for"].get<std::string>());
  }
  EXPECT_EQ(models.size(), 5u) << "the reference and one pas model per point";
  // The overall best equals a brute-force choice over every row (one seed: a configuration is a row).
  std::optional<std::size_t> brute;
  for (std::size_t i = 0; i < rows.size(); ++i) {
    const double e = rows[i]["energy_pj"].get<double>(), err = rows[i]["error_hw"].get<double>();
    if (err - reference > 0.02 + 1e-12) continue;
    if (!brute || e < rows[*brute]["energy_pj"].get<double>() ||
        (e == rows[*brute]["energy_pj"].get<double>() && err < rows[*brute]["error_hw"].get<double>()))
      brute = i;
  }
  const auto& overall = results["analysis"]["overall_best"];
  const std::string report = test::slurp(dir.file("sweep/report.md"));
  if (!brute) {
    EXPECT_TRUE(overall.is_null());
    EXPECT_NE(report.find("No configuration meets the budget"), std::string::npos);
  } else {
    ASSERT_FALSE(overall.is_null());
    EXPECT_EQ(overall["rows"], nlohmann::json::array({*brute}));
    EXPECT_EQ(overall["method"], rows[*brute]["method"]);
    EXPECT_EQ(overall["energy_pj"], rows[*brute]["energy_pj"]);
    EXPECT_NE(report.find("Best overall: " + overall["method"].get<std::string>() + " on " +
                          overall["hardware"].get<std::string>()),
              std::string::npos)
        << report;
  }
}

std::set<std::string> labels_of(const nlohmann::json& rows) {
  std::set<std::string> labels;
  for (const auto& r : rows)
    labels.insert(r["method"].get<std::string>() + " " + r["multiplier"].get<std::string>() + " " +
                  r["memory"].get<std::string>());
  return labels;
}

// Reruns into one folder with other settings: rows of an earlier configuration are never reported, reused rows
// are exactly those whose fingerprint matches, and config.toml describes the rows beside it.
TEST(CliExplore, RerunsWithOtherSettingsReuseExactlyTheMatchingRows) {
  TempDir dir;
  const std::string out = dir.file("sweep");
  const nlohmann::json first = explore(out);
  ASSERT_EQ(first["rows"].size(), 8u);
  EXPECT_EQ(first["resumed_points"], 0);
  std::map<std::string, nlohmann::json> first_by_label;
  for (const auto& r : first["rows"])
    first_by_label[r["method"].get<std::string>() + " " + r["multiplier"].get<std::string>() + " " +
                   r["memory"].get<std::string>()] = r;
  const auto run = [&](const std::string& args) {
    const CliResult r = run_cli(args + " --out " + out);
    EXPECT_EQ(r.exit_code, 0) << args << "\n" << r.err;
    return nlohmann::json::parse(r.out);
  };
  const auto expect_folder_describes = [&](const nlohmann::json& result, const std::string& key_line) {
    EXPECT_NE(test::slurp(out + "/config.toml").find(key_line + "\n"), std::string::npos) << key_line;
    const std::string csv = test::slurp(out + "/results.csv"), report = test::slurp(out + "/report.md");
    EXPECT_EQ(std::count(csv.begin(), csv.end(), '\n'), static_cast<long>(result["rows"].size()) + 1) << csv;
    std::istringstream log(test::slurp(out + "/results.jsonl"));
    std::size_t lines = 0;
    for (std::string line; std::getline(log, line);) lines += line.empty() ? 0 : 1;
    EXPECT_EQ(lines, result["rows"].size()) << "the log holds this configuration's rows only";
    return report;
  };

  // Another training hardware for the pas models: K3 becomes K2. Rows on K1 keep their fingerprints.
  const nlohmann::json k2 = run(sweep("K1,K2"));
  EXPECT_EQ(k2["rows"].size(), 8u);
  EXPECT_EQ(k2["resumed_points"], 4) << "the 4 rows on K1";
  EXPECT_EQ(k2["dropped_rows"], 4) << "the 4 rows on K3";
  for (const auto& r : k2["rows"]) {
    EXPECT_NE(r["multiplier"], "K3");
    const std::string label = r["method"].get<std::string>() + " " + r["multiplier"].get<std::string>() + " " +
                              r["memory"].get<std::string>();
    if (r["multiplier"] == "K1") {
      EXPECT_EQ(r, first_by_label.at(label)) << "reused as it was";
    }
  }
  std::string report = expect_folder_describes(k2, "sweep_multipliers = [\"K1\", \"K2\"]");
  EXPECT_EQ(report.find("K3 0.6V"), std::string::npos) << "no point of the earlier sweep in the report";

  // Another network: no model and no row fits.
  const nlohmann::json narrow = run(sweep("K1,K2", "0.7V,0.6V", "6"));
  EXPECT_EQ(narrow["resumed_points"], 0);
  EXPECT_EQ(narrow["dropped_rows"], 8);
  expect_folder_describes(narrow, "hidden = [6]");

  // A smaller sweep: its rows are reused, the rest leave the folder.
  const nlohmann::json smaller = run(sweep("K1,K2", "0.7V", "6"));
  EXPECT_EQ(smaller["rows"].size(), 4u);
  EXPECT_EQ(smaller["resumed_points"], 4);
  EXPECT_EQ(smaller["dropped_rows"], 4);
  EXPECT_EQ(labels_of(smaller["rows"]),
            (std::set<std::string>{"baseline K1 0.7V", "baseline K2 0.7V", "pas K1 0.7V", "pas K2 0.7V"}));
  report = expect_folder_describes(smaller, "sweep_memories = [\"0.7V\"]");
  EXPECT_EQ(report.find("0.6V"), std::string::npos) << report;

  // Training hardware fixed to [hardware.train] (K3): the pas models change, the reference baseline's rows stay.
  const nlohmann::json fixed = run(sweep("K1,K2", "0.7V", "6") + "--sweep_train fixed");
  EXPECT_EQ(fixed["resumed_points"], 2) << "the baseline's rows";
  EXPECT_EQ(fixed["dropped_rows"], 2);
  for (const auto& r : fixed["rows"]) EXPECT_EQ(r["trained_for"], r["method"] == "baseline" ? "reference" : "K3");
  expect_folder_describes(fixed, "sweep_train = \"fixed\"");
}

TEST(CliExplore, KilledSweepResumesWithoutRecomputingFinishedPoints) {
  TempDir dir;
  const std::string out = dir.file("sweep");
  // Kill it hard part of the way through (how far it got depends on the machine; every outcome must resume).
  std::system(("timeout -s KILL 0.8 " + std::string(AXT_CLI_PATH) + " " + kSweep + out + " >/dev/null 2>&1").c_str());
  std::vector<std::string> before;
  if (std::filesystem::exists(out + "/results.jsonl")) {
    std::istringstream lines(test::slurp(out + "/results.jsonl"));
    for (std::string line; std::getline(lines, line);)
      if (!line.empty()) before.push_back(line);
  }
  const nlohmann::json resumed = explore(out);
  EXPECT_EQ(resumed["rows"].size(), 8u);
  // Complete lines survive unchanged and are counted as reused; a line cut by the kill is dropped.
  std::istringstream after(test::slurp(out + "/results.jsonl"));
  std::vector<std::string> lines;
  for (std::string line; std::getline(after, line);) lines.push_back(line);
  ASSERT_EQ(lines.size(), 8u);
  const std::size_t reused = resumed["resumed_points"].get<std::size_t>();
  EXPECT_LE(reused, before.size());
  EXPECT_GE(reused + 1, before.size());
  for (std::size_t i = 0; i < reused; ++i) EXPECT_EQ(lines[i], before[i]);
  // A third run recomputes nothing, and the numbers equal a fresh uninterrupted run.
  const nlohmann::json again = explore(out);
  EXPECT_EQ(again["resumed_points"].get<std::size_t>(), 8u);
  EXPECT_EQ(again["rows"], resumed["rows"]);
  const nlohmann::json fresh = explore(dir.file("fresh"));
  EXPECT_EQ(fresh["rows"], resumed["rows"]);

  // The same, deterministically: the log of a run killed after 3 points, in the middle of writing the 4th.
  std::filesystem::copy(dir.file("fresh"), dir.file("cut"), std::filesystem::copy_options::recursive);
  std::string cut;
  for (std::size_t i = 0; i < 3; ++i) cut += lines[i] + "\n";
  cut += lines[3].substr(0, lines[3].size() / 2);
  std::filesystem::remove(dir.file("cut/results.jsonl"));
  { std::ofstream(dir.file("cut/results.jsonl")) << cut; }
  const nlohmann::json from_cut = explore(dir.file("cut"));
  EXPECT_EQ(from_cut["resumed_points"].get<std::size_t>(), 3u);
  EXPECT_EQ(from_cut["rows"], fresh["rows"]);
}

// A user's own table: its energy comes from [energy.multiply_pj] (or the flag), is echoed into the run folder,
// and without it explore stops before any work, naming the key.
TEST(CliExplore, ATableMultiplierRunsWithTheEnergyTheUserGives) {
  TempDir dir;
  const std::string table = dir.file("my.bin");
  ASSERT_EQ(run_cli("hw convert K2 " + table).exit_code, 0);
  const std::string spec = "lut:" + table;
  const std::string sweep =
      "explore --dataset sobel --kernel_samples 300 --hidden 4 --epochs 1 --finetune_epochs 0 --batch_size 32 "
      "--sweep_methods baseline --sweep_multipliers exact," +
      spec + " --quiet --json --out ";
  test::expect_user_error(sweep + dir.file("none"), "[energy.multiply_pj] \"" + spec + "\" = ");
  EXPECT_FALSE(std::filesystem::exists(dir.file("none"))) << "refused before any work";

  const std::string config = dir.file("energy.toml");
  { std::ofstream(config) << "[energy]\nsram_read_pj = 1.5\n\n[energy.multiply_pj]\n\"" << spec << "\" = 0.2\n"; }
  const nlohmann::json cheap = run_cli_json(sweep + dir.file("cheap") + " --config " + config);
  ASSERT_EQ(cheap["rows"].size(), 2u);
  const std::string echoed = test::slurp(dir.file("cheap/config.toml"));
  EXPECT_NE(echoed.find("sram_read_pj = 1.5\n"), std::string::npos) << echoed;
  EXPECT_NE(echoed.find("[energy.multiply_pj]\n\"" + spec + "\" = 0.2\n"), std::string::npos) << echoed;
  const nlohmann::json dear =
      run_cli_json(sweep + dir.file("dear") + " --config " + config + " --energy-multiply_pj " + spec + "=0.3");
  ASSERT_EQ(dear["rows"].size(), 2u);
  EXPECT_EQ(dear["rows"][0]["energy_pj"], cheap["rows"][0]["energy_pj"]) << "the exact multiplier's row";
  const double exact = cheap["rows"][0]["energy_pj"].get<double>();
  const double at_02 = cheap["rows"][1]["energy_pj"].get<double>(), at_03 = dear["rows"][1]["energy_pj"].get<double>();
  // MACs x (0.3 - 0.2) pJ = (exact multiply 0.32 - 0.2) / 0.1 x that difference below the exact row.
  EXPECT_GT(at_03, at_02);
  EXPECT_NEAR((exact - at_02) / (at_03 - at_02), (0.32 - 0.2) / 0.1, 1e-6);
}

}  // namespace
}  // namespace axtrain::test
