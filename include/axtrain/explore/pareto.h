// The accuracy-energy trade-off of a sweep: the Pareto front and the cheapest point within an error budget.
// Both coordinates are minimised. Inputs are spans of points; outputs are indices into them.
#pragma once

#include <cstddef>
#include <optional>
#include <span>
#include <vector>

namespace axtrain {

// One configuration of a sweep. Both finite, both minimised.
struct TradeoffPoint {
  double energy_pj;  // energy per inference, pJ
  double error;      // error on the test set (fraction, e.g. 0.12 = 12 %), or any other loss-like metric
};

// Indices of the non-dominated points, sorted by energy ascending. Point j dominates point i when
// energy_j <= energy_i and error_j <= error_i with at least one strictly less. Exact duplicates (same energy
// and same error) do not dominate each other; of a group of them only the lowest index is kept. So the result
// has strictly increasing energy and strictly decreasing error. O(n log n). Throws axtrain::Error for a
// non-finite coordinate (naming the index).
std::vector<std::size_t> pareto_front(std::span<const TradeoffPoint> points);

// Absolute slack added to reference_error + budget so that an error exactly at the budget, up to rounding of
// the sum (0.12 + 0.01 != 0.13 in doubles), counts as within it.
inline constexpr double kBudgetTolerance = 1e-12;

// Index of the lowest-energy point with error <= reference_error + budget (+ kBudgetTolerance); ties on energy
// go to the lower error, then the lower index; std::nullopt if no point qualifies. `reference_error` is the
// error of the reference (e.g. the baseline on exact hardware, SPEC 2.8) and `budget` the allowed
// approximation-induced error in the same unit (0.01 = one percentage point for error rates). Throws
// axtrain::Error for a non-finite coordinate or reference, or a negative or non-finite budget.
std::optional<std::size_t> best_under_budget(std::span<const TradeoffPoint> points, double reference_error,
                                             double budget);

}  // namespace axtrain
