// Monte Carlo trials of a memory-fault evaluation: one hardware_error call with 8 trials (trials in
// parallel, one per thread) against 8 calls of one trial each (the trials one after another, every op using
// the intra-op threads), on the Fashion-MNIST MLP shape with K3 and a bit-error rate of 1e-3.
//   build/release/bench/bench_trials [--benchmark_repetitions=3]
#include "axtrain/train/evaluation.h"
#include "axtrain/train/models.h"

#include <benchmark/benchmark.h>
#include <torch/torch.h>

namespace axtrain {
namespace {

constexpr int kTrials = 8;

struct Setup {
  std::shared_ptr<ApproxNet> net;
  TensorData data;
  HardwareState hw;
};

Setup make_setup() {
  torch::manual_seed(1);
  NetworkSpec spec;
  spec.input_shape = {1, 28, 28};
  Setup s{make_model(spec),
          {torch::rand({2000, 1, 28, 28}), torch::randint(0, 10, {2000})},
          HardwareState::emulate(Multiplier::parse("K3"), MemoryFaultModel::symmetric(1e-3), 1)};
  torch::NoGradGuard no_grad;
  s.net->train();
  s.net->forward(s.data.x);  // calibrate the input ranges
  s.net->eval();
  return s;
}

// state.range(0): intra-op threads.
void TrialsOneAtATime(benchmark::State& state) {
  torch::set_num_threads(static_cast<int>(state.range(0)));
  Setup s = make_setup();
  for (auto _ : state) {
    for (int t = 0; t < kTrials; ++t) {
      HardwareState hw = s.hw;
      hw.seed = static_cast<std::uint64_t>(t + 1);
      benchmark::DoNotOptimize(hardware_error(*s.net, s.data, Task::kClassification, hw, 1, 256).mean);
    }
  }
  state.SetItemsProcessed(state.iterations() * kTrials);
}

void TrialsInParallel(benchmark::State& state) {
  torch::set_num_threads(static_cast<int>(state.range(0)));
  Setup s = make_setup();
  for (auto _ : state)
    benchmark::DoNotOptimize(hardware_error(*s.net, s.data, Task::kClassification, s.hw, kTrials, 256).mean);
  state.SetItemsProcessed(state.iterations() * kTrials);
}

BENCHMARK(TrialsOneAtATime)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(TrialsInParallel)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
}  // namespace axtrain

BENCHMARK_MAIN();
