#include "../support/config_files.h"
#include "../support/expect_error.h"
#include "axtrain/config/train_config.h"

#include "axtrain/config/hardware.h"

#include "axtrain/hw/ber_curve.h"
#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace axtrain {
namespace {

using test::expect_error;
using test::expect_same_config;
using test::write_temp;

HardwareConfig hardware(const std::string& memory, double p01 = -1, int protect = 0,
                        const std::string& ber_curve = "") {
  HardwareConfig h;
  h.memory = memory;
  h.p01 = p01;
  h.protect = protect;
  h.ber_curve = ber_curve;
  return h;
}

TrainConfig load_text(const std::string& name, const std::string& toml) {
  return load_train_config(write_temp(name, toml));
}

constexpr const char* kFullFile = R"(# every top-level key, and both sections
dataset = "csv:data/points.csv"
data_dir = "/tmp/fmnist"
csv_features = ["x0", "x1"]
csv_targets = ["y"]
task = "regression"
train_samples = 1000
test_samples = 200
kernel_samples = 5000
network = "lenet"
hidden = [64, 32, 16]
activation = "tanh"
method = "axtrain"
pas_mode = "statistic"
act_lambda = 0.25
noise_scale = 2
epochs = 7
batch_size = 64
optimizer = "sgd"
lr = 0.05
momentum = 0.5
weight_decay = 1e-4
lr_schedule = "cosine"
early_stopping = 3
validation_split = 0.1
weight_quant = "per-channel"
bias_compensation = true
seed = 42
threads = 1
trials = 9
init = "runs/base/model.pt"
out = "runs/x"
quiet = true
json = true
hw = "K1"
memory = "ber:1e-5"

[hardware.train]
multiplier = "K3"
memory = "0.7V"
p01 = 0.001
p10 = 0.002
protect = 128
memory_scope = "weights+activations"
faults = "persistent"

[hardware.eval]
multiplier = "drum:4"
memory = "ber:1e-3"
ber_curve = ""
)";

TEST(TrainConfig, DefaultsValidate) {
  const TrainConfig defaults;
  EXPECT_NO_THROW(validate(defaults));
  EXPECT_EQ(defaults.hardware_train, HardwareConfig{});
  EXPECT_EQ(defaults.hidden, (IntList{256, 256}));
  EXPECT_EQ(defaults.hardware_eval.multiplier, "exact");
}

TEST(TrainConfig, EmptyFileGivesDefaults) {
  expect_same_config(load_text("empty.toml", ""), TrainConfig{});
}

TEST(TrainConfig, FullFileLoads) {
  const TrainConfig c = load_text("full.toml", kFullFile);
  EXPECT_EQ(c.dataset, "csv:data/points.csv");
  EXPECT_EQ(c.data_dir, "/tmp/fmnist");
  EXPECT_EQ(c.csv_features, (StringList{"x0", "x1"}));
  EXPECT_EQ(c.csv_targets, (StringList{"y"}));
  EXPECT_EQ(c.task, TaskChoice::kRegression);
  EXPECT_EQ(c.train_samples, 1000);
  EXPECT_EQ(c.test_samples, 200);
  EXPECT_EQ(c.kernel_samples, 5000);
  EXPECT_EQ(c.network, "lenet");
  EXPECT_EQ(c.hidden, (IntList{64, 32, 16}));
  EXPECT_EQ(c.activation, Activation::kTanh);
  EXPECT_EQ(c.method, Method::kAxtrain);
  EXPECT_EQ(c.pas_mode, PasMode::kStatistic);
  EXPECT_EQ(c.act_lambda, 0.25);
  EXPECT_EQ(c.noise_scale, 2.0);  // an integer literal is accepted for a number
  EXPECT_EQ(c.epochs, 7);
  EXPECT_EQ(c.batch_size, 64);
  EXPECT_EQ(c.optimizer, Optimizer::kSgd);
  EXPECT_EQ(c.lr, 0.05);
  EXPECT_EQ(c.momentum, 0.5);
  EXPECT_EQ(c.weight_decay, 1e-4);
  EXPECT_EQ(c.lr_schedule, LrSchedule::kCosine);
  EXPECT_EQ(c.early_stopping, 3);
  EXPECT_EQ(c.validation_split, 0.1);
  EXPECT_EQ(c.weight_quant, WeightQuant::kPerChannel);
  EXPECT_TRUE(c.bias_compensation);
  EXPECT_EQ(c.seed, 42);
  EXPECT_EQ(c.threads, 1);
  EXPECT_EQ(c.trials, 9);
  EXPECT_EQ(c.init, "runs/base/model.pt");
  EXPECT_EQ(c.out, "runs/x");
  EXPECT_TRUE(c.quiet);
  EXPECT_TRUE(c.json);
  EXPECT_EQ(c.hw, "K1");
  EXPECT_EQ(c.memory, "ber:1e-5");
  const HardwareConfig train{"K3", "0.7V", 0.001, 0.002, 128, MemoryScope::kWeightsAndActivations, Faults::kPersistent,
                             ""};
  EXPECT_EQ(c.hardware_train, train);
  // The eval section sets multiplier and memory itself, so the top-level hw/memory do not apply.
  const HardwareConfig eval{"drum:4", "ber:1e-3", -1, -1, 0, MemoryScope::kWeights, Faults::kTransient, ""};
  EXPECT_EQ(c.hardware_eval, eval);
}

