#include "axtrain/train/evaluation.h"

#include "axtrain/util/statistics.h"

#include "axtrain/train/sensitivity.h"
#include "axtrain/util/check.h"

#include <torch/torch.h>

#include <omp.h>

#include <algorithm>
#include <cmath>
#include <exception>

namespace axtrain {
namespace {

template <class Fn>
void for_each_batch(const TensorData& data, int64_t batch_size, Fn fn) {
  const int64_t n = data.x.size(0);
  for (int64_t start = 0; start < n; start += batch_size) {
    const int64_t end = std::min(n, start + batch_size);
    fn(data.x.slice(0, start, end), data.y.slice(0, start, end));
  }
}

// Error rate (classification) or mean absolute error of scaled outputs (regression) over all batches;
// after_batch runs after each batch's forward.
template <class AfterBatch>
double error_over_batches(ApproxNet& net, const TensorData& data, Task task, int64_t batch_size,
                          AfterBatch after_batch) {
  torch::NoGradGuard no_grad;
  net.eval();
  ErrorTally tally(task);
  for_each_batch(data, batch_size, [&](const torch::Tensor& x, const torch::Tensor& y) {
    tally.add(net.forward(x), y);
    after_batch();
  });
  return tally.value();
}

}  // namespace

void ErrorTally::add(const torch::Tensor& out, const torch::Tensor& y) {
  if (task_ == Task::kClassification) {
    wrong_ += out.argmax(1).ne(y).sum().item<double>();
    count_ += static_cast<double>(y.size(0));
  } else {
    wrong_ += (out - y).abs().sum().item<double>();
    count_ += static_cast<double>(y.numel());
  }
}

torch::Tensor summed_sample_loss(const torch::Tensor& output, const torch::Tensor& target, Task task) {
  namespace F = torch::nn::functional;
  if (task == Task::kClassification)
    return F::cross_entropy(output, target, F::CrossEntropyFuncOptions().reduction(torch::kSum));
  return F::mse_loss(output, target, F::MSELossFuncOptions().reduction(torch::kSum));
}

double model_error(ApproxNet& net, const TensorData& data, Task task, int64_t batch_size) {
  return error_over_batches(net, data, task, batch_size, [] {});
}

TrialStats hardware_error(ApproxNet& net, const TensorData& data, Task task, HardwareState hw, int trials,
                          int64_t batch_size) {
  return hardware_error(net, data, task, std::vector<HardwareState>{std::move(hw)}, trials, batch_size);
}

TrialStats hardware_error(ApproxNet& net, const TensorData& data, Task task,
                          const std::vector<HardwareState>& per_layer, int trials, int64_t batch_size) {
  AXT_CHECK(trials >= 1, "trials = {} is invalid; use 1 or more", trials);
  bool stochastic = false;
  for (const HardwareState& hw : per_layer)
    stochastic = stochastic || (hw.mode == ForwardMode::kEmulate && hw.has_memory_faults());
  const int runs = stochastic ? trials : 1;
  // Trials are independent and keyed by their index, so they run in parallel, one per thread of an OpenMP
  // team as wide as the intra-op thread count; inside the team every libtorch op and BLAS call runs
  // single-threaded. The values are the same for any thread count. One trial keeps intra-op threading.
  const int workers = std::min(runs, torch::get_num_threads());
  std::vector<std::shared_ptr<ApproxNet>> replicas(static_cast<std::size_t>(workers));
  for (int w = 0; w < workers; ++w) replicas[static_cast<std::size_t>(w)] = w == 0 ? nullptr : replicate_model(net);
  TrialStats stats;
  stats.values.assign(static_cast<std::size_t>(runs), 0.0);
  std::vector<std::exception_ptr> failures(static_cast<std::size_t>(workers));
  auto run_trials = [&](int w) {
    try {
      ApproxNet& mine = w == 0 ? net : *replicas[static_cast<std::size_t>(w)];
      std::vector<std::shared_ptr<HardwareState>> states;
      for (const HardwareState& hw : per_layer) states.push_back(std::make_shared<HardwareState>(hw));
      mine.set_layer_hardware(states);
      for (int t = w; t < runs; t += workers) {
        for (auto& state : states) state->trial = static_cast<std::uint64_t>(t), state->step = 0;
        // Each batch is a new read of the memory: the step advances per batch.
        stats.values[static_cast<std::size_t>(t)] = error_over_batches(mine, data, task, batch_size, [&] {
          for (auto& state : states) ++state->step;
        });
      }
    } catch (...) {
      failures[static_cast<std::size_t>(w)] = std::current_exception();
    }
  };
  // One worker stays outside any OpenMP region: inside even an inactive one, every intra-op parallel_for
  // would be a nested team whose threads libgomp creates and destroys each time (each new thread re-creating
  // libtorch's pthreadpool), 5x slower than one thread in bench_trials.
  if (workers == 1) {
    run_trials(0);
  } else {
#pragma omp parallel num_threads(workers)
    run_trials(omp_get_thread_num());
  }
  for (const std::exception_ptr& failure : failures)
    if (failure) std::rethrow_exception(failure);
  stats.trials = runs;
  double sum = 0;
  for (double v : stats.values) sum += v;
  stats.mean = sum / runs;
  double sq = 0;
  for (double v : stats.values) sq += (v - stats.mean) * (v - stats.mean);
  stats.std = runs > 1 ? std::sqrt(sq / (runs - 1)) : 0;
  stats.ci95 = ci95_half_width(stats.std, runs);
  return stats;
}

void calibrate_bias(ApproxNet& net, const TensorData& data, Task task, HardwareState hw, int64_t samples,
                    int64_t batch_size) {
  hw.mode = ForwardMode::kEmulate;
  hw.memory = MemoryFaultModel{};
  hw.compensate_bias = false;
  net.set_hardware(std::make_shared<HardwareState>(hw));
  for (ApproxLayer* layer : net.approx_layers()) layer->start_bias_calibration();
  TensorData head{data.x.slice(0, 0, samples), data.y.slice(0, 0, samples)};
  error_over_batches(net, head, task, batch_size, [] {});
  for (ApproxLayer* layer : net.approx_layers()) layer->finish_bias_calibration();
}

TrialStats bias_compensated_error(ApproxNet& net, const TensorData& calibration, const TensorData& test, Task task,
                                  const HardwareState& hw, int trials, int64_t batch_size) {
  calibrate_bias(net, calibration, task, hw, kBiasCalibrationSamples, batch_size);
  HardwareState compensated = hw;
  compensated.compensate_bias = true;
  return hardware_error(net, test, task, compensated, trials, batch_size);
}

SensitivityStats measure_sensitivity(ApproxNet& net, const TensorData& data, Task task, const HardwareState& target,
                                     int64_t batch_size) {
  auto exact = std::make_shared<HardwareState>(target);
  exact->mode = ForwardMode::kFloat;  // sensitivity of the float network under the target's noise
  net.set_hardware(exact);
  net.eval();
  net.set_recording(true);
  const auto& layers = net.approx_layers();
  std::vector<torch::Tensor> sums(layers.size());
  int batches = 0;
  for_each_batch(data, batch_size, [&](const torch::Tensor& x, const torch::Tensor& y) {
    const auto out = net.forward(x);
    std::vector<torch::Tensor> outputs;
    for (ApproxLayer* layer : layers) outputs.push_back(layer->record().output);
    const auto deltas = torch::autograd::grad({summed_sample_loss(out, y, task)}, outputs, {}, false, false);
    const auto s = weight_sensitivity(layers, deltas, layer_noise(layers, target));
    for (std::size_t l = 0; l < s.size(); ++l) sums[l] = sums[l].defined() ? sums[l] + s[l].detach() : s[l].detach();
    ++batches;
  });
  net.set_recording(false);
  SensitivityStats stats;
  double total = 0, count = 0;
  std::vector<torch::Tensor> flat;
  for (auto& s : sums) {
    s = s / batches;
    stats.per_layer.push_back(s.mean().item<double>());
    total += s.sum().item<double>();
    count += static_cast<double>(s.numel());
    flat.push_back(s.reshape(-1).to(torch::kFloat64));
  }
  stats.mean = total / count;
  const auto all = torch::cat(flat);
  const int64_t stride = std::max<int64_t>(1, all.numel() / 4096);
  const auto picked = all.slice(0, 0, all.numel(), stride).contiguous();
  stats.sample.assign(picked.data_ptr<double>(), picked.data_ptr<double>() + picked.numel());
  return stats;
}

}  // namespace axtrain
