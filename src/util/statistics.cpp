#include "axtrain/util/statistics.h"

#include <cmath>

namespace axtrain {
namespace {

// Student's t quantile 0.975 for 1..30 degrees of freedom.
constexpr double kT975[] = {12.706, 4.303, 3.182, 2.776, 2.571, 2.447, 2.365, 2.306, 2.262, 2.228,
                            2.201,  2.179, 2.160, 2.145, 2.131, 2.120, 2.110, 2.101, 2.093, 2.086,
                            2.080,  2.074, 2.069, 2.064, 2.060, 2.056, 2.052, 2.048, 2.045, 2.042};

}  // namespace

double ci95_half_width(double s, int n) {
  if (n < 2) return 0;
  const double t = n - 1 <= 30 ? kT975[n - 2] : 1.96;
  return t * s / std::sqrt(static_cast<double>(n));
}

}  // namespace axtrain
