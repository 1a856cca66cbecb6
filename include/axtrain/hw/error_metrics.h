// Error metrics of a multiplier (SPEC 2.2), over all 65,536 operand pairs or over an operand
// distribution given as two histograms (first operand, second operand; independent).
#pragma once

#include "axtrain/hw/product_table.h"

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

struct ErrorMetrics {
  double er = 0;          // error rate: share of pairs with f != a*b, [0, 1]
  double med = 0;         // mean |f - a*b|
  double nmed = 0;        // med / max |a*b| (65025 unsigned, 16384 signed)
  double mred = 0;        // mean of |f - a*b| / |a*b| over pairs with a*b != 0 (a fraction)
  std::int64_t wce = 0;   // worst-case |f - a*b| over pairs with non-zero probability
  double mse = 0;         // mean (f - a*b)^2
  double mean_error = 0;  // mean signed error f - a*b (the bias)
  int error_rank = 0;     // exact rank of the 256 x 256 error table over the rationals
};

// The metric names in report order; they are the JSON keys and the declared-metric option names.
inline constexpr std::array<std::string_view, 8> kErrorMetricNames = {"er",  "med", "nmed",       "mred",
                                                                      "wce", "mse", "mean_error", "error_rank"};

// Value of a metric by name (one of kErrorMetricNames); throws axtrain::Error for an unknown name.
double error_metric(const ErrorMetrics& metrics, std::string_view name);

// Over all 65,536 pairs, each with equal weight.
ErrorMetrics compute_error_metrics(const ProductTable& table);

// Over the distribution p(a) q(b). hist_a and hist_b have 256 non-negative entries indexed by operand
// index (ProductTable); they need not be normalised but each must have a positive sum.
ErrorMetrics compute_error_metrics(const ProductTable& table, std::span<const double> hist_a,
                                   std::span<const double> hist_b);

// Moments of the relative error eps = (f - a*b) / (a*b) over pairs with a*b != 0, under the distribution
// p(a) q(b) (histograms as above). The statistical noise model of training (SPEC 2.6, 2.7) treats each
// product's error as a*b*eps with these moments.
struct RelativeErrorMoments {
  double mean = 0;      // E[eps] (the bias; Kulkarni's is negative)
  double variance = 0;  // Var[eps] = s_m^2 of SPEC 2.7
};
RelativeErrorMoments relative_error_moments(const ProductTable& table, std::span<const double> hist_a,
                                            std::span<const double> hist_b);

// A table's relative errors eps(a, b) = (f - a b) / (a b) and their squares, precomputed for repeated moment
// queries (training asks once per layer and batch; Multiplier::relative_errors() keeps one per multiplier).
// Pairs with a b = 0 carry no weight. Moments are summed in double: they agree with a long double
// evaluation to about 1e-13 relative (tests/hw/test_error_metrics.cpp).
class RelativeErrorTable {
 public:
  explicit RelativeErrorTable(const ProductTable& table);
  // The moments under independent operand histograms (as relative_error_moments, which calls this).
  RelativeErrorMoments moments(std::span<const double> hist_a, std::span<const double> hist_b) const;

 private:
  std::vector<double> weight_, eps_, eps_squared_;  // 65536 each, [ib * 256 + ia]
};

// Reads an operand histogram file: 256 non-negative numbers (counts or probabilities, indexed by operand
// index) separated by spaces, commas or newlines; '#' starts a comment line. Throws axtrain::Error naming
// the file and the problem.
std::vector<double> load_operand_histogram(const std::string& path);

}  // namespace axtrain
