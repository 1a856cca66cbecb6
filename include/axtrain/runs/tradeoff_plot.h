// The accuracy-energy plot of explore and reproduce: each group of rows as markers, with its Pareto front as a
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

// Adds rows[i] for every i in `indices` (energy in nJ, error_hw) as markers named `name`, each labelled by
// label(row), then their Pareto front (unnamed). Both take the next palette colour, which is returned (for the
// group's series in other plots).
std::string add_tradeoff_series(PlotSpec& plot, const std::string& name, std::span<const ResultRow> rows,
                                std::span<const std::size_t> indices,
                                const std::function<std::string(const ResultRow&)>& label);

}  // namespace axtrain
