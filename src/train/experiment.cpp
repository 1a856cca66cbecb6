#include "axtrain/train/experiment.h"

#include "axtrain/hw/ber_curve.h"
#include "axtrain/train/evaluation.h"
#include "axtrain/train/trainer.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <torch/torch.h>

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

std::string HardwarePoint::label() const {
  if (!layers.empty()) return "layers " + layers;
  return memory == "none" ? multiplier : multiplier + " " + memory;
}

ResultRow point_row(const std::string& dataset, const std::string& method, const HardwarePoint& point, int seed) {
  ResultRow row;
  row.dataset = dataset;
  row.method = method;
  row.multiplier = point.multiplier;
  row.memory = point.memory;
  row.layer_assignment = point.layers;
  row.seed = static_cast<std::uint64_t>(seed);
  return row;
}

std::string hardware_label(const ResultRow& row) {
  return HardwarePoint{row.multiplier, row.memory, row.layer_assignment}.label();
}

std::vector<HardwarePoint> sweep_points(const TrainConfig& config) {
  std::vector<HardwarePoint> points;
  for (const std::string& memory : config.sweep_memories)
    for (const std::string& multiplier : config.sweep_multipliers) points.push_back({multiplier, memory, ""});
  for (const std::string& layers : config.sweep_layers) points.push_back({"", "", layers});
  return points;
}

double memory_voltage(const std::string& memory, const EnergyParams& params) {
  const MemorySetting m = parse_memory(memory);
  if (m.kind == MemorySetting::Kind::kVoltage) return m.value;
  if (m.kind == MemorySetting::Kind::kBer) {
    const BerCurve curve = BerCurve::default_curve();
    if (m.value <= curve.points().front().ber && m.value >= curve.points().back().ber) return curve.voltage_for(m.value);
  }
  return params.nominal_voltage;
}

NetworkShape network_shape(const TrainConfig& config, const PreparedData& data) {
  NetworkShape shape;
  shape.kind = config.network;
  shape.input_shape = data.sample_shape;
  shape.hidden.assign(config.hidden.begin(), config.hidden.end());
  shape.outputs = data.outputs;
  return shape;
}

ModelStore::ModelStore(std::string dir, const PreparedData& data, TrainConfig base, const Progress& progress)
    : dir_(std::move(dir)), data_(data), base_(std::move(base)), progress_(progress) {
  std::filesystem::create_directories(dir_);
}

std::shared_ptr<ApproxNet> ModelStore::load_or_train(const std::string& name, TrainConfig config) {
  const std::string path = dir_ + "/" + safe_name(name) + ".pt";
  torch::manual_seed(static_cast<std::uint64_t>(config.seed));
  auto net = build_model(config, data_);
  if (std::filesystem::exists(path)) {
    load_checkpoint(*net, path);
    progress_.line("reusing " + path);
    return net;
  }
  if (!config.init.empty()) load_checkpoint(*net, config.init);
  progress_.status("training " + name);
  const TrainHistory history = train_model(*net, data_, config, {}, [&](int epoch, int64_t batch, int64_t batches, double) {
    if (batch % 50 == 0) progress_.status(fmt::format("training {}: epoch {}/{} batch {}/{}", name, epoch, config.epochs, batch, batches));
  });
  save_checkpoint(*net, path);
  write_file_atomic(path.substr(0, path.size() - 3) + ".history.csv", history_csv(history));
  progress_.line(fmt::format("trained {} ({:.1f} s)", name, history.seconds));
  return net;
}

std::shared_ptr<ApproxNet> ModelStore::baseline(int seed) {
  TrainConfig c = base_;
  c.seed = seed;
  c.method = "baseline";
  c.init.clear();
  return load_or_train(fmt::format("{}-base-seed{}", base_.dataset, seed), c);
}

std::shared_ptr<ApproxNet> ModelStore::model(const std::string& method, const HardwareConfig& train_hardware, int seed) {
  baseline(seed);  // make sure the checkpoint it fine-tunes exists
  TrainConfig c = base_;
  c.seed = seed;
  c.method = method;
  c.epochs = base_.finetune_epochs;
  c.hardware_train = train_hardware;
  c.init = dir_ + "/" + safe_name(fmt::format("{}-base-seed{}", base_.dataset, seed)) + ".pt";
  const std::string trained_for = method == "baseline" ? "ref" : train_hardware.multiplier + "-" + train_hardware.memory;
  return load_or_train(fmt::format("{}-{}-{}-seed{}", base_.dataset, method, trained_for, seed), c);
}

ResultRow evaluate_point(ApproxNet& net, const PreparedData& data, const TrainConfig& config,
                         const HardwarePoint& point, const std::string& method, int seed, const EnergyParams& energy) {
  TrainConfig c = config;
  c.seed = seed;
  ResultRow row = point_row(config.dataset, method, point, seed);
  const TrialStats exact = hardware_error(net, data.test, data.task, HardwareState::exact(static_cast<std::uint64_t>(seed)), 1,
                                          c.batch_size);
  row.error_exact = exact.mean;
  std::vector<HardwareState> per_layer;
  std::vector<LayerHardware> energy_layers;
  if (point.layers.empty()) {
    per_layer.push_back(hardware_from_config(section_for(c, point.multiplier, point.memory), c));
    energy_layers.push_back({Multiplier::parse(point.multiplier), memory_voltage(point.memory, energy)});
    row.voltage = energy_layers.back().voltage;
    row.ber = per_layer.back().memory.p01;
  } else {
    for (const LayerSetting& layer : parse_layer_assignment(point.layers)) {
      per_layer.push_back(hardware_from_config(section_for(c, layer.multiplier, layer.memory), c));
      energy_layers.push_back({Multiplier::parse(layer.multiplier), memory_voltage(layer.memory, energy)});
    }
  }
  const TrialStats on_hw = hardware_error(net, data.test, data.task, per_layer, c.trials, c.batch_size);
  row.error_hw = on_hw.mean;
  row.error_hw_std = on_hw.std;
  row.error_hw_ci95 = on_hw.ci95;
  row.trials = on_hw.trials;
  if (point.layers.empty())
    row.sensitivity_mean = measure_sensitivity(net, data.test, data.task, per_layer.front(), c.batch_size).mean;
  const NetworkShape shape = network_shape(c, data);
  const EnergyBreakdown e = network_energy(shape, energy_layers, energy);
  const EnergyBreakdown reference =
      network_energy(shape, {{Multiplier::parse("exact"), energy.nominal_voltage}}, energy);
  row.energy_pj = e.total_pj;
  row.energy_saving = energy_saving(e, reference);
  return row;
}

}  // namespace axtrain
