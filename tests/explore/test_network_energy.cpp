#include "../support/expect_error.h"
#include "axtrain/explore/network_energy.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <utility>
#include <vector>

namespace axtrain {
namespace {

using test::expect_error;

struct Counts {
  double macs, reads, writes;  // reads = weights + input activations
};

// Energy from raw counts, written out independently of dense_layer_work / energy_per_inference.
double hand_energy(const Counts& c, const std::string& spec, double voltage, const EnergyParams& p) {
  const double vr = voltage / p.nominal_voltage;
  const double leak = p.sram_leakage_pj * std::pow(vr, p.sram_leakage_exponent);
  const double read = p.sram_read_pj * vr * vr + leak;
  const double write = p.sram_write_pj * vr * vr + leak;
  return c.macs * mac_energy_pj(Multiplier::parse(spec), p) + c.reads * read + c.writes * write;
}

NetworkSpec mlp_784() {
  NetworkSpec s;
  s.network = "mlp";
  s.input_shape = {1, 28, 28};
  s.hidden = {256, 256};
  s.outputs = 10;
  return s;
}

NetworkSpec lenet() {
  NetworkSpec s;
  s.network = "lenet";
  s.input_shape = {1, 28, 28};
  s.hidden = {};
  s.outputs = 10;
  return s;
}

// Per-layer counts of LeNet on 1x28x28, worked by hand from the layer shapes.
const std::vector<Counts> kLenetCounts = {
    {6.0 * 28 * 28 * 1 * 25, 150 + 784, 6 * 28 * 28},      // conv 1->6 5x5 pad 2: out 6x28x28
    {16.0 * 10 * 10 * 6 * 25, 2400 + 1176, 16 * 10 * 10},  // conv 6->16 5x5 on 6x14x14: out 16x10x10
    {400.0 * 120, 48000 + 400, 120},
    {120.0 * 84, 10080 + 120, 84},
    {84.0 * 10, 840 + 84, 10}};

TEST(NetworkEnergy, MlpWorkMatchesModelShapes) {
  const std::vector<LayerWork> w = network_work(mlp_784());
  ASSERT_EQ(w.size(), 3u);
  EXPECT_EQ(w[0].macs, 784 * 256);
  EXPECT_EQ(w[0].activation_reads, 784);
  EXPECT_EQ(w[1].macs, 256 * 256);
  EXPECT_EQ(w[2].macs, 256 * 10);
  EXPECT_EQ(w[2].activation_writes, 10);
}

TEST(NetworkEnergy, LenetWorkMatchesHandCounts) {
  const std::vector<LayerWork> w = network_work(lenet());
  ASSERT_EQ(w.size(), kLenetCounts.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    EXPECT_EQ(static_cast<double>(w[i].macs), kLenetCounts[i].macs) << "layer " << i;
    EXPECT_EQ(static_cast<double>(w[i].weight_reads + w[i].activation_reads), kLenetCounts[i].reads) << "layer " << i;
    EXPECT_EQ(static_cast<double>(w[i].activation_writes), kLenetCounts[i].writes) << "layer " << i;
  }
}

TEST(NetworkEnergy, MlpEqualsHandSum) {
  const EnergyParams p;
  const double macs = 784.0 * 256 + 256.0 * 256 + 256.0 * 10;
  const Counts all{macs, macs + 784 + 256 + 256, 256 + 256 + 10};
  for (const auto& [spec, v] : std::vector<std::pair<std::string, double>>{{"exact", 1.0}, {"K3", 0.7}}) {
    const double expected = hand_energy(all, spec, v, p);
    const EnergyBreakdown e = network_energy(mlp_784(), {LayerHardware{Multiplier::parse(spec), v}}, p);
    EXPECT_NEAR(e.total_pj, expected, 1e-9 * expected) << spec;
    EXPECT_NEAR(e.mac_pj, macs * mac_energy_pj(Multiplier::parse(spec), p), 1e-9 * expected) << spec;
    EXPECT_DOUBLE_EQ(e.total_pj, e.mac_pj + e.sram_pj);
  }
}

TEST(NetworkEnergy, LenetEqualsHandSum) {
  const EnergyParams p;
  double expected = 0;
  for (const Counts& c : kLenetCounts) expected += hand_energy(c, "K2", 0.8, p);
  const EnergyBreakdown e = network_energy(lenet(), {LayerHardware{Multiplier::parse("K2"), 0.8}}, p);
  EXPECT_NEAR(e.total_pj, expected, 1e-9 * expected);
}

TEST(NetworkEnergy, PerLayerAssignmentIsSumOfLayers) {
  const EnergyParams p;
  const std::vector<std::string> specs = {"K3", "exact", "K1", "drum:4", "truncated:6"};
  const std::vector<double> volts = {0.6, 1.0, 0.75, 0.9, 0.65};
  std::vector<LayerHardware> hw;
  double expected = 0;
  for (std::size_t i = 0; i < specs.size(); ++i) {
    hw.push_back({Multiplier::parse(specs[i]), volts[i]});
    expected += hand_energy(kLenetCounts[i], specs[i], volts[i], p);
  }
  const EnergyBreakdown e = network_energy(lenet(), hw, p);
  EXPECT_NEAR(e.total_pj, expected, 1e-9 * expected);

  // The same through the library's single-layer energies.
  const std::vector<LayerWork> work = network_work(lenet());
  double sum = 0;
  for (std::size_t i = 0; i < work.size(); ++i)
    sum += energy_per_inference(std::span<const LayerWork>(&work[i], 1), hw[i].multiplier, hw[i].voltage, p).total_pj;
  EXPECT_NEAR(e.total_pj, sum, 1e-12 * sum);

  // A uniform list of #layers entries equals the single entry; changing one layer changes the total.
  const LayerHardware k3{Multiplier::parse("K3"), 0.7};
  const double one = network_energy(lenet(), {k3}, p).total_pj;
  EXPECT_NEAR(network_energy(lenet(), std::vector<LayerHardware>(5, k3), p).total_pj, one, 1e-12 * one);
  std::vector<LayerHardware> mixed(5, k3);
  mixed[1] = LayerHardware{Multiplier::parse("exact"), 1.0};
  EXPECT_GT(network_energy(lenet(), mixed, p).total_pj, one);
}

TEST(NetworkEnergy, SizeMismatchThrows) {
  const EnergyParams p;
  const LayerHardware k3{Multiplier::parse("K3"), 0.7};
  expect_error([&] { network_energy(mlp_784(), {k3, k3}, p); }, {"2 entries", "3 approximate layers"});
  expect_error([&] { network_energy(mlp_784(), {k3, k3, k3, k3}, p); }, {"4 entries", "3 approximate layers"});
  expect_error([&] { network_energy(lenet(), {}, p); }, {"0 entries", "5 approximate layers"});
  EXPECT_NO_THROW(network_energy(mlp_784(), {k3, k3, k3}, p));
}

TEST(NetworkEnergy, BadShapesAndHardwareThrow) {
  const EnergyParams p;
  NetworkSpec flat = lenet();
  flat.input_shape = {784};
  expect_error([&] { network_work(flat); }, {"lenet", "{C, H, W}"});
  NetworkSpec zero = mlp_784();
  zero.hidden = {256, 0};
  expect_error([&] { network_work(zero); }, "has a hidden size 0");
  NetworkSpec empty = mlp_784();
  empty.input_shape = {};
  expect_error([&] { network_work(empty); }, "empty input shape");
  std::vector<LayerHardware> hw(3, LayerHardware{Multiplier::parse("K3"), 0.7});
  hw[2].voltage = -1;
  expect_error([&] { network_energy(mlp_784(), hw, p); }, {"approximate layer 2", "-1"});
}

}  // namespace
}  // namespace axtrain
