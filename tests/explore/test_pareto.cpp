#include "../support/expect_error.h"
#include "axtrain/explore/pareto.h"

#include "axtrain/util/rng.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <optional>
#include <tuple>
#include <vector>

namespace axtrain {
namespace {

using test::expect_error;

// Straight from the definitions, O(n^2).
std::vector<std::size_t> brute_front(const std::vector<TradeoffPoint>& p) {
  std::vector<std::size_t> front;
  for (std::size_t i = 0; i < p.size(); ++i) {
    bool keep = true;
    for (std::size_t j = 0; j < p.size() && keep; ++j) {
      const bool le = p[j].energy_pj <= p[i].energy_pj && p[j].error <= p[i].error;
      const bool lt = p[j].energy_pj < p[i].energy_pj || p[j].error < p[i].error;
      if (le && lt) keep = false;                                                               // dominated
      if (j < i && p[j].energy_pj == p[i].energy_pj && p[j].error == p[i].error) keep = false;  // later duplicate
    }
    if (keep) front.push_back(i);
  }
  std::sort(front.begin(), front.end(), [&](std::size_t a, std::size_t b) { return p[a].energy_pj < p[b].energy_pj; });
  return front;
}

std::optional<std::size_t> brute_best(const std::vector<TradeoffPoint>& p, double reference, double budget) {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < p.size(); ++i) {
    if (p[i].error > reference + budget + kBudgetTolerance) continue;
    if (!best || std::tie(p[i].energy_pj, p[i].error, i) < std::tie(p[*best].energy_pj, p[*best].error, *best))
      best = i;
  }
  return best;
}

// Random points; with `grid` the coordinates come from a few levels so ties and exact duplicates are common.
std::vector<TradeoffPoint> random_points(Rng& rng, std::size_t n, bool grid) {
  std::vector<TradeoffPoint> p;
  for (std::size_t i = 0; i < n; ++i) {
    if (grid)
      p.push_back({static_cast<double>(rng.below(6)) * 10.0, static_cast<double>(rng.below(6)) / 100.0});
    else
      p.push_back({rng.uniform_open() * 1000.0, rng.uniform_open() * 0.3});
  }
  return p;
}

TEST(Pareto, FrontMatchesBruteForceOnRandomSets) {
  int nontrivial = 0;
  for (std::uint64_t trial = 0; trial < 600; ++trial) {
    Rng rng(derive_key({42, trial}));
    const std::size_t n = rng.below(40);
    const std::vector<TradeoffPoint> p = random_points(rng, n, trial % 2 == 0);
    const std::vector<std::size_t> front = pareto_front(p);
    ASSERT_EQ(front, brute_front(p)) << "trial " << trial << ", n " << n;
    for (std::size_t k = 1; k < front.size(); ++k) {
      EXPECT_LT(p[front[k - 1]].energy_pj, p[front[k]].energy_pj);
      EXPECT_GT(p[front[k - 1]].error, p[front[k]].error);
    }
    if (front.size() >= 2 && front.size() < n) ++nontrivial;
  }
  EXPECT_GT(nontrivial, 200);  // the sets exercise real fronts, not just all-or-one
}

TEST(Pareto, BestUnderBudgetMatchesBruteForceOnRandomSets) {
  int found = 0, none = 0;
  for (std::uint64_t trial = 0; trial < 600; ++trial) {
    Rng rng(derive_key({7, trial}));
    const std::size_t n = rng.below(30);
    const bool grid = trial % 2 == 0;
    const std::vector<TradeoffPoint> p = random_points(rng, n, grid);
    // On the grid, reference + budget often lands exactly on an error level.
    const double reference = grid ? static_cast<double>(rng.below(4)) / 100.0 : rng.uniform_open() * 0.2;
    const double budget = grid ? static_cast<double>(rng.below(3)) / 100.0 : rng.uniform_open() * 0.05;
    const auto best = best_under_budget(p, reference, budget);
    ASSERT_EQ(best, brute_best(p, reference, budget)) << "trial " << trial;
    (best ? found : none)++;
  }
  EXPECT_GT(found, 100);
  EXPECT_GT(none, 20);
}

TEST(Pareto, HandCases) {
  //                                  0           1            2           3            4           5
  const std::vector<TradeoffPoint> p = {{10, 0.10}, {5, 0.20}, {10, 0.10}, {20, 0.05}, {15, 0.12}, {5, 0.25}};
  // 2 duplicates 0 (dropped), 4 is dominated by 0, 5 by 1.
  EXPECT_EQ(pareto_front(p), (std::vector<std::size_t>{1, 0, 3}));
  EXPECT_TRUE(pareto_front(std::vector<TradeoffPoint>{}).empty());
  EXPECT_EQ(pareto_front(std::vector<TradeoffPoint>{{3, 0.5}}), (std::vector<std::size_t>{0}));
  // Same error, more energy: dominated.
  EXPECT_EQ(pareto_front(std::vector<TradeoffPoint>{{4, 0.1}, {3, 0.1}}), (std::vector<std::size_t>{1}));

  EXPECT_EQ(best_under_budget(p, 0.10, 0.0), std::optional<std::size_t>(0));   // 0 and 2 tie: lower index
  EXPECT_EQ(best_under_budget(p, 0.10, 0.10), std::optional<std::size_t>(1));  // error 0.20 is exactly at 0.10 + 0.10
  EXPECT_EQ(best_under_budget(p, 0.10, 0.15), std::optional<std::size_t>(1));  // energy tie 1 vs 5: lower error
  EXPECT_EQ(best_under_budget(p, 0.01, 0.02), std::nullopt);
  // 0.12 + 0.01 is not 0.13 in doubles; an error at the budget still counts.
  EXPECT_EQ(best_under_budget(std::vector<TradeoffPoint>{{9, 0.13}, {1, 0.1300001}}, 0.12, 0.01),
            std::optional<std::size_t>(0));
}

TEST(Pareto, BadInputThrows) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const std::vector<TradeoffPoint> p = {{1, 0.1}, {nan, 0.2}};
  expect_error([&] { pareto_front(p); }, {"point 1", "finite"});
  expect_error([&] { best_under_budget(p, 0.1, 0.01); }, {"point 1", "finite"});
  const std::vector<TradeoffPoint> ok = {{1, 0.1}};
  expect_error([&] { best_under_budget(ok, 0.1, -0.01); }, {"budget -0.01", ">= 0"});
  expect_error([&] { best_under_budget(ok, nan, 0.01); }, {"reference error", "finite"});
}

}  // namespace
}  // namespace axtrain
