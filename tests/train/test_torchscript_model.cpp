// PyTorch models in and out: a module scripted by Debian's python3-torch is read as layers, computes what
// PyTorch computes with its weights, and goes back to TorchScript with axtrain's weights.
#include "../support/run_cli.h"
#include "axtrain/net/network_spec.h"
#include "axtrain/train/torchscript_model.h"

#include "../support/expect_error.h"
#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>
#include <torch/script.h>
#include <torch/torch.h>

#include <cstdlib>

namespace axtrain {
namespace {

// A residual CNN with batch normalisation (statistics from a few training batches), a depthwise
// convolution, pooling and dropout, scripted, and a model with an operator axtrain does not read.
constexpr const char* kScript = R"(
import sys, torch, torch.nn as nn
torch.manual_seed(0)
class Block(nn.Module):
    def __init__(self, c, o, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(c, o, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(o)
        self.conv2 = nn.Conv2d(o, o, 3, 1, 1, groups=o)
        self.bn2 = nn.BatchNorm2d(o)
        self.down = nn.Sequential(nn.Conv2d(c, o, 1, stride, bias=False), nn.BatchNorm2d(o))
    def forward(self, x):
        y = torch.relu(self.bn1(self.conv1(x)))
        return torch.relu(self.bn2(self.conv2(y)) + self.down(x))
class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU6(), nn.MaxPool2d(2))
        self.block = Block(4, 8, 2)
        self.head = nn.Sequential(nn.Dropout(0.25), nn.Linear(8, 4))
    def forward(self, x):
        x = nn.functional.adaptive_avg_pool2d(self.block(self.stem(x)), 1)
        return self.head(torch.flatten(x, 1))
net = Net()
for _ in range(3):
    net(torch.rand(8, 1, 12, 12))
torch.jit.script(net.eval()).save(sys.argv[1] + "/net.pt")
class Softmax(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc = nn.Linear(144, 4)
    def forward(self, x):
        return torch.softmax(self.fc(torch.flatten(x, 1)), 1)
torch.jit.script(Softmax()).save(sys.argv[1] + "/softmax.pt")
torch.jit.script(nn.Sequential(nn.Flatten(), nn.Linear(144, 4))).save(sys.argv[1] + "/flat.pt")
# The resnet8 preset as a PyTorch module: one basic block per stage, 1x1 projections with a bias.
def conv_bn(c, o, stride):
    return [nn.Conv2d(c, o, 3, stride, 1, bias=False), nn.BatchNorm2d(o)]
class Basic(nn.Module):
    def __init__(self, c, o, stride):
        super().__init__()
        self.body = nn.Sequential(*conv_bn(c, o, stride), nn.ReLU(), *conv_bn(o, o, 1))
        self.project = nn.Conv2d(c, o, 1, stride) if c != o else nn.Identity()
    def forward(self, x):
        return torch.relu(self.body(x) + self.project(x))
class ResNet8(nn.Module):
    def __init__(self):
        super().__init__()
        self.stem = nn.Sequential(*conv_bn(1, 16, 1), nn.ReLU())
        self.stages = nn.Sequential(Basic(16, 16, 1), Basic(16, 32, 2), Basic(32, 64, 2))
        self.fc = nn.Linear(64, 10)
    def forward(self, x):
        return self.fc(torch.flatten(nn.functional.adaptive_avg_pool2d(self.stages(self.stem(x)), 1), 1))
resnet = ResNet8()
for _ in range(2):
    resnet(torch.rand(4, 1, 28, 28))
torch.jit.script(resnet.eval()).save(sys.argv[1] + "/resnet8.pt")
)";

class TorchScriptModel : public ::testing::Test {
 protected:
  void SetUp() override {
    write_file_atomic(dir_.file("make.py"), kScript);
    const std::string command = "/usr/bin/python3 " + dir_.file("make.py") + " " + dir_.file(".");
    ASSERT_EQ(std::system(command.c_str()), 0) << "Debian's python3-torch (scripts/setup.sh installs it)";
  }
  test::TempDir dir_;
};

torch::Tensor jit_forward(torch::jit::Module& m, const torch::Tensor& x) {
  return m.forward({x}).toTensor();
}

TEST_F(TorchScriptModel, IsReadAsLayersAndComputesWhatPyTorchComputes) {
  const std::string path = dir_.file("net.pt");
  const TorchScriptNetwork read = read_torchscript_network(path);
  EXPECT_EQ(layers_text(read.layers),
            "conv(4,3,pad=1,name=stem_0) bn(name=stem_1) relu6 maxpool(2) res(conv(8,3,stride=2,pad=1,bias=false,"
            "name=block_conv1) bn(name=block_bn1) relu conv(8,3,pad=1,groups=8,name=block_conv2) bn(name=block_bn2) | "
            "conv(8,1,stride=2,bias=false,name=block_down_0) bn(name=block_down_1)) relu gap dropout(0.25) "
            "linear(4,name=head_1)");
  EXPECT_EQ(read.modules.at("block_down_0"), "block.down.0");
  auto net =
      make_model({.network = layers_text(read.layers), .input_shape = {1, 12, 12}, .outputs = 4, .torchscript = path});
  net->eval();
  torch::jit::Module original = torch::jit::load(path);
  torch::NoGradGuard no_grad;
  const auto x = torch::rand({5, 1, 12, 12});
  EXPECT_TRUE(torch::equal(net->forward(x), jit_forward(original, x))) << "float: bit for bit";
  auto hw = std::make_shared<HardwareState>(HardwareState::emulate(Multiplier::parse("K3"), {}, 1));
  net->set_hardware(hw);
  const auto approximate = net->forward(x);
  EXPECT_FALSE(torch::equal(approximate, jit_forward(original, x)));
  EXPECT_LT((approximate - jit_forward(original, x)).abs().max().item<double>(), 0.5) << "close, not equal";
}

TEST_F(TorchScriptModel, GoesBackToTorchScriptWithTheTrainedWeights) {
  const std::string path = dir_.file("net.pt");
  auto net = make_model({.network = layers_text(read_torchscript_network(path).layers),
                         .input_shape = {1, 12, 12},
                         .outputs = 4,
                         .torchscript = path});
  torch::optim::SGD sgd(net->parameters(), 0.1);
  net->train();
  for (int step = 0; step < 3; ++step) {  // weights and batch statistics move
    sgd.zero_grad();
    net->forward(torch::rand({8, 1, 12, 12})).square().sum().backward();
    sgd.step();
  }
  net->eval();
  export_torchscript(*net, path, dir_.file("trained.pt"));
  torch::jit::Module trained = torch::jit::load(dir_.file("trained.pt"));
  torch::jit::Module original = torch::jit::load(path);
  torch::NoGradGuard no_grad;
  const auto x = torch::rand({5, 1, 12, 12});
  EXPECT_TRUE(torch::equal(net->forward(x), jit_forward(trained, x)));
  EXPECT_FALSE(torch::equal(jit_forward(original, x), jit_forward(trained, x)));
  // Python loads it and computes C++'s outputs bit for bit (input and outputs passed as torch.load reads them).
  const std::vector<char> pickled = torch::pickle_save(c10::ivalue::Tuple::create({x, net->forward(x)}));
  write_file_atomic(dir_.file("io.pt"), std::string(pickled.begin(), pickled.end()));
  write_file_atomic(dir_.file("check.py"),
                    "import sys, torch\nm = torch.jit.load(sys.argv[1])\nx, y = torch.load(sys.argv[2])\n"
                    "sys.exit(0 if torch.equal(m(x), y) else 3)\n");
  const std::string command =
      "/usr/bin/python3 " + dir_.file("check.py") + " " + dir_.file("trained.pt") + " " + dir_.file("io.pt");
  EXPECT_EQ(std::system(command.c_str()), 0) << "Python's outputs of the exported model";
}

// ResNet-8 three ways: the preset, its layer list, and a PyTorch module; the same weights give the same outputs.
TEST_F(TorchScriptModel, ResNet8AsPresetLayerListAndPyTorchModuleIsOneNetwork) {
  const std::string path = dir_.file("resnet8.pt");
  const NetworkSpec preset{.network = "resnet8", .input_shape = {1, 28, 28}, .outputs = 10};
  auto from_file = make_model({.network = layers_text(read_torchscript_network(path).layers),
                               .input_shape = {1, 28, 28},
                               .outputs = 10,
                               .torchscript = path});
  std::vector<std::shared_ptr<ApproxNet>> nets = {
      make_model(preset),
      make_model({.network = layers_text(network_layers(preset)), .input_shape = {1, 28, 28}, .outputs = 10}),
      from_file};
  torch::NoGradGuard no_grad;
  for (std::size_t n = 0; n < 2; ++n) {  // the file's weights, in the same order
    const auto to = nets[n]->parameters(), from = from_file->parameters();
    ASSERT_EQ(to.size(), from.size());
    for (std::size_t i = 0; i < to.size(); ++i) to[i].copy_(from[i]);
    const auto to_buffers = nets[n]->buffers(), from_buffers = from_file->buffers();
    ASSERT_EQ(to_buffers.size(), from_buffers.size());
    for (std::size_t i = 0; i < to_buffers.size(); ++i) to_buffers[i].copy_(from_buffers[i]);
  }
  torch::jit::Module module = torch::jit::load(path);
  const auto x = torch::rand({3, 1, 28, 28});
  const auto expected = jit_forward(module, x);
  auto hw = std::make_shared<HardwareState>(HardwareState::emulate(Multiplier::parse("K3"), {}, 1));
  std::vector<torch::Tensor> on_k3;
  for (auto& net : nets) {
    net->eval();
    EXPECT_TRUE(torch::equal(net->forward(x), expected));
    net->set_hardware(hw);
    on_k3.push_back(net->forward(x));
  }
  EXPECT_TRUE(torch::equal(on_k3[0], on_k3[1]));
  EXPECT_TRUE(torch::equal(on_k3[0], on_k3[2]));
}

TEST_F(TorchScriptModel, WhatItCannotReadGetsOneLineNamingIt) {
  test::expect_error([&] { read_torchscript_network(dir_.file("softmax.pt")); },
                     {"softmax.pt", "aten::softmax is not an operator axtrain reads", "docs/networks.md"});
  write_file_atomic(dir_.file("not.pt"), "not a model");
  test::expect_error([&] { read_torchscript_network(dir_.file("not.pt")); },
                     {"is not a TorchScript file", "torch.jit.script(model).save(PATH)"});
  test::expect_error([&] { read_torchscript_network(dir_.file("missing.pt")); }, "missing.pt");
  // A model made for 12 x 12 images, on data of 10 x 10.
  const std::string flat = dir_.file("flat.pt");
  test::expect_error(
      [&] {
        make_model({.network = layers_text(read_torchscript_network(flat).layers),
                    .input_shape = {1, 10, 10},
                    .outputs = 4,
                    .torchscript = flat});
      },
      {"its '1.weight' is [4, 144], but on this dataset's samples the layer needs [4, 100]", "the shape the model"});
}

}  // namespace
}  // namespace axtrain
