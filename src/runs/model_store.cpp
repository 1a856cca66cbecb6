#include "axtrain/runs/model_store.h"

#include "axtrain/config/energy_config.h"
#include "axtrain/config/fingerprints.h"
#include "axtrain/explore/network_energy.h"
#include "axtrain/train/checkpoint.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/train/trainer.h"
#include "axtrain/train/training_state.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/interrupt.h"
#include "axtrain/util/text.h"

#include <torch/torch.h>

#include <fmt/format.h>

#include <algorithm>
#include <filesystem>

namespace axtrain {
namespace {

HardwareConfig section_for(const TrainConfig& config, const std::string& multiplier, const std::string& memory) {
  HardwareConfig h = config.hardware_eval;
  h.multiplier = multiplier;
  h.memory = memory;
  return h;
}

std::string safe_name(std::string text) {
  for (char& c : text)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') c = '_';
  return text;
}

}  // namespace

ModelStore::ModelStore(std::string dir, const PreparedData& data, TrainConfig base, HardwareResolver& resolver,
                       const Progress& progress)
    : dir_(std::move(dir)), data_(data), base_(std::move(base)), resolver_(resolver), progress_(progress) {
  std::filesystem::create_directories(dir_);
}

ModelPlan baseline_plan(const TrainConfig& base, int seed) {
  TrainConfig c = base;
  c.seed = seed;
  c.method = Method::kBaseline;
  c.init.clear();
  const std::string fp = training_fingerprint(c, "");
  return {safe_name(fmt::format("{}-base-seed{}-{}", base.dataset, seed, fp)), c, fp, "reference"};
}

ModelPlan model_plan(const TrainConfig& base, const std::string& dir, Method method,
                     const HardwareConfig& train_hardware, int seed) {
  const ModelPlan from = baseline_plan(base, seed);
  TrainConfig c = base;
  c.seed = seed;
  c.method = method;
  c.epochs = base.finetune_epochs;
  c.hardware_train = train_hardware;
  c.init = dir + "/" + from.name + ".pt";
  const std::string fp = training_fingerprint(c, from.fingerprint);
  const std::string trained_for = method == Method::kBaseline
                                      ? "reference"
                                      : HardwarePoint{train_hardware.multiplier, train_hardware.memory, ""}.label();
  const std::string name = fmt::format("{}-{}-{}-seed{}-{}", base.dataset, name_of(method),
                                       method == Method::kBaseline ? "ref" : trained_for, seed, fp);
  return {safe_name(name), c, fp, trained_for};
}

StoredModel ModelStore::model(const ModelPlan& plan) {
  if (!plan.config.init.empty()) baseline(plan.config.seed);  // the checkpoint it fine-tunes
  return load_or_train(plan);
}

StoredModel ModelStore::load_or_train(const ModelPlan& plan) {
  const std::string& name = plan.name;
  const TrainConfig& config = plan.config;
  const std::string stem = dir_ + "/" + name;
  const std::string path = stem + ".pt";
  const std::string history_path = stem + ".history.csv";
  torch::manual_seed(static_cast<std::uint64_t>(config.seed));
  StoredModel stored{make_model(network_spec(config, data_)), {}};
  if (std::filesystem::exists(path)) {
    load_checkpoint(*stored.net, path);
    if (std::filesystem::exists(history_path))
      stored.history = parse_history_csv(read_file(history_path), history_path);
    progress_.line("reusing " + path);
    return stored;
  }
  if (!config.init.empty()) load_checkpoint(*stored.net, config.init);
  // Training saves its state after every epoch (and on a signal) in NAME.state.pt, which a rerun continues.
  const std::string state_path = stem + ".state.pt";
  TrainControl control;
  control.on_batch = [&](int epoch, int64_t batch, int64_t batches, double) {
    if (batch % 50 == 0)
      progress_.status(fmt::format("training {}: epoch {}/{} batch {}/{}", name, epoch, config.epochs, batch, batches));
  };
  EpochClock clock;
  control.on_epoch = [&](const EpochStats& e) {
    progress_.line(fmt::format("training {}: epoch {}/{} loss {:.4f} ({})", name, e.epoch, config.epochs, e.loss,
                               clock.after(e.epoch, config.epochs)));
  };
  control.save_state = [&](const std::string& bytes) { write_file_atomic(state_path, bytes); };
  control.stop_requested = [] { return interrupt_signal() != 0; };
  if (std::filesystem::exists(state_path)) {
    control.resume_from = read_file(state_path);
    control.resume_origin = state_path;
    const TrainingState at = peek_training_state(control.resume_from, state_path);
    progress_.line(
        fmt::format("resuming {} at epoch {}/{}", name, std::min(at.epoch + 1, config.epochs), config.epochs));
  } else {
    progress_.line(fmt::format("training {} ({} epochs)", name, config.epochs));
  }
  stored.history = train_model(*stored.net, data_, config, resolver_.resolve(config.hardware_train), control);
  if (stored.history.interrupted || interrupt_signal() != 0)
    throw Interrupted(interrupt_signal(), fmt::format("interrupted while training {}; its state is saved in {}: run "
                                                      "the same command again to continue",
                                                      name, state_path));
  save_checkpoint(*stored.net, path);
  write_file_atomic(history_path, history_csv(stored.history));
  std::error_code ec;
  std::filesystem::remove(state_path, ec);
  progress_.line(fmt::format("trained {} ({:.1f} s)", name, stored.history.seconds));
  return stored;
}

HardwareConfig training_hardware_for(const TrainConfig& config, const HardwarePoint& point) {
  if (config.sweep_train == SweepTrain::kFixed || !point.layers.empty()) return config.hardware_train;
  HardwareConfig h = config.hardware_train;
  h.multiplier = point.multiplier;
  h.memory = point.memory;
  return h;
}

std::string row_fingerprint(const ModelPlan& model, const TrainConfig& config, const HardwarePoint& point,
                            const EnergyParams& energy) {
  constexpr int kRowFormat = 3;  // bump when a row's fields or their meaning change
  return fingerprint(fmt::format(
      "rows v{}|{}|{}|{}", kRowFormat, model.fingerprint,
      evaluation_text(config, section_for(config, point.multiplier, point.memory), point.layers), energy_toml(energy)));
}

ResultRow evaluate_point(ApproxNet& net, const PreparedData& data, const TrainConfig& config,
                         const HardwarePoint& point, Method method, int seed, const EnergyParams& energy,
                         HardwareResolver& resolver) {
  TrainConfig c = config;
  c.seed = seed;
  ResultRow row = point_row(config.dataset, method, point, seed);
  row.error_exact =
      hardware_error(net, data.test, data.task, HardwareState::exact(static_cast<std::uint64_t>(seed)), 1, c.batch_size)
          .mean;
  std::vector<HardwareState> per_layer;
  std::vector<LayerHardware> energy_layers;
  const auto add_layer = [&](const std::string& multiplier, const std::string& memory) {
    const ResolvedHardware hw = resolver.resolve(section_for(c, multiplier, memory));
    per_layer.push_back(hardware_state(hw, c));
    energy_layers.push_back({hw.multiplier, hw.sram_voltage.value_or(energy.nominal_voltage)});
  };
  if (point.layers.empty()) {
    add_layer(point.multiplier, point.memory);
    row.voltage = energy_layers.back().voltage;
    row.ber = per_layer.back().memory.p01;
  } else {
    for (const LayerSetting& layer : parse_layer_assignment(point.layers)) add_layer(layer.multiplier, layer.memory);
  }
  const TrialStats on_hw = hardware_error(net, data.test, data.task, per_layer, c.trials, c.batch_size);
  row.error_hw = on_hw.mean;
  row.error_hw_std = on_hw.std;
  row.error_hw_ci95 = on_hw.ci95;
  row.trials = on_hw.trials;
  if (point.layers.empty())
    row.sensitivity_mean = measure_sensitivity(net, data.test, data.task, per_layer.front(), c.batch_size).mean;
  if (c.bias_compensation && point.layers.empty()) {  // the free comparator: the multiplier's mean error removed
    row.error_hw_compensated =
        bias_compensated_error(net, data.train, data.test, data.task, per_layer.front(), c.trials, c.batch_size).mean;
  }
  const NetworkSpec spec = network_spec(c, data);
  const EnergyBreakdown e = network_energy(spec, energy_layers, energy);
  row.energy_pj = e.total_pj;
  row.energy_saving = saving_against_exact(spec, e, energy);
  return row;
}

}  // namespace axtrain
