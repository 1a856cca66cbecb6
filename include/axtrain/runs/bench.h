// `axtrain bench`: the speed comparisons a user cares about, measured in one run with one thread count, as
// ratios to baselines timed in the same run (never absolute times across runs).
//   kernels: every approximate GEMM path at the real layer shapes (MLP layers at batch 128, LeNet's im2col
//            shapes, 1024 cubed) against the former gather (the per-product lookup the engine replaced) and
//            the exact FP32 GEMM; the decomposed designs also against their bound, (segments) exact int8 GEMMs
//            of the same shape.
//   epochs:  one training epoch of each method as a multiple of the baseline epoch (MLP and LeNet).
#pragma once

#include "axtrain/util/progress.h"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>
#include <vector>

namespace axtrain {

struct BenchOptions {
  int threads = 2;
  double min_seconds = 0.2;  // each kernel is repeated until it has run this long
  bool kernels = true;
  bool epochs = true;
  bool quick = false;  // two shapes and small epochs: for tests and a first look
};

struct KernelBenchRow {
  std::string name;   // e.g. "decomposed K3", "table-vbmi mitchell", "exact fp32"
  std::string shape;  // "MxNxK" with the layer it stands for, e.g. "256x128x784 (mlp fc1)"
  int threads = 0;
  double seconds = 0;  // per GEMM
  double gops = 0;     // 2 m n k / seconds / 1e9
  double ratio_vs_gather = 0;
  double ratio_vs_exact_fp32 = 0;
  std::optional<double> ratio_vs_bound;  // decomposed: (segments x int8 GEMM time) / its time
  std::string detail;                    // the path's plan, e.g. "1 int8 GEMM of depth 2k (2 segments)"
};

struct EpochBenchRow {
  std::string name;  // e.g. "mlp pas K3 (emulate)"
  int threads = 0;
  long rows = 0;
  double seconds = 0;
  double ratio_vs_baseline = 0;
};

struct BenchResult {
  std::vector<KernelBenchRow> kernels;
  std::vector<EpochBenchRow> epochs;
  // A list of objects, each with "kind" ("kernel" | "epoch"), name, shape, threads, gops, ratio_vs_gather,
  // ratio_vs_exact_fp32 (kernels) or seconds and ratio_vs_baseline (epochs).
  nlohmann::json to_json() const;
  // Plain tables for the terminal.
  std::string table() const;
};

BenchResult run_bench(const BenchOptions& options, const Progress& progress);

}  // namespace axtrain
