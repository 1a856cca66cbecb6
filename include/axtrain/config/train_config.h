// The run configuration of `axtrain train` (SPEC 4): every option is a TOML key and a flag of the same name
// (--data_dir, also spelt --data-dir), and flags override the file. Hardware used in training
// ([hardware.train], flags --train-<key>) and in evaluation ([hardware.eval], flags --eval-<key>) are separate.
// The field tables below are the single source of truth; docs/config.md lists every key (a test checks it).
//
// Precedence, lowest first:
//   built-in defaults < top-level hw/memory in the file < [hardware.*] keys in the file
//   < --hw/--memory flags < --train-*/--eval-* flags
#pragma once

#include "axtrain/config/config_fields.h"
#include "axtrain/hw/memory_faults.h"

#include <CLI/CLI.hpp>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

// The hardware one phase runs on: a multiplier and an NTV SRAM setting (SPEC 2.2, 2.4).
// Example: HardwareConfig{.multiplier = "K3", .memory = "0.6V", .protect = 0x80}
struct HardwareConfig {
  std::string multiplier = "exact";      // multiplier spec (axtrain::Multiplier::parse), e.g. K3, lut:m.bin
  std::string memory = "none";           // "none", a supply voltage "0.6V", or a bit error rate "ber:1e-4"
  double p01 = -1;                       // P(stored 0 reads 1), [0, 1]; -1 = the memory setting's BER
  double p10 = -1;                       // P(stored 1 reads 0), [0, 1]; -1 = the memory setting's BER
  int protect = 0;                       // mask of bit positions that never fail, 0..255 (128 = top bit)
  std::string memory_scope = "weights";  // weights | weights+activations
  std::string faults = "transient";      // transient (resampled per read) | persistent (one seeded chip)
  std::string ber_curve;                 // CSV file of voltage,ber points; "" = the built-in curve

  bool operator==(const HardwareConfig&) const = default;
};

// Everything `axtrain train` needs. Defaults are the in-class initialisers; validate() checks the rules.
// Example: TrainConfig{.dataset = "sobel", .method = "axtrain", .epochs = 5}
struct TrainConfig {
  // data
  std::string dataset = "fashion-mnist";  // fashion-mnist | inversek2j | blackscholes | sobel | kmeans | fft | csv:PATH
  std::string data_dir;                   // folder of the Fashion-MNIST IDX files; "" = the Debian package's
  StringList csv_features;                // CSV feature columns; empty = every non-target column
  StringList csv_targets;                 // CSV target columns (required for csv:PATH)
  std::string task = "auto";              // auto | classification | regression
  int train_samples = 0;                  // >= 0; 0 = all
  int test_samples = 0;                   // >= 0; 0 = all
  int kernel_samples = 20000;             // >= 1; samples generated for a regression kernel, split 80/20
  // model
  std::string network = "mlp";            // mlp | lenet
  IntList hidden = {256, 256};            // MLP hidden layer sizes, each >= 1
  std::string activation = "relu";        // relu | tanh | sigmoid
  // method (SPEC 2.6)
  std::string method = "baseline";        // baseline | pas | act | axtrain
  std::string pas_mode = "emulate";       // emulate | statistic
  double act_lambda = 100.0;              // >= 0; weight of the sensitivity term R(w) (docs/training.md)
  double noise_scale = 1.0;               // >= 0; multiplies the statistic-mode noise std
  // optimisation
  int epochs = 3;                         // >= 0
  int batch_size = 128;                   // >= 1
  std::string optimizer = "adam";         // adam | sgd
  double lr = 1e-3;                       // > 0
  double momentum = 0.9;                  // [0, 1); sgd only
  double weight_decay = 0;                // >= 0
  std::string lr_schedule = "none";       // none | cosine | step
  int early_stopping = 0;                 // patience in epochs, >= 0; 0 = off
  double validation_split = 0;            // share of the training set held out, [0, 0.5]
  // quantisation
  std::string weight_quant = "per-tensor";  // per-tensor | per-channel
  bool bias_compensation = false;           // compensate the multiplier's mean error in the bias
  // run
  int seed = 1;                           // >= 0
  int threads = 2;                        // >= 1
  int trials = 5;                         // >= 1; Monte Carlo trials for stochastic eval hardware
  std::string init;                       // checkpoint to fine-tune; "" = from scratch
  std::string out;                        // run folder; "" = chosen by the command
  bool quiet = false;                     // no progress output
  bool json = false;                      // print machine-readable results
  // hardware: hw/memory set both sections' multiplier/memory unless a section sets its own ("" = unset)
  std::string hw;
  std::string memory;
  // exploration (axtrain explore and reproduce; train ignores these): the sweep's lists
  StringList sweep_multipliers = {"exact", "K1", "K2", "K3"};  // evaluation multipliers
  StringList sweep_memories = {"none"};                         // evaluation memory settings
  StringList sweep_methods = {"baseline", "pas", "act", "axtrain"};
  IntList sweep_seeds = {1};                                    // each seed trains its own models
  StringList sweep_layers = {};            // per-layer assignments "MUL@MEM;MUL@MEM;..." (one entry per layer)
  int finetune_epochs = 2;                 // >= 0; epochs every method (and the reference) adds to the baseline
  double budget = 0.01;                    // >= 0; allowed approximation-induced error (0.01 = 1 percentage point)
  HardwareConfig hardware_train;          // [hardware.train], --train-<key>
  HardwareConfig hardware_eval;           // [hardware.eval], --eval-<key>

