// Subcommands of the `axtrain` command line. Each registers itself on the parent app and does its work in
// a CLI11 callback that calls one library function; user errors surface as axtrain::Error (exit 2).
#pragma once

#include <CLI/CLI.hpp>

namespace axtrain::cli {

// `axtrain hw list|show|convert|memory`: multipliers, tables and the memory model.
void add_hw_command(CLI::App& app);

// `axtrain train` and `axtrain eval`: hardware-aware training and evaluation of its checkpoints.
void add_train_commands(CLI::App& app);

// `axtrain explore` and `axtrain reproduce`: sweeps, energy, Pareto fronts, the paper's experiment.
void add_explore_commands(CLI::App& app);

// `axtrain bench`: speed of the kernels and of one epoch per method, as ratios measured in one run.
void add_bench_command(CLI::App& app);

}  // namespace axtrain::cli
