#include "axtrain/train/trainer.h"

#include "axtrain/train/checkpoint.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/train/sensitivity.h"
#include "axtrain/train/training_state.h"
#include "axtrain/util/check.h"
#include "axtrain/util/rng.h"

#include <fmt/format.h>
#include <torch/torch.h>

#include <chrono>
#include <cmath>
#include <numbers>

namespace axtrain {
namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point start) {
  return std::chrono::duration<double>(Clock::now() - start).count();
}

std::unique_ptr<torch::optim::Optimizer> make_optimizer(ApproxNet& net, const TrainConfig& c) {
  if (c.optimizer == Optimizer::kSgd)
    return std::make_unique<torch::optim::SGD>(
        net.parameters(), torch::optim::SGDOptions(c.lr).momentum(c.momentum).weight_decay(c.weight_decay));
  return std::make_unique<torch::optim::Adam>(net.parameters(),
                                              torch::optim::AdamOptions(c.lr).weight_decay(c.weight_decay));
}

// Learning rate of a 0-based epoch: constant, cosine to 0 over the run, or /10 every third of the run.
double epoch_lr(const TrainConfig& c, int epoch) {
  switch (c.lr_schedule) {
    case LrSchedule::kCosine: return c.lr * 0.5 * (1 + std::cos(std::numbers::pi * epoch / std::max(1, c.epochs)));
    case LrSchedule::kStep: return c.lr * std::pow(0.1, epoch / std::max(1, c.epochs / 3));
    case LrSchedule::kNone: break;
  }
  return c.lr;
}

void set_lr(torch::optim::Optimizer& optimizer, double lr) {
  for (auto& group : optimizer.param_groups()) group.options().set_lr(lr);
}

}  // namespace

HardwareState hardware_state(const ResolvedHardware& hardware, const TrainConfig& config) {
  HardwareState hw = HardwareState::emulate(hardware, static_cast<std::uint64_t>(config.seed));
  hw.per_channel_weights = config.weight_quant == WeightQuant::kPerChannel;
  hw.noise_scale = config.noise_scale;
  return hw;
}

HardwareState method_hardware(const ResolvedHardware& train_hardware, const TrainConfig& config) {
  HardwareState hw = hardware_state(train_hardware, config);
  if (!uses_hardware_forward(config.method))
    hw.mode = ForwardMode::kFloat;
  else
    hw.mode = config.pas_mode == PasMode::kStatistic ? ForwardMode::kStatistic : ForwardMode::kEmulate;
  hw.double_backward = uses_sensitivity_term(config.method);
  return hw;
}

