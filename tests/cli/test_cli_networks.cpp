// Networks as a user gives them (docs/networks.md): a preset, the same layers as a list on the command line or
// as [[network.layers]] tables, `--summary`, and one line with exit 2 for a layer that does not fit.
#include "../support/numpy_writer.h"
#include "../support/run_cli.h"
#include "../support/zip_writer.h"

#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <cstdlib>

namespace axtrain::test {
namespace {

// n images 1 x 8 x 8, labelled 1 where the top half is brighter than the bottom half.
std::string image_archive(int n, std::uint32_t seed) {
  std::vector<float> x;
  std::vector<std::int64_t> y;
  std::uint32_t state = seed;
  for (int i = 0; i < n; ++i) {
    const int label = i % 2;
    for (int p = 0; p < 64; ++p) {
      state = state * 1664525u + 1013904223u;
      const float noise = static_cast<float>(state >> 8) / static_cast<float>(1u << 24);
      x.push_back(0.5f * noise + ((p < 32) == (label == 1) ? 0.5f : 0.0f));
    }
    y.push_back(label);
  }
  return zip({{"x.npy", npy("<f4", fmt::format("({}, 1, 8, 8)", n), bytes_of(x))},
              {"y.npy", npy("<i8", fmt::format("({},)", n), bytes_of(y))}});
}

constexpr const char* kResidualNet =
    "conv(4,3,pad=1,bias=false) bn relu res(conv(4,3,pad=1,bias=false) bn relu conv(4,3,pad=1,bias=false) bn) relu "
    "res(conv(8,3,stride=2,pad=1) relu) gap linear";

constexpr const char* kResidualToml = R"([[network.layers]]
type = "conv"
out = 4
kernel = 3
pad = 1
bias = false
[[network.layers]]
type = "bn"
[[network.layers]]
type = "relu"
[[network.layers]]
type = "res"
  [[network.layers.body]]
  type = "conv"
  out = 4
  kernel = 3
  pad = 1
  bias = false
  [[network.layers.body]]
  type = "bn"
  [[network.layers.body]]
  type = "relu"
  [[network.layers.body]]
  type = "conv"
  out = 4
  kernel = 3
  pad = 1
  bias = false
  [[network.layers.body]]
  type = "bn"
[[network.layers]]
type = "relu"
[[network.layers]]
type = "res"
  [[network.layers.body]]
  type = "conv"
  out = 8
  kernel = 3
  stride = 2
  pad = 1
  [[network.layers.body]]
  type = "relu"
[[network.layers]]
type = "gap"
[[network.layers]]
type = "linear"
)";

TEST(CliNetworks, ALayerListAndItsTomlTablesTrainTheSameNetworkWithEveryMethod) {
  TempDir dir;
  write_file_atomic(dir.file("images.npz"), image_archive(240, 7));
  write_file_atomic(dir.file("net.toml"), kResidualToml);
  const std::string base = "train --dataset npz:" + dir.file("images.npz") +
                           " --epochs 4 --batch_size 16 --lr 0.01 --hw K3 --quiet --json --threads 1";
  const nlohmann::json listed =
      run_cli_json(base + " --method axtrain --out " + dir.file("listed") + " --network '" + kResidualNet + "'");
  const nlohmann::json tabled =
      run_cli_json(base + " --method axtrain --out " + dir.file("tabled") + " --config " + dir.file("net.toml"));
  EXPECT_EQ(listed.at("test_error_exact"), tabled.at("test_error_exact"));
  EXPECT_EQ(listed.at("test_error_hw").at("mean"), tabled.at("test_error_hw").at("mean"));
  EXPECT_EQ(slurp(dir.file("listed") + "/checkpoint.pt"), slurp(dir.file("tabled") + "/checkpoint.pt"));
  EXPECT_LT(listed.at("test_error_exact").get<double>(), 0.2) << "the brighter half is learnt";
  // The run's config echoes the network as its text form.
  EXPECT_NE(slurp(dir.file("tabled") + "/config.toml").find("network = \"conv(4,3,pad=1,bias=false) bn relu res("),
            std::string::npos);
  for (const std::string method : {"baseline", "pas", "act"}) {
    const nlohmann::json m =
        run_cli_json(base + " --method " + method + " --out " + dir.file(method) + " --network '" + kResidualNet + "'");
    EXPECT_LT(m.at("test_error_exact").get<double>(), 0.5) << method;
  }
}

TEST(CliNetworks, APresetAndItsLayerListAreTheSameModel) {
  TempDir dir;
  const std::string base =
      "train --dataset fashion-mnist --train_samples 300 --test_samples 200 --epochs 1 "
      "--method pas --hw K3 --quiet --json --threads 1";
  const std::string lenet_text =
      "conv(6,5,pad=2) relu maxpool(2) conv(16,5) relu maxpool(2) flatten linear(120) relu linear(84) relu linear";
  const nlohmann::json preset = run_cli_json(base + " --network lenet --out " + dir.file("preset"));
  const nlohmann::json listed = run_cli_json(base + " --network '" + lenet_text + "' --out " + dir.file("listed"));
  EXPECT_EQ(preset.at("test_error_hw").at("mean"), listed.at("test_error_hw").at("mean"));
  EXPECT_EQ(slurp(dir.file("preset") + "/checkpoint.pt"), slurp(dir.file("listed") + "/checkpoint.pt"));
}

// A PyTorch model in, trained for K3, and back out to PyTorch.
TEST(CliNetworks, ATorchScriptModelTrainsAndComesBackAsTorchScript) {
  TempDir dir;
  write_file_atomic(dir.file("make.py"), R"(import sys, torch, torch.nn as nn
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.features = nn.Sequential(nn.Conv2d(1, 6, 5, padding=2), nn.BatchNorm2d(6), nn.ReLU(), nn.MaxPool2d(2))
        self.classifier = nn.Linear(6 * 14 * 14, 10)
    def forward(self, x):
        return self.classifier(torch.flatten(self.features(x), 1))
torch.jit.script(Net()).save(sys.argv[1])
)");
  ASSERT_EQ(std::system(("/usr/bin/python3 " + dir.file("make.py") + " " + dir.file("net.pt")).c_str()), 0);
  const nlohmann::json m = run_cli_json(
      "train --dataset fashion-mnist --train_samples 600 --test_samples 200 "
      "--epochs 1 --method axtrain --hw K3 --quiet --json --network torchscript:" +
      dir.file("net.pt") + " --out " + dir.file("run"));
  EXPECT_LT(m.at("test_error_exact").get<double>(), 0.8) << "it learns (guessing is 0.9)";
  EXPECT_NE(slurp(dir.file("run/config.toml")).find("network = \"torchscript:" + dir.file("net.pt")),
            std::string::npos);
  write_file_atomic(dir.file("check.py"), R"(import sys, torch
m = torch.jit.load(sys.argv[1])
print(m(torch.zeros(2, 1, 28, 28)).shape)
)");
  const std::string check = "/usr/bin/python3 " + dir.file("check.py") + " " + dir.file("run/model.torchscript.pt") +
                            " >" + dir.file("check.txt");
  EXPECT_EQ(std::system(check.c_str()), 0);
  EXPECT_NE(slurp(dir.file("check.txt")).find("torch.Size([2, 10])"), std::string::npos);
  expect_user_error("train --network torchscript:" + dir.file("make.py"), "is not a TorchScript file");
}

TEST(CliNetworks, SummaryPrintsLayersShapesParametersAndMacsAndTrainsNothing) {
  TempDir dir;
  const CliResult r = run_cli("train --dataset fashion-mnist --network resnet8 --summary --out " + dir.file("run"));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string part : {"network resnet8 on samples 1x28x28 (10 outputs)", "+ shortcut", "conv(32,1,stride=2)",
                                 "16x28x28", "64x7x7", "10 approximate layers", "energy per inference"})
    EXPECT_NE(r.out.find(part), std::string::npos) << part << "\n" << r.out;
  EXPECT_FALSE(std::filesystem::exists(dir.file("run")));
}

TEST(CliNetworks, ALayerThatDoesNotFitGetsOneLineAndExitTwo) {
  expect_user_error("train --dataset fashion-mnist --network 'conv(4,3) linear'",
                    "network layer 2 'linear' gets input 4x26x26: linear needs a flat input; put flatten before it");
  expect_user_error("train --dataset sobel --network 'conv(4,3) flatten linear'", "needs a C x H x W input");
  expect_user_error("train --dataset fashion-mnist --network 'flatten linear(7)'", "dataset has 10 outputs");
  expect_user_error("train --network 'flatten linear(16) softmax'", "unknown layer 'softmax'");
  expect_user_error("train --network resnet9", "did you mean \"resnet8\"");
  expect_user_error("train --dataset fashion-mnist --network 'conv(4,3,groups=2) flatten linear'",
                    "groups=2 must divide the 1 input");
}

}  // namespace
}  // namespace axtrain::test
