// `axtrain reproduce`: the paper's experiment (SPEC 2.8). Methods baseline, act, pas and axtrain; hardware
// K1, K2, K3 and an NTV voltage sweep; on Fashion-MNIST (MLP 784-256-256-10) and the regression kernels
// inversek2j and blackscholes. Every hardware-aware model fine-tunes the same trained baseline for the same
// number of epochs as the reference baseline (equal training budget).
#pragma once

#include "axtrain/train/run.h"

#include <nlohmann/json.hpp>

#include <string>

namespace axtrain {

struct ReproduceOptions {
  bool quick = false;       // the --quick profile: fewer epochs, trials and kernel samples (docs/reproduce.md)
  std::string out = "runs/reproduce";
  int threads = 2;
  int seed = 1;
};

// The paper's numbers (K1, K2, K3): AxTrain-act's sensitivity reduction and AxTrain's error reduction.
inline constexpr double kPaperSensitivityReduction[3] = {0.4077, 0.3456, 0.2515};
inline constexpr double kPaperErrorReduction[3] = {0.7561, 0.5845, 0.3766};

// Runs (or resumes: finished points and trained models are reused) and writes OUT/results.json (rows,
// summary, paper), results.csv, results.jsonl, report.md and report.html. Returns results.json's content.
nlohmann::json run_reproduce(const ReproduceOptions& options, const Progress& progress);

}  // namespace axtrain
