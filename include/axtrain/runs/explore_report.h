// The report of `axtrain explore` (report.md, report.html, pareto.svg): the verdict, the best configuration
// per method and seed with its error, CI and energy, error vs energy with Monte Carlo error bars, the budget
// line of each seed and the Pareto fronts, and every row.
#pragma once

#include "axtrain/report/report.h"
#include "axtrain/runs/explore_run.h"

#include <vector>

namespace axtrain {

std::vector<ReportSection> explore_report(const ExploreResult& result);

}  // namespace axtrain
