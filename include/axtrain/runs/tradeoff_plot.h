// The error-energy plot of explore and reproduce: each group of rows as markers, with its Pareto front as a
// step line in the same colour.
#pragma once

#include "axtrain/explore/result_log.h"
#include "axtrain/report/svg_plot.h"

#include <functional>
#include <span>
#include <string>

namespace axtrain {

// A plot titled `title` with energy (nJ) on x and error_hw on y, no series yet.
PlotSpec tradeoff_plot(std::string title);

// Adds rows[i] for every i in `indices` (energy in nJ, error_hw with its 95 % CI as an error bar) as markers
// named `name`, each labelled by label(row), then (unnamed) the Pareto front of the configurations' means: the
// mean energy and error_hw of each hardware label's rows (its seeds), the means the overall best is chosen
// from; with one row per configuration, the front of the rows. Both take the next palette colour, which is
// returned (for the group's series in other plots).
std::string add_tradeoff_series(PlotSpec& plot, const std::string& name, std::span<const ResultRow> rows,
                                std::span<const std::size_t> indices,
                                const std::function<std::string(const ResultRow&)>& label);

}  // namespace axtrain
