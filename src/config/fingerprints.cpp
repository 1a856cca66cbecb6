#include "axtrain/config/fingerprints.h"

#include "axtrain/data/data_source.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <variant>

namespace axtrain {
namespace {

// "path=fingerprint" of a file that results depend on.
std::string file_text(const std::string& path) {
  return fmt::format("{}={}", path, fingerprint(read_file(path)));
}

// The table file a multiplier spec reads, or "" for a formula design.
std::string multiplier_files(const std::string& spec) {
  if (spec.empty()) return "";  // a per-layer point's section
  const MultiplierDesign design = parse_multiplier_design(spec);
  const auto* lut = std::get_if<LutMul>(&design);
  return lut ? file_text(lut->path) : "";
}

std::string hardware_text(const HardwareConfig& hardware) {
  std::string text;
  for (const auto& field : hardware_config_fields())
    text += fmt::format("{}={};", field.name, format_field(field, hardware));
  text += multiplier_files(hardware.multiplier);
  if (!hardware.ber_curve.empty()) text += ";" + file_text(hardware.ber_curve);
  return text;
}

}  // namespace

std::string training_fingerprint(const TrainConfig& config, std::string_view init_fingerprint) {
  const TrainConfig defaults;
  TrainConfig c = config;
  c.hardware_eval = defaults.hardware_eval;
  c.trials = defaults.trials;
  c.sweep_multipliers = defaults.sweep_multipliers;
  c.sweep_memories = defaults.sweep_memories;
  c.sweep_methods = defaults.sweep_methods;
  c.sweep_seeds = defaults.sweep_seeds;
  c.sweep_layers = defaults.sweep_layers;
  c.finetune_epochs = defaults.finetune_epochs;
  c.sweep_train = defaults.sweep_train;
  c.bias_compensation = defaults.bias_compensation;  // read by evaluation only
  c.budget = defaults.budget;
  c.energy = defaults.energy;  // energy is a row's, not a model's
  c.init.clear();
  std::string text =
      fmt::format("{}|init={}|{}", config_fingerprint(c), init_fingerprint, hardware_text(c.hardware_train));
  for (const std::string* source : {&c.dataset, &c.test_dataset})
    for (const std::string& path : parse_data_source(*source).paths) text += "|" + file_text(path);
  return fingerprint(text);
}

std::string evaluation_text(const TrainConfig& config, const HardwareConfig& hardware, std::string_view layers) {
  std::string text = fmt::format("{}|layers={}|trials={}|batch_size={}|bias_compensation={}", hardware_text(hardware),
                                 layers, config.trials, config.batch_size, config.bias_compensation);
  if (!layers.empty())
    for (const LayerSetting& layer : parse_layer_assignment(layers)) text += "|" + multiplier_files(layer.multiplier);
  return text;
}

}  // namespace axtrain
