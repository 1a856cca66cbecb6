// analyse_rows (explore/sweep_analysis.h): the overall best configuration under the budget, over methods and
// hardware, against a brute-force choice; its mean over seeds and its confidence interval; no answer when
// nothing meets the budget.
#include "axtrain/explore/sweep_analysis.h"

#include "axtrain/explore/sweep_point.h"
#include "axtrain/util/statistics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <random>

namespace axtrain {
namespace {

ResultRow row(Method method, const std::string& multiplier, const std::string& memory, int seed, double error_exact,
              double error_hw, double energy_pj) {
  ResultRow r;
  r.dataset = "sobel";
  r.method = method;
  r.multiplier = multiplier;
  r.memory = memory;
  r.seed = seed;
  r.error_exact = error_exact;
  r.error_hw = error_hw;
  r.error_hw_ci95 = 0.001 * seed;
  r.energy_pj = energy_pj;
  r.energy_saving = 1 - energy_pj / 100;
  return r;
}

TEST(SweepAnalysis, OverallBestIsTheCheapestConfigurationWithinTheBudget) {
  const std::vector<ResultRow> rows = {
      row(Method::kBaseline, "K1", "none", 1, 0.10, 0.13, 80),  // excess 0.03: over a 0.02 budget
      row(Method::kBaseline, "K3", "none", 1, 0.10, 0.20, 70),
      row(Method::kPas, "K1", "none", 1, 0.11, 0.115, 80),  // within the budget, 80 pJ
      row(Method::kPas, "K3", "none", 1, 0.12, 0.119, 70),  // within the budget, 70 pJ: the best
      row(Method::kAct, "K3", "none", 1, 0.10, 0.125, 70),  // same energy, excess 0.025: over
  };
  const SweepAnalysis a = analyse_rows(rows, 0.02);
  ASSERT_TRUE(a.overall_best);
  EXPECT_EQ(a.overall_best->method, Method::kPas);
  EXPECT_EQ(a.overall_best->hardware, "K3");
  EXPECT_EQ(a.overall_best->rows, std::vector<std::size_t>{3});
  EXPECT_DOUBLE_EQ(a.overall_best->error_hw, 0.119);
  EXPECT_DOUBLE_EQ(a.overall_best->reference_error, 0.10) << "the baseline's exact error";
  EXPECT_DOUBLE_EQ(a.overall_best->ci95, 0.001) << "one seed: the row's Monte Carlo interval";
  EXPECT_DOUBLE_EQ(a.overall_best->energy_saving, 0.3);
  EXPECT_FALSE(analyse_rows(rows, 0.0).overall_best) << "nothing is within a zero budget";
  EXPECT_EQ(a.to_json()["overall_best"]["method"], "pas");
  EXPECT_TRUE(analyse_rows(rows, 0.0).to_json()["overall_best"].is_null());
}

TEST(SweepAnalysis, SeedsAreAveragedAndTheirSpreadGivesTheInterval) {
  std::vector<ResultRow> rows;
  const double pas_k3[] = {0.105, 0.125, 0.115};  // mean 0.115, excess 0.015 over the mean reference 0.10
  for (int seed = 1; seed <= 3; ++seed) {
    rows.push_back(row(Method::kBaseline, "K3", "none", seed, 0.09 + 0.01 * (seed - 1), 0.2, 70));
    rows.push_back(row(Method::kPas, "K3", "none", seed, 0.1, pas_k3[seed - 1], 70));
  }
  rows.push_back(row(Method::kPas, "K3", "none", 4, 0.1, 0.1, 70));  // seed 4 has no reference: not counted
  const SweepAnalysis a = analyse_rows(rows, 0.02);
  ASSERT_TRUE(a.overall_best);
  EXPECT_EQ(a.overall_best->rows, (std::vector<std::size_t>{1, 3, 5}));
  EXPECT_NEAR(a.overall_best->error_hw, 0.115, 1e-15);
  EXPECT_NEAR(a.overall_best->reference_error, 0.10, 1e-15);
  EXPECT_NEAR(a.overall_best->ci95, ci95_half_width(0.01, 3), 1e-15) << "sample std 0.01 over 3 seeds";
  EXPECT_NEAR(ci95_half_width(0.01, 3), 4.303 * 0.01 / std::sqrt(3.0), 1e-15) << "Student's t, 2 dof, 3 digits";
}

// Random sweeps: the overall best equals a brute-force search over every (method, hardware) configuration.
TEST(SweepAnalysis, OverallBestMatchesBruteForceOnRandomSweeps) {
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> error(0.05, 0.2), energy(10, 20);
  const std::vector<std::string> multipliers = {"exact", "K1", "K3"}, memories = {"none", "0.6V"};
  const std::vector<Method> methods = {Method::kBaseline, Method::kPas, Method::kAct};
  for (int trial = 0; trial < 200; ++trial) {
    std::vector<ResultRow> rows;
    for (const Method m : methods)
      for (const auto& mul : multipliers)
        for (const auto& mem : memories)  // energies on a coarse grid so that ties happen
          rows.push_back(row(m, mul, mem, 1, error(rng), error(rng), std::round(energy(rng))));
    double reference = 0;
    for (const ResultRow& r : rows)
      if (r.method == Method::kBaseline) reference = r.error_exact;
    const double budget = 0.03;
    std::optional<std::size_t> brute;
    for (std::size_t i = 0; i < rows.size(); ++i) {
      if (rows[i].error_hw - reference > budget + 1e-12) continue;
      if (!brute || rows[i].energy_pj < rows[*brute].energy_pj ||
          (rows[i].energy_pj == rows[*brute].energy_pj && rows[i].error_hw < rows[*brute].error_hw))
        brute = i;
    }
    const SweepAnalysis a = analyse_rows(rows, budget);
    ASSERT_EQ(a.overall_best.has_value(), brute.has_value()) << trial;
    if (!brute) continue;
    EXPECT_EQ(a.overall_best->rows, std::vector<std::size_t>{*brute}) << trial;
    EXPECT_EQ(a.overall_best->hardware, hardware_label(rows[*brute])) << trial;
  }
}

}  // namespace
}  // namespace axtrain