  bool operator==(const TrainConfig&) const = default;
};

// The field tables, in the order of the echo and of docs/config.md.
const std::vector<Field<TrainConfig>>& train_config_fields();
const std::vector<Field<HardwareConfig>>& hardware_config_fields();

// Registers every field of TrainConfig as a flag on `cmd` (help shows the rule and the live default), the
// section fields as --train-<key> and --eval-<key>, and --config FILE. After cmd has parsed, resolve() reads
// the file (if --config was given), applies the flags that were given on top (see the precedence above), and
// validates. Holds the flag targets, so it must outlive the parse; movable.
class TrainConfigFlags {
 public:
  explicit TrainConfigFlags(CLI::App& cmd);
  ~TrainConfigFlags();
  TrainConfigFlags(TrainConfigFlags&&) noexcept;
  TrainConfigFlags& operator=(TrainConfigFlags&&) noexcept;

  // Throws axtrain::Error as load_train_config() and validate() do. default_config is read when --config
  // was not given ("" = start from the defaults); `axtrain eval` passes the run folder's config.toml.
  TrainConfig resolve(const std::string& default_config = "") const;

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// Reads a TOML config file over the defaults, applies top-level hw/memory to the sections that do not set
// their own, and validates. Throws axtrain::Error (one line) for an unreadable file, malformed TOML
// (file:line:column), an unknown key, section or table (names the file, the key, the closest known name and
// the known keys), a value of the wrong type (key, expected type, got), and every validate() failure.
TrainConfig load_train_config(const std::string& toml_path);

// Checks every rule (ranges, choices, multiplier specs, memory settings, the BER curve, csv needs
// csv_targets). Throws axtrain::Error naming the key and flag, the value, the rule and the fix.
void validate(const TrainConfig& config);

// The configuration as a TOML file, every key written: load_train_config(file) == config for a valid config.
std::string to_toml(const TrainConfig& config);

// Every key with its value as TOML text, sections as "hardware.train.multiplier": for result rows and reports.
std::vector<std::pair<std::string, std::string>> config_entries(const TrainConfig& config);

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

// The fault model a hardware section describes: the BER is the setting's own or, for a voltage, the BER(V)
// curve's (ber_curve, or BerCurve::default_curve() when empty); p01/p10 >= 0 override it per direction;
// protect masks bits. memory "none" gives all-zero probabilities (p01/p10/protect are then ignored).
// Throws axtrain::Error for a bad memory string, an unreadable curve, a voltage below the curve, or an invalid
// resulting model.
MemoryFaultModel memory_fault_model(const HardwareConfig& hardware);

}  // namespace axtrain
