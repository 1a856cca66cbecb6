// The run configuration of `axtrain train` (SPEC 4): every option is a TOML key and a flag of the same name
// (--data_dir, also spelt --data-dir), and flags override the file. Hardware used in training
// ([hardware.train], flags --train-<key>) and in evaluation ([hardware.eval], flags --eval-<key>) are separate.
// The field tables below are the single source of truth; docs/config.md lists every key (a test checks it).
//
// The energy model's parameters are the [energy] section (flags --energy-<key>) and the table
// [energy.multiply_pj] (config/energy_config.h).
//
// Precedence, lowest first:
//   built-in defaults < top-level hw/memory in the file < [hardware.*] keys in the file
//   < --hw/--memory flags < --train-*/--eval-* flags
#pragma once

#include "axtrain/config/choices.h"
#include "axtrain/config/energy_config.h"
#include "axtrain/net/network_spec.h"
#include "axtrain/util/fields.h"

#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

// The hardware one phase runs on: a multiplier and an NTV SRAM setting (SPEC 2.2, 2.4).
// Example: HardwareConfig{.multiplier = "K3", .memory = "0.6V", .protect = 0x80}
struct HardwareConfig {
  std::string multiplier = "exact";                  // multiplier spec (axtrain::Multiplier::parse), e.g. K3, lut:m.bin
  std::string memory = "none";                       // "none", a supply voltage "0.6V", or a bit error rate "ber:1e-4"
  double p01 = -1;                                   // P(stored 0 reads 1), [0, 1]; -1 = the memory setting's BER
  double p10 = -1;                                   // P(stored 1 reads 0), [0, 1]; -1 = the memory setting's BER
  int protect = 0;                                   // mask of bit positions that never fail, 0..255 (128 = top bit)
  MemoryScope memory_scope = MemoryScope::kWeights;  // weights | weights+activations
  Faults faults = Faults::kTransient;                // transient (resampled per read) | persistent (one seeded chip)
  std::string ber_curve;                             // CSV file of voltage,ber points; "" = the built-in curve

  bool operator==(const HardwareConfig&) const = default;
};

// Everything `axtrain train` needs. Defaults are the in-class initialisers; validate() checks the rules.
// Example: TrainConfig{.dataset = "sobel", .method = Method::kAxtrain, .epochs = 5}
struct TrainConfig {
  // data
  // fashion-mnist | inversek2j | blackscholes | sobel | kmeans | fft | csv:PATH | npz:PATH | npy:X,Y (data_source.h)
  std::string dataset = "fashion-mnist";
  std::string test_dataset;             // a file source of the test set; "" = 20 % split off a file dataset
  std::string npz_features = "x";       // the features array of an npz dataset
  std::string npz_targets = "y";        // the targets array of an npz dataset
  std::string data_dir;                 // folder of the Fashion-MNIST IDX files; "" = the Debian package's
  StringList csv_features;              // CSV feature columns; empty = every non-target column
  StringList csv_targets;               // CSV target columns (required for csv:PATH)
  TaskChoice task = TaskChoice::kAuto;  // auto | classification | regression
  int train_samples = 0;                // >= 0; 0 = all
  int test_samples = 0;                 // >= 0; 0 = all
  int kernel_samples = 20000;           // >= 1; samples generated for a regression kernel, split 80/20
  // model
  std::string network = "mlp";                // mlp | lenet | resnet8 | vgg8 | a layer list | torchscript:PATH
  IntList hidden = {256, 256};                // mlp's hidden layer sizes, each >= 1
  Activation activation = Activation::kRelu;  // relu | tanh | sigmoid
  // method (SPEC 2.6)
  Method method = Method::kBaseline;     // baseline | pas | act | axtrain
  PasMode pas_mode = PasMode::kEmulate;  // emulate | statistic
  double act_lambda = 100.0;             // >= 0; weight of the sensitivity term R(w) (docs/training.md)
  double noise_scale = 1.0;              // >= 0; multiplies the statistic-mode noise std
  // optimisation
  int epochs = 3;                              // >= 0
  int batch_size = 128;                        // >= 1
  Optimizer optimizer = Optimizer::kAdam;      // adam | sgd
  double lr = 1e-3;                            // > 0
  double momentum = 0.9;                       // [0, 1); sgd only
  double weight_decay = 0;                     // >= 0
  LrSchedule lr_schedule = LrSchedule::kNone;  // none | cosine | step
  int early_stopping = 0;                      // patience in epochs, >= 0; 0 = off
  double validation_split = 0;                 // share of the training set held out, [0, 0.5]
  // quantisation
  WeightQuant weight_quant = WeightQuant::kPerTensor;  // per-tensor | per-channel
  bool bias_compensation = false;                      // compensate the multiplier's mean error in the bias
  // run
  int seed = 1;        // >= 0
  int threads = 2;     // >= 1
  int trials = 5;      // >= 1; Monte Carlo trials for stochastic eval hardware
  std::string init;    // checkpoint to fine-tune; "" = from scratch
  std::string out;     // run folder; "" = chosen by the command
  bool quiet = false;  // no progress output
  bool json = false;   // print machine-readable results
  // hardware: hw/memory set both sections' multiplier/memory unless a section sets its own ("" = unset)
  std::string hw;
  std::string memory;
  // exploration (axtrain explore and reproduce; train ignores these): the sweep's lists
  StringList sweep_multipliers = {"exact", "K1", "K2", "K3"};        // evaluation multipliers
  StringList sweep_memories = {"none"};                              // evaluation memory settings
  StringList sweep_methods = {"baseline", "pas", "act", "axtrain"};  // method names (sweep_method_list)
  IntList sweep_seeds = {1};                                         // each seed trains its own models
  StringList sweep_layers = {};                 // per-layer assignments "MUL@MEM;MUL@MEM;..." (one entry per layer)
  SweepTrain sweep_train = SweepTrain::kPoint;  // point | fixed: train for each point, or for [hardware.train]
  int finetune_epochs = 2;                      // >= 0; epochs every method (and the reference) adds to the baseline
  double budget = 0.01;                         // >= 0; allowed approximation-induced error (0.01 = 1 percentage point)
  HardwareConfig hardware_train;                // [hardware.train], --train-<key>
  HardwareConfig hardware_eval;                 // [hardware.eval], --eval-<key>
  EnergyParams energy;  // [energy], --energy-<key>; [energy.multiply_pj] (config/energy_config.h)