TrainHistory train_model(ApproxNet& net, const PreparedData& data, const TrainConfig& c,
                         const ResolvedHardware& train_hardware, const TrainControl& control) {
  const auto start = Clock::now();
  auto hw = std::make_shared<HardwareState>(method_hardware(train_hardware, c));
  const HardwareState target = hardware_state(train_hardware, c);  // the noise R is measured against
  net.set_hardware(hw);
  auto optimizer = make_optimizer(net, c);
  TrainingState s;
  if (!control.resume_from.empty())
    s = restore_training_state(net, *optimizer, control.resume_from, control.resume_origin);
  hw->step = s.hardware_step;
  const double seconds_before = s.seconds;
  auto save = [&] {
    if (!control.save_state) return;
    s.hardware_step = hw->step;
    s.seconds = seconds_before + seconds_since(start);
    control.save_state(serialize_training_state(net, *optimizer, s));
  };
  const auto stop = [&] { return control.stop_requested && control.stop_requested(); };
  const auto kept = [&] {  // what a divergence leaves
    return s.history.epochs.empty() ? std::string("no epoch had finished, so no state was saved")
                                    : fmt::format("the state after epoch {} stays saved", s.history.epochs.size());
  };
  const int64_t n = data.train.x.size(0);
  const int64_t batches = (n + c.batch_size - 1) / c.batch_size;
  while (!s.finished && s.epoch < c.epochs) {
    const int epoch = s.epoch;
    const auto epoch_start = Clock::now();
    const double epoch_seconds_before = s.epoch_seconds;
    EpochStats stats;
    stats.epoch = epoch + 1;
    stats.lr = epoch_lr(c, epoch);
    set_lr(*optimizer, stats.lr);
    // Seeded shuffle, independent of torch's global generator.
    std::vector<int64_t> order(static_cast<std::size_t>(n));
    for (int64_t i = 0; i < n; ++i) order[static_cast<std::size_t>(i)] = i;
    Rng rng(derive_key({static_cast<std::uint64_t>(c.seed), 0x5348u, static_cast<std::uint64_t>(epoch)}));
    for (int64_t i = n - 1; i > 0; --i)
      std::swap(order[static_cast<std::size_t>(i)], order[rng.below(static_cast<std::uint64_t>(i + 1))]);
    const auto permutation = torch::tensor(order, torch::kInt64);
    net.train();
    ErrorTally train_error(data.task, s.error_wrong, s.error_count);
    for (int64_t b = s.next_batch; b < batches; ++b) {
      const auto idx = permutation.slice(0, b * c.batch_size, std::min(n, (b + 1) * c.batch_size));
      const auto x = data.train.x.index_select(0, idx);
      const auto y = data.train.y.index_select(0, idx);
      const double count = static_cast<double>(x.size(0));
      net.set_recording(uses_sensitivity_term(c.method));
      const auto out = net.forward(x);
      const auto summed = summed_sample_loss(out, y, data.task);
      auto loss = summed / count;
      torch::Tensor total = loss;
      double regulariser = 0;  // R of this step, when the method adds it
      if (uses_sensitivity_term(c.method) && c.act_lambda > 0) {
        const auto& layers = net.approx_layers();
        std::vector<torch::Tensor> outputs;
        for (ApproxLayer* layer : layers) outputs.push_back(layer->record().output);
        const auto deltas = torch::autograd::grad({summed}, outputs, {}, true, true);
        const torch::Tensor r = sensitivity_term(layers, deltas, layer_noise(layers, target));
        total = loss + c.act_lambda * r;
        regulariser = r.item<double>();
        s.regulariser_sum += regulariser;
      }
      const double loss_value = loss.item<double>();
      AXT_CHECK(std::isfinite(loss_value) && std::isfinite(regulariser),
                "training diverged: the loss is {} in epoch {}, step {} of {}; lower lr (now {}){} ({})",
                std::isfinite(loss_value) ? regulariser : loss_value, epoch + 1, b + 1, batches, stats.lr,
                uses_sensitivity_term(c.method) ? " or act_lambda" : "", kept());
      optimizer->zero_grad();
      total.backward();
      optimizer->step();
      ++hw->step;
      s.loss_sum += loss_value;
      train_error.add(out.detach(), y);
      s.next_batch = b + 1;
      if (control.on_batch) control.on_batch(epoch + 1, b + 1, batches, loss_value);
      if (b + 1 < batches && stop()) {
        net.set_recording(false);
        s.error_wrong = train_error.wrong(), s.error_count = train_error.count();
        s.epoch_seconds = epoch_seconds_before + seconds_since(epoch_start);
        save();
        s.history.seconds = s.seconds;
        s.history.interrupted = true;
        return s.history;
      }
    }
    net.set_recording(false);
    for (const torch::Tensor& p : net.parameters())  // the last step's update is seen by no loss of this run
      AXT_CHECK(torch::isfinite(p).all().item<bool>(),
                "training diverged: a weight is not finite after epoch {}; lower lr (now {}) ({})", epoch + 1, stats.lr,
                kept());
    stats.loss = s.loss_sum / static_cast<double>(batches);
    stats.regulariser = s.regulariser_sum / static_cast<double>(batches);
    stats.train_error = train_error.value();
    if (data.validation.size() > 0) stats.validation_error = model_error(net, data.validation, data.task, c.batch_size);
    stats.seconds = epoch_seconds_before + seconds_since(epoch_start);
    s.history.epochs.push_back(stats);
    s.history.best_epoch = stats.epoch;
    if (control.on_epoch) control.on_epoch(stats);
    if (c.early_stopping > 0 && stats.validation_error >= 0) {
      if (stats.validation_error < s.best_error) {
        s.best_error = stats.validation_error;
        s.best_weights = serialize_model(net);
        s.epochs_without_gain = 0;
      } else if (++s.epochs_without_gain >= c.early_stopping) {
        s.history.stopped_early = true;
        s.finished = true;
      }
    }
    s.epoch = epoch + 1;
    s.next_batch = 0;
    s.loss_sum = s.regulariser_sum = s.error_wrong = s.error_count = s.epoch_seconds = 0;
    if (s.epoch >= c.epochs) s.finished = true;
    save();
    if (!s.finished && stop()) {
      s.history.seconds = s.seconds;
      s.history.interrupted = true;
      return s.history;
    }
  }
  TrainHistory history = s.history;
  if (!s.best_weights.empty()) {
    deserialize_model(net, s.best_weights, "the best epoch's weights");
    for (const EpochStats& e : history.epochs)
      if (e.validation_error == s.best_error) history.best_epoch = e.epoch;
  }
  net.set_hardware(hw);
  history.seconds = seconds_before + seconds_since(start);
  return history;
}

}  // namespace axtrain