TEST(TrainConfig, TopLevelHwFillsSectionsThatDoNotSetTheirOwn) {
  const TrainConfig c =
      load_text("toplevel.toml", "hw = \"K2\"\nmemory = \"0.6V\"\n[hardware.eval]\nmultiplier = \"K3\"\n");
  EXPECT_EQ(c.hardware_train.multiplier, "K2");
  EXPECT_EQ(c.hardware_train.memory, "0.6V");
  EXPECT_EQ(c.hardware_eval.multiplier, "K3");  // file section beats file top-level hw
  EXPECT_EQ(c.hardware_eval.memory, "0.6V");
}

TEST(TrainConfigErrors, UnknownTopLevelKey) {
  const std::string path = write_temp("unknown_key.toml", "epochs = 2\nepoch = 3\n");
  expect_error([&] { load_train_config(path); },
               {path + ":2", "unknown key 'epoch'", "did you mean 'epochs'?", "known keys: dataset,"});
}

TEST(TrainConfigErrors, UnknownSectionKey) {
  const std::string path = write_temp("unknown_section_key.toml", "[hardware.eval]\nmultiplyer = \"K3\"\n");
  expect_error([&] { load_train_config(path); },
               {path, "unknown key 'multiplyer' in [hardware.eval]", "did you mean 'multiplier'?", "ber_curve"});
}

TEST(TrainConfigErrors, UnknownSection) {
  expect_error([] { load_text("unknown_section.toml", "[hardware.test]\nmultiplier = \"K3\"\n"); },
               {"unknown table [hardware.test]", "[hardware.train], [hardware.eval]"});
  expect_error([] { load_text("unknown_table.toml", "[training]\nepochs = 3\n"); }, {"unknown table [training]"});
  expect_error([] { load_text("hardware_string.toml", "hardware = \"K3\"\n"); },
               {"hardware must be a table, got string"});
}

TEST(TrainConfigErrors, WrongType) {
  expect_error([] { load_text("wrong_type.toml", "epochs = \"3\"\n"); },
               {"epochs: expected integer, got string", "epochs = 3"});
  expect_error([] { load_text("wrong_type_list.toml", "hidden = [64, \"32\"]\n"); },
               {"hidden: expected array of integers", "string"});
  expect_error([] { load_text("wrong_type_bool.toml", "quiet = 1\n"); }, {"quiet: expected boolean, got integer"});
  expect_error([] { load_text("wrong_type_section.toml", "[hardware.train]\nprotect = 1.5\n"); },
               {"hardware.train.protect: expected integer, got float"});
  expect_error([] { load_text("too_big.toml", "seed = 9999999999\n"); }, {"seed = 9999999999", "out of range"});
}

TEST(TrainConfigErrors, BadEnumValue) {
  const std::string path = write_temp("bad_enum.toml", "network = \"lenett\"\n");
  expect_error([&] { load_train_config(path); },
               {path, "network (--network): unknown network 'lenett'", "one of mlp, lenet, resnet8, vgg8",
                "did you mean \"lenet\"", "docs/networks.md"});
  expect_error([] { load_text("bad_layer.toml", "network = \"flatten linear(16) relu lin\"\n"); },
               {"network (--network)", "unknown layer 'lin'", "known layers"});
  expect_error([] { load_text("bad_scope.toml", "[hardware.eval]\nmemory_scope = \"activations\"\n"); },
               {"hardware.eval.memory_scope = \"activations\"", "--eval-memory_scope"});
  expect_error([] { load_text("bad_dataset.toml", "dataset = \"mnist\"\n"); }, {"dataset", "unknown dataset 'mnist'"});
  expect_error([] { load_text("bad_mul.toml", "hw = \"K9\"\n"); }, {"hw (--hw)", "unknown multiplier 'K9'"});
}

