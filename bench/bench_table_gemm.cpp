// TableGemm paths on the shapes training runs: compare each path against scalar (today's per-product
// gather) at the same shape in the same run. items_processed = m * n * k, so items/s is the MAC rate.
//   bench_table_gemm --benchmark_min_time=0.2
#include "axtrain/kernels/table_gemm.h"

#include "axtrain/util/rng.h"

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>
#include <vector>

namespace {

using axtrain::TableGemm;
using axtrain::TablePath;

struct GemmShape {
  const char* name;
  int m, n, k;
};

// a = weights (m x k), b = activations (k x n).
constexpr GemmShape kShapes[] = {
    {"mlp1_b128", 256, 128, 784},     // MLP layer 1 at batch 128
    {"mlp_256", 256, 128, 256},       //
    {"mlp_out", 10, 128, 256},        // output layer
    {"lenet_conv1", 6, 100352, 25},   // LeNet conv1 im2col at batch 128
    {"lenet_conv2", 16, 12800, 150},  // LeNet conv2
    {"cube_1024", 1024, 1024, 1024},  //
};

std::vector<std::uint8_t> random_bytes(std::size_t size, std::uint64_t seed) {
  axtrain::Rng rng(seed);
  std::vector<std::uint8_t> v(size);
  for (std::uint8_t& x : v) x = static_cast<std::uint8_t>(rng.below(256));
  return v;
}

void run_gemm(benchmark::State& state, const TableGemm& gemm, TablePath path, GemmShape s) {
  const auto a = random_bytes(static_cast<std::size_t>(s.m) * s.k, 1);
  const auto b = random_bytes(static_cast<std::size_t>(s.k) * s.n, 2);
  std::vector<std::int32_t> c(static_cast<std::size_t>(s.m) * s.n);
  for (auto _ : state) {
    gemm.run(path, s.m, s.n, s.k, a.data(), s.k, 128, b.data(), s.n, 3, c.data(), s.n);
    benchmark::DoNotOptimize(c.data());
    benchmark::ClobberMemory();
  }
  state.SetItemsProcessed(state.iterations() * s.m * s.n * s.k);
}

}  // namespace

int main(int argc, char** argv) {
  static const TableGemm gemm(axtrain::Multiplier::parse("mitchell"));
  for (const GemmShape& s : kShapes) {
    for (TablePath path : {TablePath::kScalar, TablePath::kAvx2, TablePath::kVbmi}) {
      if (!axtrain::table_path_supported(path)) continue;
      const std::string name = std::string("TableGemm/") + s.name + "/" + std::string(axtrain::table_path_name(path));
      benchmark::RegisterBenchmark(name.c_str(), run_gemm, std::cref(gemm), path, s)->UseRealTime();
    }
  }
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