  bool operator==(const TrainConfig&) const = default;
};

// The field tables, in the order of the echo and of docs/config.md.
const std::vector<Field<TrainConfig>>& train_config_fields();
const std::vector<Field<HardwareConfig>>& hardware_config_fields();

// The two hardware sections: TOML table, flag prefix, member, --help group.
struct HardwareSection {
  std::string_view path;         // "hardware.train"
  std::string_view flag_prefix;  // "train-": flags --train-<key>
  HardwareConfig TrainConfig::*member;
  std::string_view group;  // --help group
};
inline constexpr HardwareSection kHardwareSections[] = {
    {"hardware.train", "train-", &TrainConfig::hardware_train, "Training hardware [hardware.train]"},
    {"hardware.eval", "eval-", &TrainConfig::hardware_eval, "Evaluation hardware [hardware.eval]"},
};

// Reads a TOML config over the defaults without validating (flags may still change values): top-level
// hw/memory go to the sections that do not set their own. Throws as read_toml_file does. `keys_set`, when
// given, receives the keys the file sets ("epochs", "hardware.eval.memory").
TrainConfig read_train_config(const std::string& toml_path, std::set<std::string>* keys_set = nullptr);

// Reads a TOML config file over the defaults, applies top-level hw/memory to the sections that do not set
// their own, and validates. Throws axtrain::Error (one line) for an unreadable file, malformed TOML
// (file:line:column), an unknown key, section or table (names the file, the key, the closest known name and
// the known keys), a value of the wrong type (key, expected type, got), and every validate() failure.
TrainConfig load_train_config(const std::string& toml_path);

// Makes the data paths absolute against the current directory (the files of dataset and test_dataset, data_dir, init
// and each section's ber_curve), so that the configuration a run folder records names the same files from any
// directory. Multiplier specs keep their lut: paths as written: a spec is also the multiplier's name in
// results and plots.
void make_data_paths_absolute(TrainConfig& config);

// Checks every rule (ranges, choices, multiplier specs, memory settings, the BER curve, csv needs
// csv_targets). Throws axtrain::Error naming the key and flag, the value, the rule and the fix.
void validate(const TrainConfig& config);

// The configuration as a TOML file, every key written: load_train_config(file) == config for a valid config.
std::string to_toml(const TrainConfig& config);

// What determines a run's results, as 16 hex digits: every key of to_toml except how the run is shown and
// where it is written (out, quiet, json). Equal configurations give equal fingerprints.
std::string config_fingerprint(const TrainConfig& config);

// The first key (in to_toml's order, "hardware.eval.multiplier" for a section's key) whose value differs
// between `a` and `b` among the keys config_fingerprint covers, as "key = A (here) vs B (there)"; "" when
// they agree on all of them.
std::string first_difference(const TrainConfig& a, const TrainConfig& b);

// The methods of sweep_methods (validated names), in order.
std::vector<Method> sweep_method_list(const TrainConfig& config);

// The key reference of docs/config.md (Markdown table rows), generated from the field tables.
std::string config_reference_markdown();

// One layer of a per-layer assignment: "K3@0.6V" (memory optional: "K3" = "K3@none").
struct LayerSetting {
  std::string multiplier;
  std::string memory;
};
// Parses "MUL@MEM;MUL@MEM;..." (sweep_layers). Throws axtrain::Error naming the entry and the layer.
std::vector<LayerSetting> parse_layer_assignment(std::string_view text);

// A parsed memory setting.
struct MemorySetting {
  enum class Kind { kNone, kVoltage, kBer };
  Kind kind = Kind::kNone;
  double value = 0;  // kVoltage: supply voltage in volts, > 0; kBer: bit error rate in [0, 1]; kNone: 0
};

// Parses "none", a voltage "0.6V" (a number followed by V) or "ber:1e-4". Throws axtrain::Error naming the
// value and the three forms otherwise.
MemorySetting parse_memory(std::string_view text);

}  // namespace axtrain