TEST(TrainConfig, NetworkLayerTablesAreReadAsTheLayerList) {
  const TrainConfig c = load_text("layers.toml", R"([[network.layers]]
type = "conv"
out = 8
kernel = 3
pad = 1
bias = false
[[network.layers]]
type = "bn"
[[network.layers]]
type = "res"
  [[network.layers.body]]
  type = "conv"
  out = 8
  kernel = 3
  pad = 1
  [[network.layers.body]]
  type = "relu"
[[network.layers]]
type = "dropout"
p = 0.25
[[network.layers]]
type = "gap"
[[network.layers]]
type = "linear"
)");
  EXPECT_EQ(c.network, "conv(8,3,pad=1,bias=false) bn res(conv(8,3,pad=1) relu) dropout(0.25) gap linear");
  expect_error([] { load_text("layers_bad.toml", "[[network.layers]]\ntype = \"conv\"\nout = 8\nkernels = 3\n"); },
               {"network (--network)", "unknown argument 'kernels'", "conv takes out, kernel"});
  expect_error([] { load_text("layers_type.toml", "[[network.layers]]\nout = 8\n"); },
               {"layers_type.toml:1", "needs type = \"...\""});
  expect_error([] { load_text("layers_value.toml", "[[network.layers]]\ntype = \"linear\"\nout = \"8\"\n"); },
               {"network.layers.out: expected a number or boolean, got string"});
  expect_error([] { load_text("layers_key.toml", "[network]\nlayer = []\n"); }, {"unknown key 'layer' in [network]"});
  expect_error(
      [] {
        load_text("layers_body.toml",
                  "[[network.layers]]\ntype = \"relu\"\n[[network.layers.body]]\ntype = \"relu\"\n");
      },
      {"only a residual layer"});
}

TEST(TrainConfigErrors, OutOfRangeNumber) {
  expect_error([] { load_text("bad_lr.toml", "lr = 0\n"); }, {"lr = 0.0", "must be > 0"});
  expect_error([] { load_text("bad_momentum.toml", "momentum = 1\n"); }, {"momentum = 1.0", "in [0, 1)"});
  expect_error([] { load_text("bad_hidden.toml", "hidden = [64, 0]\n"); },
               {"hidden = [64, 0]", "each element", ">= 1"});
  expect_error([] { load_text("bad_split.toml", "validation_split = 0.6\n"); }, {"validation_split", "[0, 0.5]"});
  expect_error([] { load_text("bad_protect.toml", "[hardware.train]\nprotect = 256\n"); },
               {"hardware.train.protect = 256", "[0, 255]", "--train-protect"});
  expect_error([] { load_text("bad_p01.toml", "[hardware.train]\np01 = 1.5\n"); }, {"p01 = 1.5", "-1 or in [0, 1]"});
  expect_error([] { load_text("nan_lr.toml", "lr = nan\n"); }, {"lr = nan"});
  expect_error(
      [] {
        load_text("persistent.toml",
                  "[hardware.train]\nmemory = \"ber:0.1\"\np01 = 0.7\np10 = 0.6\n"
                  "faults = \"persistent\"\n");
      },
      {"[hardware.train]", "p01 + p10 <= 1"});
  expect_error([] { load_text("csv_targets.toml", "dataset = \"csv:x.csv\"\n"); }, {"csv_targets"});
  expect_error([] { load_text("twice.toml", "sweep_multipliers = [\"K1\", \"K3\", \"K1\"]\n"); },
               {"sweep_multipliers (--sweep_multipliers) lists 'K1' twice", "give each entry once"});
  expect_error([] { load_text("seeds_twice.toml", "sweep_seeds = [1, 2, 2]\n"); }, {"sweep_seeds", "'2' twice"});
}

TEST(TrainConfigErrors, MalformedTomlNamesFileAndLine) {
  const std::string path = write_temp("malformed.toml", "epochs = 3\nlr = = 0.1\n");
  expect_error([&] { load_train_config(path); }, {path + ":2:", "malformed TOML"});
  expect_error([] { load_train_config("/nonexistent/axtrain.toml"); },
               {"cannot read config file '/nonexistent/axtrain.toml'"});
}

TEST(TrainConfig, ToTomlRoundTrips) {
  expect_same_config(load_text("roundtrip_default.toml", to_toml(TrainConfig{})), TrainConfig{});
  TrainConfig c = load_text("full2.toml", kFullFile);
  c.csv_features = {"with \"quotes\"", "back\\slash", "tab\there"};
  c.hidden = {};
  c.lr = 0.1 + 0.2;  // not a short decimal: needs shortest round-trip printing
  c.act_lambda = 1e-20;
  c.hardware_eval.p01 = 1.0 / 3;
  c.hardware_eval.ber_curve = "";
  c.hw = "";
  ASSERT_NO_THROW(validate(c));
  const TrainConfig back = load_text("roundtrip_full.toml", to_toml(c));
  expect_same_config(back, c);
  EXPECT_NE(to_toml(c).find("[hardware.eval]"), std::string::npos);
}

