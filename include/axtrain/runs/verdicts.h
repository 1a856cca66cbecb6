// Sentences that state what a run found, at the top of its report: formatted from the rows, never fixed text.
#pragma once

#include "axtrain/explore/result_log.h"
#include "axtrain/explore/sweep_analysis.h"

#include <cstddef>
#include <span>
#include <string>

namespace axtrain {

// Which method is the most accurate (lowest error_hw, mean over seeds) at each hardware point (hardware_label)
// among rows[i] for i in `indices`; `point` names a point ("hardware point", "SRAM voltage"). One winner:
// "At every SRAM voltage (5), the most accurate model is baseline."; several: "The most accurate model is
// baseline at 3 of 5 SRAM voltages (0.5V, 0.55V, 0.6V), pas at 2 (0.65V, 0.7V)." Points are listed in row
// order, methods by how many points they win (then by name); a tie at a point goes to the method first by
// name. "" when there are no rows.
std::string most_accurate_sentence(std::span<const ResultRow> rows, std::span<const std::size_t> indices,
                                   const std::string& point);

// The architect's answer of an exploration in bold: "**Best overall: pas on K3 0.7V**: error ... +- ... (95 %
// CI; reference ...), ... nJ per inference, ... % less energy than the exact multiplier at nominal voltage."
// or "**No configuration meets the budget.**"
std::string overall_verdict(const SweepAnalysis& analysis);

}  // namespace axtrain
