// Confidence intervals of means, shared by Monte Carlo evaluation (train/) and sweep analysis (explore/).
#pragma once

namespace axtrain {

// Half-width of the 95 % confidence interval of a mean of n samples with sample standard deviation s:
// Student's t(0.975, n - 1) x s / sqrt(n) for n <= 31, 1.96 x s / sqrt(n) above; 0 for n < 2.
double ci95_half_width(double s, int n);

}  // namespace axtrain
