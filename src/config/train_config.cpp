#include "axtrain/config/train_config.h"

#include "axtrain/config/hardware.h"
#include "axtrain/config/toml_file.h"
#include "axtrain/data/data_source.h"
#include "axtrain/hw/ber_curve.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <filesystem>

namespace axtrain {
namespace {

constexpr std::string_view kDatasets[] = {"fashion-mnist", "inversek2j", "blackscholes", "sobel", "kmeans", "fft"};
constexpr std::string_view kMemoryForms = "none, a supply voltage such as 0.6V, or a bit error rate such as ber:1e-4";

void check_dataset(const std::string& value) {
  if (std::find(std::begin(kDatasets), std::end(kDatasets), value) != std::end(kDatasets)) return;
  AXT_CHECK(parse_data_source(value).kind != SourceKind::kBuiltin,
            "unknown dataset '{}'; use one of {}, or a file: csv:PATH (a CSV file), npz:PATH (numpy.savez), "
            "npy:X.npy,Y.npy (numpy.save)",
            printable(value), fmt::join(kDatasets, ", "));
}
void check_test_dataset(const std::string& value) {
  AXT_CHECK(value.empty() || parse_data_source(value).kind != SourceKind::kBuiltin,
            "test_dataset '{}' is not a file; give csv:PATH, npz:PATH or npy:X.npy,Y.npy, or \"\" to split the test "
            "set off the dataset",
            printable(value));
}
void check_multiplier(const std::string& value) {
  check_multiplier_spec(value);
}
void check_memory(const std::string& value) {
  parse_memory(value);
}
void check_optional_multiplier(const std::string& value) {
  if (!value.empty()) check_multiplier(value);
}
void check_optional_memory(const std::string& value) {
  if (!value.empty()) check_memory(value);
}

// A sweep list names each entry once: a repeated one would be two rows with one key.
template <class List>
void check_unique(const List& list, std::string_view key) {
  for (std::size_t i = 0; i < list.size(); ++i)
    AXT_CHECK(std::find(list.begin(), list.begin() + static_cast<std::ptrdiff_t>(i), list[i]) ==
                  list.begin() + static_cast<std::ptrdiff_t>(i),
              "{} (--{}) lists {} twice; give each entry once (a list flag given twice adds to the list)", key, key,
              printable(fmt::format("'{}'", list[i])));
}

using C = TrainConfig;
using H = HardwareConfig;

}  // namespace

TrainConfig read_train_config(const std::string& path, std::set<std::string>* keys_set) {
  TrainConfig config;
  std::vector<TomlSection> sections(1);
  for (const auto& field : train_config_fields()) sections[0].keys.emplace_back(field.name, field.ref(config));
  for (const HardwareSection& section : kHardwareSections) {
    TomlSection& s = sections.emplace_back(
        TomlSection{.path = std::string(section.path), .flag_prefix = std::string(section.flag_prefix), .keys = {}});
    for (const auto& field : hardware_config_fields())
      s.keys.emplace_back(field.name, field.ref(config.*section.member));
  }
  sections.push_back(TomlSection{.path = "network", .flag_prefix = "", .keys = {}, .layer_list = &config.network});
  TomlSection& energy = sections.emplace_back(
      TomlSection{.path = std::string(kEnergySection), .flag_prefix = fmt::format("{}-", kEnergySection), .keys = {}});
  for (const auto& field : energy_config_fields()) energy.keys.emplace_back(field.name, field.ref(config.energy));
  sections.push_back(TomlSection{.path = std::string(kMultiplyEnergySection),
                                 .flag_prefix = fmt::format("{}-multiply_pj ", kEnergySection),
                                 .keys = {},
                                 .numbers = &config.energy.multiply_pj});
  const std::set<std::string> set = read_toml_file(path, sections);
  if (keys_set != nullptr) *keys_set = set;
  for (const HardwareSection& section : kHardwareSections) {  // top-level hw/memory yield to the section's own keys
    HardwareConfig& hardware = config.*section.member;
    if (!config.hw.empty() && !set.contains(fmt::format("{}.multiplier", section.path)))
      hardware.multiplier = config.hw;
    if (!config.memory.empty() && !set.contains(fmt::format("{}.memory", section.path)))
      hardware.memory = config.memory;
  }
  return config;
}

namespace {

std::string markdown_row(std::string_view key, std::string_view type, const std::string& value,
                         const std::string& meaning) {
  std::string escaped = meaning;
  for (std::size_t at = escaped.find('|'); at != std::string::npos; at = escaped.find('|', at + 2))
    escaped.replace(at, 1, "\\|");
  return fmt::format("| `{}` | {} | `{}` | {} |\n", key, type, value, escaped);
}

}  // namespace

const std::vector<Field<TrainConfig>>& train_config_fields() {
  using R = FieldRule;
  static const std::vector<Field<TrainConfig>> fields = {
      {"dataset", &C::dataset,
       "Workload: a built-in dataset, or a file: csv:PATH (a CSV file with a header row), npz:PATH (arrays "
       "npz_features and npz_targets of numpy.savez), npy:X.npy,Y.npy (features and targets of numpy.save)",
       R::checked(check_dataset,
                  "one of fashion-mnist, inversek2j, blackscholes, sobel, kmeans, fft, csv:PATH, npz:PATH, npy:X,Y")},
      {"test_dataset", &C::test_dataset,
       "Test set of a file dataset, in the same forms and with the same columns or arrays; \"\" = the last 20 % of "
       "a seeded permutation of dataset",
       R::checked(check_test_dataset, "\"\", csv:PATH, npz:PATH or npy:X,Y")},
      {"npz_features", &C::npz_features, "Name of the features array in an npz dataset, shape (n, ...)"},
      {"npz_targets", &C::npz_targets,
       "Name of the targets array in an npz dataset: class ids (n,) or regression targets (n,) or (n, t)"},
      {"data_dir", &C::data_dir, "Folder of the Fashion-MNIST IDX files; \"\" = the Debian package's folder"},
      {"csv_features", &C::csv_features, "CSV feature columns, in order; empty = every column that is not a target"},
      {"csv_targets", &C::csv_targets, "CSV target columns; required with a csv:PATH dataset"},
      {"task", &C::task, "Task; auto = the dataset's own"},
      {"train_samples", &C::train_samples, "Training samples used; 0 = all", R::at_least(0)},
      {"test_samples", &C::test_samples, "Test samples used; 0 = all", R::at_least(0)},
      {"kernel_samples", &C::kernel_samples, "Samples generated for a regression kernel, split 80/20", R::at_least(1)},
      {"network", &C::network,
       "Network: a preset, a layer list such as \"conv(16,3,pad=1) bn relu maxpool(2) flatten linear\", or "
       "torchscript:PATH (a PyTorch model; docs/networks.md)",
       R::checked(check_network_text, "mlp, lenet, resnet8, vgg8, a layer list or torchscript:PATH")},
      {"hidden", &C::hidden, "Hidden layer sizes of the mlp preset", R::at_least(1)},
      {"activation", &C::activation, "Hidden-layer activation of the presets (a layer list writes its own)"},
      {"method", &C::method,
       "Training method: baseline, pas (hardware in the forward pass), act (sensitivity term), axtrain (both)"},
      {"pas_mode", &C::pas_mode, "How pas models the hardware: bit-exact emulation or statistical noise"},
      {"act_lambda", &C::act_lambda, "Weight lambda of the sensitivity term R(w) (act, axtrain)", R::at_least(0)},
      {"noise_scale", &C::noise_scale, "Multiplies the std of the statistic-mode noise", R::at_least(0)},
      {"epochs", &C::epochs, "Training epochs", R::at_least(0)},
      {"batch_size", &C::batch_size, "Samples per batch", R::at_least(1)},
      {"optimizer", &C::optimizer, "Optimizer"},
      {"lr", &C::lr, "Learning rate", R::greater_than(0)},
      {"momentum", &C::momentum, "Momentum of sgd", R::half_open(0, 1)},
      {"weight_decay", &C::weight_decay, "L2 weight decay", R::at_least(0)},
      {"lr_schedule", &C::lr_schedule, "Learning-rate schedule"},
      {"early_stopping", &C::early_stopping, "Patience in epochs without validation improvement; 0 = off",
       R::at_least(0)},
      {"validation_split", &C::validation_split, "Share of the training set held out for validation",
       R::between(0, 0.5)},
      {"weight_quant", &C::weight_quant, "Weight quantisation scale: per tensor or per output channel"},
      {"bias_compensation", &C::bias_compensation, "Compensate the multiplier's mean error in each layer's bias"},
      {"seed", &C::seed, "Seed of every random draw", R::at_least(0)},
      {"threads", &C::threads, "CPU threads (more than the machine's cores only slows a run)", R::between(1, 256)},
      {"trials", &C::trials, "Monte Carlo trials for stochastic evaluation hardware (memory faults)", R::at_least(1)},
      {"init", &C::init, "Checkpoint to fine-tune; \"\" = train from scratch"},
      {"out", &C::out, "Run folder; \"\" = chosen by the command"},
      {"quiet", &C::quiet, "No progress output"},
      {"json", &C::json, "Print machine-readable JSON results"},
      {"hw", &C::hw, "Multiplier of both hardware sections unless a section sets its own; \"\" = unset",
       R::checked(check_optional_multiplier, "\"\" or a multiplier spec")},
      {"memory", &C::memory, "Memory setting of both hardware sections unless a section sets its own; \"\" = unset",
       R::checked(check_optional_memory, "\"\" or a memory setting as in the sections")},
      {"sweep_multipliers", &C::sweep_multipliers, "explore: evaluation multipliers of the sweep"},
      {"sweep_memories", &C::sweep_memories, "explore: evaluation memory settings of the sweep"},
      {"sweep_methods", &C::sweep_methods,
       "explore: methods trained, for each seed (and each training hardware, as sweep_train says)"},
      {"sweep_seeds", &C::sweep_seeds, "explore: seeds; each trains its own models", R::at_least(0)},
      {"sweep_layers", &C::sweep_layers,
       "explore: per-layer assignments, each \"MUL@MEM;MUL@MEM;...\" with one entry per approximate layer"},
      {"sweep_train", &C::sweep_train,
       "explore: train each hardware-aware method for each point it is scored on (point), or once for "
       "[hardware.train] and score that model on every point (fixed); per-layer points use [hardware.train]"},
      {"finetune_epochs", &C::finetune_epochs,
       "explore: epochs every method, and the reference baseline, adds to the trained baseline", R::at_least(0)},
      {"budget", &C::budget, "explore: allowed approximation-induced error (0.01 = one percentage point)",
       R::at_least(0)},
  };
  return fields;
}

const std::vector<Field<HardwareConfig>>& hardware_config_fields() {
  using R = FieldRule;
  static const std::vector<Field<HardwareConfig>> fields = {
      {"multiplier", &H::multiplier,
       "Multiplier: exact, kulkarni:k, K1..K3, truncated:t, drum:k, mitchell, lut:PATH[,options]",
       R::checked(check_multiplier, "a multiplier spec (axtrain hw list)"), "hw"},
      {"memory", &H::memory, "NTV SRAM setting; a voltage goes through the BER(V) curve",
       R::checked(check_memory, "none, a supply voltage such as 0.6V, or a bit error rate such as ber:1e-4")},
      {"p01", &H::p01, "Probability that a stored 0 reads 1; -1 = the memory's BER", R::between(0, 1).or_value(-1)},
      {"p10", &H::p10, "Probability that a stored 1 reads 0; -1 = the memory's BER", R::between(0, 1).or_value(-1)},
      {"protect", &H::protect, "Mask of bit positions that never fail (128 = top bit)", R::between(0, 255)},
      {"memory_scope", &H::memory_scope, "Stored values that suffer memory faults"},
      {"faults", &H::faults, "transient: resampled on every read; persistent: one seeded chip"},
      {"ber_curve", &H::ber_curve, "CSV file of voltage,ber points; \"\" = the built-in 65 nm curve"},
  };
  return fields;
}

TrainConfig load_train_config(const std::string& toml_path) {
  TrainConfig config = read_train_config(toml_path);
  try {
    validate(config);
  } catch (const Error& e) {
    AXT_FAIL("{}: {}", toml_path, e.what());
  }
  return config;
}

void make_data_paths_absolute(TrainConfig& config) {
  const auto absolute = [](std::string& path) {
    if (!path.empty()) path = std::filesystem::absolute(path).lexically_normal().string();
  };
  for (std::string* text : {&config.dataset, &config.test_dataset}) {
    DataSource source = parse_data_source(*text);
    if (source.kind == SourceKind::kBuiltin) continue;
    for (std::string& path : source.paths) absolute(path);
    *text = data_source_text(source);
  }
  absolute(config.data_dir);
  absolute(config.init);
  if (std::string path = torchscript_path(config.network); !path.empty()) {
    absolute(path);
    config.network = std::string(kTorchScriptPrefix) + path;
  }
  for (const HardwareSection& section : kHardwareSections) absolute((config.*section.member).ber_curve);
}

void validate(const TrainConfig& config) {
  TrainConfig copy = config;  // check_value takes a FieldRef; the copy keeps `config` const
  for (const auto& field : train_config_fields())
    check_value(field.rule, field.name, "--" + field.name, field.ref(copy));
  for (const HardwareSection& section : kHardwareSections) {
    HardwareConfig& hardware = copy.*section.member;
    for (const auto& field : hardware_config_fields())
      check_value(field.rule, fmt::format("{}.{}", section.path, field.name),
                  fmt::format("--{}{}", section.flag_prefix, field.name), field.ref(hardware));
    try {
      if (!hardware.ber_curve.empty()) BerCurve::load(hardware.ber_curve);
      const MemoryFaultModel model = memory_fault_model(hardware);
      AXT_CHECK(hardware.faults != Faults::kPersistent || model.p01 + model.p10 <= 1,
                "persistent faults need p01 + p10 <= 1 (a cell is stuck at 0 or at 1), got {} + {}; lower p01 or p10",
                model.p01, model.p10);
    } catch (const Error& e) {
      AXT_FAIL("[{}] (--{}*): {}", section.path, section.flag_prefix, e.what());
    }
  }
  const SourceKind kind = parse_data_source(config.dataset).kind;
  AXT_CHECK(kind != SourceKind::kCsv || !config.csv_targets.empty(),
            "dataset = \"{}\" needs the target columns: set csv_targets = [\"y\"] in the config file or give "
            "--csv_targets y",
            config.dataset);
  AXT_CHECK(config.test_dataset.empty() || kind != SourceKind::kBuiltin,
            "test_dataset (--test_dataset) applies to a file dataset; '{}' is built in with its own test set: "
            "leave test_dataset = \"\"",
            config.dataset);
  AXT_CHECK(config.test_dataset.empty() || parse_data_source(config.test_dataset).kind == kind,
            "test_dataset '{}' is not of the same form as dataset '{}'; give the test set in the same form (csv:, "
            "npz: or npy:)",
            printable(config.test_dataset), printable(config.dataset));
  if (kind == SourceKind::kBuiltin && config.task != TaskChoice::kAuto) {
    const TaskChoice own = config.dataset == "fashion-mnist" ? TaskChoice::kClassification : TaskChoice::kRegression;
    AXT_CHECK(config.task == own,
              "task = {} (--task) does not apply to dataset '{}', a {} dataset; leave task = auto or set {}",
              name_of(config.task), config.dataset, name_of(own), name_of(own));
  }
  for (const std::string& spec : config.sweep_multipliers) {
    try {
      check_multiplier(spec);
    } catch (const Error& e) {
      AXT_FAIL("sweep_multipliers (--sweep_multipliers): {}", e.what());
    }
  }
  for (const std::string& memory : config.sweep_memories) {
    try {
      parse_memory(memory);
    } catch (const Error& e) {
      AXT_FAIL("sweep_memories (--sweep_memories): {}", e.what());
    }
  }
  for (const std::string& method : config.sweep_methods)
    AXT_CHECK(choice_from_name<Method>(method), "sweep_methods (--sweep_methods) has '{}'; each must be {}", method,
              FieldRule::one_of(choice_list<Method>()).describe());
  for (const std::string& assignment : config.sweep_layers) parse_layer_assignment(assignment);
  check_unique(config.sweep_multipliers, "sweep_multipliers");
  check_unique(config.sweep_memories, "sweep_memories");
  check_unique(config.sweep_methods, "sweep_methods");
  check_unique(config.sweep_seeds, "sweep_seeds");
  check_unique(config.sweep_layers, "sweep_layers");
  validate_energy(config.energy);
}

std::vector<LayerSetting> parse_layer_assignment(std::string_view text) {
  std::vector<LayerSetting> layers;
  std::size_t start = 0;
  while (start <= text.size()) {
    std::size_t end = text.find(';', start);
    if (end == std::string_view::npos) end = text.size();
    const std::string item(text.substr(start, end - start));
    const auto at = item.find('@');
    LayerSetting layer{item.substr(0, at), at == std::string::npos ? std::string("none") : item.substr(at + 1)};
    try {
      check_multiplier(layer.multiplier);
      parse_memory(layer.memory);
    } catch (const Error& e) {
      AXT_FAIL(
          "sweep_layers entry '{}' (layer {}): {}; write MUL@MEM per layer separated by ';', e.g. "
          "\"K3@0.6V;K1@none;exact@none\"",
          printable(text), layers.size() + 1, e.what());
    }
    layers.push_back(std::move(layer));
    start = end + 1;
  }
  return layers;
}

std::string to_toml(const TrainConfig& config) {
  std::string out =
      "# AxTrain run configuration. Every key is also a flag: --key at the top level, --train-key and\n"
      "# --eval-key in the hardware sections, --energy-key in [energy] (--energy-multiply_pj SPEC=PJ for\n"
      "# [energy.multiply_pj]). Keys and rules: docs/config.md.\n";
  for (const auto& field : train_config_fields())
    out += fmt::format("{} = {}\n", field.name, format_field(field, config));
  for (const HardwareSection& section : kHardwareSections) {
    out += fmt::format("\n[{}]\n", section.path);
    for (const auto& field : hardware_config_fields())
      out += fmt::format("{} = {}\n", field.name, format_field(field, config.*section.member));
  }
  return out + energy_toml(config.energy);
}

namespace {

// The configuration without the keys that do not change results.
TrainConfig result_keys_only(TrainConfig config) {
  const TrainConfig defaults;
  config.out = defaults.out;
  config.quiet = defaults.quiet;
  config.json = defaults.json;
  return config;
}

}  // namespace

std::string config_fingerprint(const TrainConfig& config) {
  return fingerprint(to_toml(result_keys_only(config)));
}

std::string first_difference(const TrainConfig& a, const TrainConfig& b) {
  const TrainConfig x = result_keys_only(a), y = result_keys_only(b);
  const auto differ = [](std::string_view key, const std::string& here, const std::string& there) {
    return here == there ? std::string() : fmt::format("{} = {} (here) vs {} (there)", key, here, there);
  };
  for (const auto& field : train_config_fields()) {
    std::string d = differ(field.name, format_field(field, x), format_field(field, y));
    if (!d.empty()) return d;
  }
  for (const HardwareSection& section : kHardwareSections) {
    for (const auto& field : hardware_config_fields()) {
      std::string d = differ(fmt::format("{}.{}", section.path, field.name), format_field(field, x.*section.member),
                             format_field(field, y.*section.member));
      if (!d.empty()) return d;
    }
  }
  return energy_difference(x.energy, y.energy);
}

std::vector<Method> sweep_method_list(const TrainConfig& config) {
  std::vector<Method> methods;
  for (const std::string& name : config.sweep_methods) {
    const auto method = choice_from_name<Method>(name);
    AXT_CHECK(method, "sweep_methods has '{}'; each must be {}", name,
              FieldRule::one_of(choice_list<Method>()).describe());
    methods.push_back(*method);
  }
  return methods;
}

std::string config_reference_markdown() {
  const TrainConfig defaults;
  std::string out = "| key | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& field : train_config_fields())
    out += markdown_row(field.name, field_type_name(field), format_field(field, defaults), field_meaning(field));
  out += "\n| key in `[hardware.train]` and `[hardware.eval]` | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& field : hardware_config_fields())
    out += markdown_row(field.name, field_type_name(field), format_field(field, defaults.hardware_train),
                        field_meaning(field));
  out += "\n| key in `[energy]` | type | default | meaning |\n|---|---|---|---|\n";
  for (const auto& field : energy_config_fields())
    out += markdown_row(field.name, field_type_name(field), format_field(field, defaults.energy), field_meaning(field));
  out += fmt::format(
      "\n`[{}]` is a table of per-multiplier energies in pJ per multiply, keyed by the multiplier spec as "
      "written (`\"lut:tables/my.bin\" = 0.21`, flag `--energy-multiply_pj SPEC=PJ`); an entry takes precedence "
      "over the design's rule (docs/energy-model.md). Empty by default.\n",
      kMultiplyEnergySection);
  return out;
}

MemorySetting parse_memory(std::string_view text) {
  using Kind = MemorySetting::Kind;
  if (text == "none") return {};
  const auto number = [&](std::string_view digits, double& value) {
    const auto [ptr, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return !digits.empty() && ec == std::errc() && ptr == digits.data() + digits.size() && std::isfinite(value);
  };
  double value = 0;
  if (text.starts_with("ber:")) {
    AXT_CHECK(number(text.substr(4), value) && value >= 0 && value <= 1,
              "memory '{}': the bit error rate after 'ber:' must be a number in [0, 1], e.g. ber:1e-4",
              printable(text));
    return {.kind = Kind::kBer, .value = value};
  }
  if (text.ends_with('V')) {
    AXT_CHECK(number(text.substr(0, text.size() - 1), value) && value > 0 && value <= kMaxSupplyVolts,
              "memory '{}': the supply voltage must be a number of volts in (0, {}] followed by V, e.g. 0.6V",
              printable(text), kMaxSupplyVolts);
    return {.kind = Kind::kVoltage, .value = value};
  }
  AXT_FAIL("memory '{}' is not a memory setting; use {}", printable(text), kMemoryForms);
}

}  // namespace axtrain
