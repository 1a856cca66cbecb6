// `axtrain reproduce --profile tiny` run as a user would: every point of the paper's experiment, the summary
// computed from the rows as SPEC 2.8 defines it, the report, and a rerun that reuses everything.
#include "../support/run_cli.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include <cmath>
#include <filesystem>
#include <map>
#include <set>

namespace axtrain::test {
namespace {

const nlohmann::json* find_row(const nlohmann::json& rows, const std::string& dataset, const std::string& method,
                               const std::string& multiplier, const std::string& memory) {
  for (const auto& r : rows)
    if (r["dataset"] == dataset && r["method"] == method && r["multiplier"] == multiplier && r["memory"] == memory)
      return &r;
  return nullptr;
}

TEST(CliReproduce, TinyProfileRunsThePaperExperimentAndResumes) {
  TempDir dir;
  const std::string out = dir.file("repro");
  const nlohmann::json results = run_cli_json("reproduce --profile tiny --quiet --json --out " + out);
  EXPECT_EQ(results["profile"], "tiny");
  EXPECT_EQ(results["resumed_points"], 0);
  // Per dataset: baseline on K1-K3 and 5 voltages, then pas/act/axtrain on the same 8 points.
  const auto& rows = results["rows"];
  ASSERT_EQ(rows.size(), 3u * 4u * 8u);
  std::set<std::string> datasets;
  for (const auto& r : rows) datasets.insert(r["dataset"].get<std::string>());
  EXPECT_EQ(datasets, (std::set<std::string>{"fashion-mnist", "inversek2j", "blackscholes"}));
  for (const char* file : {"results.json", "results.csv", "results.jsonl", "report.md", "report.html", "energy.svg",
                           "voltage.svg", "sensitivity.svg", "curves.svg"})
    EXPECT_TRUE(std::filesystem::exists(out + "/" + file)) << file;

  // The summary is the reductions of SPEC 2.8 computed from the rows, beside the paper's numbers.
  const auto& summary = results["summary"];
  ASSERT_EQ(summary.size(), 9u);
  const double paper_error[] = {0.7561, 0.5845, 0.3766};
  for (const auto& s : summary) {
    const std::string d = s["dataset"], k = s["hardware"];
    const nlohmann::json* ref = find_row(rows, d, "baseline", k, "none");
    ASSERT_NE(ref, nullptr) << d << " " << k;
    const double exact = (*ref)["error_exact"], d_ref = (*ref)["error_hw"].get<double>() - exact;
    for (const char* m : {"pas", "act", "axtrain"}) {
      const nlohmann::json* row = find_row(rows, d, m, k, "none");
      ASSERT_NE(row, nullptr) << d << " " << k << " " << m;
      const double expected = d_ref != 0 ? 1 - ((*row)["error_hw"].get<double>() - exact) / d_ref : 0.0;
      EXPECT_DOUBLE_EQ(s[std::string("error_reduction_") + m].get<double>(), expected) << d << " " << k << " " << m;
      // Against the bias-compensated baseline, and the method's cost on exact hardware.
      // The better free baseline: the compensated one, or the plain one where compensation raised the error.
      const double compensated =
          std::min((*ref)["error_hw_compensated"].get<double>(), (*ref)["error_hw"].get<double>());
      const double d_comp = compensated - exact;
      EXPECT_DOUBLE_EQ(s["error_reduction_vs_compensated"][m].get<double>(),
                       d_comp != 0 ? 1 - ((*row)["error_hw"].get<double>() - exact) / d_comp : 0.0)
          << d << " " << k << " " << m;
      EXPECT_DOUBLE_EQ(s["exact_cost"][m].get<double>(), (*row)["error_exact"].get<double>() - exact);
      EXPECT_EQ((*row)["error_hw_compensated"], -1) << "measured for the baseline only";
    }
    EXPECT_GE((*ref)["error_hw_compensated"].get<double>(), 0) << "the comparator is measured";
    EXPECT_EQ(s["baseline_error_hw_compensated"], (*ref)["error_hw_compensated"]);
    const double s_ref = (*ref)["sensitivity_mean"];
    const double s_act = (*find_row(rows, d, "act", k, "none"))["sensitivity_mean"];
    EXPECT_DOUBLE_EQ(s["sensitivity_reduction_act"].get<double>(), s_ref > 0 ? 1 - s_act / s_ref : 0.0);
    EXPECT_EQ(s["paper_error_reduction_axtrain"].get<double>(), paper_error[k[1] - '1']);
  }
  const std::string report = test::slurp(out + "/report.md");
  EXPECT_NE(report.find("## Against the bias-compensated baseline"), std::string::npos);
  EXPECT_NE(report.find("| compensated baseline |"), std::string::npos);
  // The NTV points carry their voltage and a positive bit error rate; energy falls with the voltage.
  const nlohmann::json* low = find_row(rows, "fashion-mnist", "baseline", "exact", "0.5V");
  const nlohmann::json* high = find_row(rows, "fashion-mnist", "baseline", "exact", "0.7V");
  ASSERT_TRUE(low && high);
  EXPECT_EQ((*low)["voltage"], 0.5);
  EXPECT_GT((*low)["ber"].get<double>(), (*high)["ber"].get<double>());
  EXPECT_LT((*low)["energy_pj"].get<double>(), (*high)["energy_pj"].get<double>());

  // A rerun trains nothing and evaluates nothing: every point is reused, with the same numbers.
  const nlohmann::json again = run_cli_json("reproduce --profile tiny --quiet --json --out " + out);
  EXPECT_EQ(again["resumed_points"], rows.size());
  EXPECT_EQ(again["rows"], rows);
  EXPECT_EQ(again["summary"], summary);
}

TEST(CliReproduce, ProfileIsAChoice) {
  const CliResult r = run_cli("reproduce --profile medium --out /nonexistent/never");
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("one of full, quick, tiny"), std::string::npos) << r.err;
  const CliResult both = run_cli("reproduce --quick --profile tiny --out /nonexistent/never");
  EXPECT_EQ(both.exit_code, 2) << both.err;
  EXPECT_FALSE(std::filesystem::exists("/nonexistent/never"));
}

}  // namespace
}  // namespace axtrain::test
