#include "axtrain/explore/pareto.h"

#include "axtrain/util/check.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace axtrain {
namespace {

void check_points(std::span<const TradeoffPoint> points) {
  for (std::size_t i = 0; i < points.size(); ++i)
    AXT_CHECK(std::isfinite(points[i].energy_pj) && std::isfinite(points[i].error),
              "trade-off point {} has energy {} pJ and error {}; both must be finite numbers; drop or re-measure "
              "that point",
              i, points[i].energy_pj, points[i].error);
}

}  // namespace

std::vector<std::size_t> pareto_front(std::span<const TradeoffPoint> points) {
  check_points(points);
  std::vector<std::size_t> order(points.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  // Energy ascending, then error ascending, then index: the first point of every energy level is its best.
  std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    if (points[a].energy_pj != points[b].energy_pj) return points[a].energy_pj < points[b].energy_pj;
    if (points[a].error != points[b].error) return points[a].error < points[b].error;
    return a < b;
  });
  // A point is on the front iff its error is strictly below every error seen at lower or equal energy before
  // it in this order: anything earlier has energy <= and, if its error is <=, it dominates or duplicates it.
  std::vector<std::size_t> front;
  for (std::size_t i : order)
    if (front.empty() || points[i].error < points[front.back()].error) front.push_back(i);
  return front;
}

std::optional<std::size_t> best_under_budget(std::span<const TradeoffPoint> points, double reference_error,
                                             double budget) {
  check_points(points);
  AXT_CHECK(std::isfinite(reference_error),
            "reference error {} must be a finite number; measure the reference (baseline on exact hardware) first",
            reference_error);
  AXT_CHECK(std::isfinite(budget) && budget >= 0,
            "error budget {} must be a finite number >= 0; e.g. --budget 0.01 allows one percentage point", budget);
  const double limit = reference_error + budget + kBudgetTolerance;
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < points.size(); ++i) {
    if (!(points[i].error <= limit)) continue;
    if (!best) {
      best = i;
      continue;
    }
    const TradeoffPoint& b = points[*best];
    if (points[i].energy_pj < b.energy_pj || (points[i].energy_pj == b.energy_pj && points[i].error < b.error))
      best = i;
  }
  return best;
}

}  // namespace axtrain