TEST(MemorySetting, ParsesTheThreeForms) {
  EXPECT_EQ(parse_memory("none").kind, MemorySetting::Kind::kNone);
  const MemorySetting v = parse_memory("0.6V");
  EXPECT_EQ(v.kind, MemorySetting::Kind::kVoltage);
  EXPECT_EQ(v.value, 0.6);
  const MemorySetting b = parse_memory("ber:1e-4");
  EXPECT_EQ(b.kind, MemorySetting::Kind::kBer);
  EXPECT_EQ(b.value, 1e-4);
}

TEST(MemorySetting, RejectsOtherText) {
  for (const char* bad : {"", "0.6", "0.6v", "V", "-0.6V", "0V", "infV", "ber:", "ber:2", "ber:-1e-3", "ber:x", "None"})
    expect_error([&] { parse_memory(bad); }, {fmt::format("'{}'", bad)});
  expect_error([] { parse_memory("low"); }, {"'low'", "none", "0.6V", "ber:1e-4"});
}

TEST(MemoryFaultModel, FromBer) {
  const MemoryFaultModel m = memory_fault_model(hardware("ber:1e-3"));
  EXPECT_EQ(m.p01, 1e-3);
  EXPECT_EQ(m.p10, 1e-3);
  EXPECT_EQ(m.protected_bits, 0);
}

TEST(MemoryFaultModel, FromVoltageUsesTheCurve) {
  const MemoryFaultModel m = memory_fault_model(hardware("0.6V"));
  const double expected = BerCurve::default_curve().ber_at(0.6);
  EXPECT_GT(expected, 0);
  EXPECT_EQ(m.p01, expected);
  EXPECT_EQ(m.p10, expected);
  const std::string curve = write_temp("curve.csv", "voltage,ber\n0.5,1e-2\n0.7,1e-4\n");
  EXPECT_DOUBLE_EQ(memory_fault_model(hardware("0.6V", -1, 0, curve)).p01, 1e-3);
  expect_error([] { memory_fault_model(hardware("0.3V")); }, {"0.3"});
}

TEST(MemoryFaultModel, OverridesAndProtect) {
  const MemoryFaultModel m = memory_fault_model(hardware("ber:1e-3", 0.25, 0x80));
  EXPECT_EQ(m.p01, 0.25);
  EXPECT_EQ(m.p10, 1e-3);
  EXPECT_EQ(m.protected_bits, 0x80);
  const MemoryFaultModel none = memory_fault_model(hardware("none", 0.5, 3));
  EXPECT_EQ(none.p01, 0);
  EXPECT_EQ(none.p10, 0);
  EXPECT_EQ(none.protected_bits, 0);
}

std::string read_doc() {
  const auto path = std::filesystem::path(AXT_SOURCE_DIR) / "docs/config.md";
  std::ifstream in(path);
  if (!in) ADD_FAILURE() << "cannot read " << path;
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// The example file in docs/config.md loads and means what the text says.
TEST(TrainConfigDocs, ExampleFileLoads) {
  const std::string doc = read_doc();
  const auto begin = doc.find("```toml\n");
  ASSERT_NE(begin, std::string::npos) << "docs/config.md has no ```toml example";
  const auto end = doc.find("```", begin + 8);
  ASSERT_NE(end, std::string::npos);
  const TrainConfig c = load_text("docs_example.toml", doc.substr(begin + 8, end - begin - 8));
  EXPECT_EQ(c.method, Method::kAxtrain);
  EXPECT_EQ(c.hardware_train.multiplier, "K3");
  EXPECT_EQ(c.hardware_eval.multiplier, "K3");
  EXPECT_EQ(c.hardware_train.memory, "0.6V");
  EXPECT_EQ(c.hardware_eval.faults, Faults::kPersistent);
  EXPECT_EQ(memory_fault_model(c.hardware_eval).protected_bits, 128);
}

// docs/config.md must hold the generated key reference row for row, so it names every key with its default.
TEST(TrainConfigDocs, ReferenceTableIsInDocs) {
  const std::string doc = read_doc();
  ASSERT_FALSE(doc.empty());
  for (const auto& field : train_config_fields())
    EXPECT_NE(doc.find("| `" + field.name + "` |"), std::string::npos) << field.name << " is missing from the docs";
  for (const auto& field : hardware_config_fields())
    EXPECT_NE(doc.find("| `" + field.name + "` |"), std::string::npos) << field.name << " is missing from the docs";
  std::istringstream rows(config_reference_markdown());
  std::string row;
  while (std::getline(rows, row)) {
    if (row.empty()) continue;
    EXPECT_NE(doc.find(row + "\n"), std::string::npos) << "docs/config.md lacks the row:\n" << row;
  }
}

}  // namespace
}  // namespace axtrain
