// `axtrain explore` run as a user would: the Pareto front and the best configuration under the budget
// against a brute-force selection over the rows, and resuming after a kill.
#include "../support/run_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

namespace axtrain::test {
namespace {

// Two multipliers x two voltages, two methods, on a small generated regression kernel.
const std::string kSweep =
    "explore --dataset sobel --kernel_samples 600 --hidden 8 --epochs 2 --finetune_epochs 1 "
    "--batch_size 32 --sweep_multipliers K1,K3 --sweep_memories 0.7V,0.6V "
    "--sweep_methods baseline,pas --hw K3 --trials 2 --budget 0.02 --quiet --json --out ";

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

}  // namespace
}  // namespace axtrain::test
