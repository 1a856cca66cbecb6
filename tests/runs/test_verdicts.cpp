#include "axtrain/runs/verdicts.h"

#include <gtest/gtest.h>

#include <numeric>

namespace axtrain {
namespace {

ResultRow row(Method method, const std::string& multiplier, const std::string& memory, int seed, double error) {
  ResultRow r;
  r.dataset = "d";
  r.method = method;
  r.multiplier = multiplier;
  r.memory = memory;
  r.seed = seed;
  r.error_hw = error;
  return r;
}

std::vector<std::size_t> all(const std::vector<ResultRow>& rows) {
  std::vector<std::size_t> indices(rows.size());
  std::iota(indices.begin(), indices.end(), std::size_t{0});
  return indices;
}

TEST(Verdicts, OneWinnerAtEveryPointIsSaidOnce) {
  const std::vector<ResultRow> rows = {
      row(Method::kBaseline, "exact", "0.6V", 1, 0.20), row(Method::kPas, "exact", "0.6V", 1, 0.25),
      row(Method::kBaseline, "exact", "0.5V", 1, 0.30), row(Method::kPas, "exact", "0.5V", 1, 0.31)};
  EXPECT_EQ(most_accurate_sentence(rows, all(rows), "SRAM voltage"),
            "At every SRAM voltage (2), the most accurate model is baseline.");
}

TEST(Verdicts, SplitWinnersAreRankedByPointsWonWithTheirPoints) {
  const std::vector<ResultRow> rows = {
      row(Method::kBaseline, "exact", "none", 1, 0.10), row(Method::kPas, "exact", "none", 1, 0.11),
      row(Method::kBaseline, "K1", "none", 1, 0.13),    row(Method::kPas, "K1", "none", 1, 0.12),
      row(Method::kBaseline, "K3", "none", 1, 0.20),    row(Method::kPas, "K3", "none", 1, 0.15),
      row(Method::kAct, "K3", "none", 1, 0.16)};
  EXPECT_EQ(most_accurate_sentence(rows, all(rows), "hardware point"),
            "The most accurate model is pas at 2 of 3 hardware points (K1, K3) and baseline at 1 (exact).");
  // Only the rows asked for count: without the K3 rows, each method wins one point.
  EXPECT_EQ(most_accurate_sentence(rows, std::vector<std::size_t>{0, 1, 2, 3}, "hardware point"),
            "The most accurate model is baseline at 1 of 2 hardware points (exact) and pas at 1 (K1).");
}

TEST(Verdicts, SeedsAreAveragedAndTiesGoToTheFirstMethodByName) {
  const std::vector<ResultRow> rows = {
      row(Method::kBaseline, "K3", "none", 1, 0.10), row(Method::kPas, "K3", "none", 1, 0.11),
      row(Method::kBaseline, "K3", "none", 2, 0.20), row(Method::kPas, "K3", "none", 2, 0.15),  // pas: lower mean
      row(Method::kAct, "K1", "none", 1, 0.12),      row(Method::kAxtrain, "K1", "none", 1, 0.12)};
  EXPECT_EQ(most_accurate_sentence(rows, all(rows), "multiplier"),
            "The most accurate model is act at 1 of 2 multipliers (K1) and pas at 1 (K3).");
  EXPECT_EQ(most_accurate_sentence(rows, std::vector<std::size_t>{}, "multiplier"), "");
}

TEST(Verdicts, OverallVerdictSaysWhenNothingMeetsTheBudget) {
  SweepAnalysis analysis;
  EXPECT_EQ(overall_verdict(analysis), "**No configuration meets the budget.**");
  analysis.overall_best = OverallBest{Method::kPas, "K3 0.7V", {0}, 0.1234, 0.0051, 0.12, 301780, 0.583};
  EXPECT_EQ(overall_verdict(analysis),
            "**Best overall: pas on K3 0.7V**: error 0.1234 +- 0.0051 (95 % CI; reference 0.1200), 301.78 nJ per "
            "inference, 58.3 % less energy than the exact multiplier at nominal voltage.");
}

}  // namespace
}  // namespace axtrain
