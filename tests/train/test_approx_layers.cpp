// Approximate layers against the hardware core's reference GEMM, bit for bit, and their noise behaviour.
#include "../support/run_cli.h"
#include "axtrain/kernels/gemm_reference.h"
#include "axtrain/train/approx_layers.h"
#include "axtrain/train/approx_matmul.h"
#include "axtrain/train/models.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

namespace axtrain {
namespace {

std::vector<std::uint8_t> bytes_of(const torch::Tensor& codes, bool is_signed) {
  const auto c = codes.to(torch::kInt64).contiguous();
  std::vector<std::uint8_t> out(static_cast<std::size_t>(c.numel()));
  for (int64_t i = 0; i < c.numel(); ++i)
    out[static_cast<std::size_t>(i)] =
        static_cast<std::uint8_t>(is_signed ? (c.data_ptr<int64_t>()[i] + 256) % 256 : c.data_ptr<int64_t>()[i]);
  return out;
}

// y = reference GEMM of (weight codes) x (input codes)^T, scaled, plus bias: what the hardware computes.
torch::Tensor reference_output(const Multiplier& m, const torch::Tensor& x_rows, const torch::Tensor& w2d,
                               const torch::Tensor& bias, const LayerRecord& r) {
  const auto cw = quantize_codes(w2d, r.weight_quant);
  const auto cx = quantize_codes(x_rows, r.input_quant).t().contiguous();  // {K, N}
  const int o = static_cast<int>(cw.size(0)), k = static_cast<int>(cw.size(1)), n = static_cast<int>(cx.size(1));
  const auto a = bytes_of(cw, m.is_signed()), b = bytes_of(cx, m.is_signed());
  std::vector<std::int32_t> c(static_cast<std::size_t>(o) * n);
  gemm_reference(m, o, n, k, a.data(), k, static_cast<int>(r.weight_quant.zero_point.item<double>()), b.data(), n,
                 static_cast<int>(r.input_quant.zero_point.item<double>()), c.data(), n);
  auto acc = torch::from_blob(c.data(), {o, n}, torch::kInt32).to(torch::kFloat64);
  auto y = (acc * (r.weight_quant.scale * r.input_quant.scale)).t();
  return bias.defined() ? y + bias : y;
}

std::vector<Multiplier> all_multipliers(test::TempDir& dir) {
  std::vector<Multiplier> list;
  for (const std::string& spec : builtin_multiplier_specs()) list.push_back(Multiplier::parse(spec));
  std::vector<std::int32_t> products(65536);  // a signed table: exact except negative x negative loses 1
  for (int ia = 0; ia < 256; ++ia)
    for (int ib = 0; ib < 256; ++ib) products[ia * 256 + ib] = (ia - 128) * (ib - 128) - (ia < 128 && ib < 128);
  save_table(ProductTable(true, products), dir.file("s.bin"), TableFormat::kBin, SignedLayout::kTwos);
  list.push_back(Multiplier::parse("lut:" + dir.file("s.bin") + ",signed=twos"));
  return list;
}

TEST(ApproxLayers, LinearForwardEqualsReferenceGemmForEveryMultiplier) {
  torch::manual_seed(3);
  test::TempDir dir;
  for (const Multiplier& m : all_multipliers(dir)) {
    SCOPED_TRACE(m.spec());
    ApproxLinear layer(ApproxLinearOptions(37, 5));
    layer->to(torch::kFloat64);
    const auto x = torch::randn({7, 37}, torch::kFloat64);
    layer->train();
    layer->forward(x);  // calibrate the input range
    layer->eval();
    layer->set_hardware(std::make_shared<HardwareState>(HardwareState::emulate(m, {}, 1)), 0);
    layer->set_recording(true);
    const auto y = layer->forward(x);
    const auto expected = reference_output(m, x, layer->weight, layer->bias, layer->record());
    EXPECT_TRUE(torch::equal(y, expected)) << (y - expected).abs().max().item<double>();
  }
}

TEST(ApproxLayers, ConvForwardEqualsReferenceGemmForEveryMultiplier) {
  torch::manual_seed(4);
  test::TempDir dir;
  for (const Multiplier& m : all_multipliers(dir)) {
    SCOPED_TRACE(m.spec());
    ApproxConv2d conv(ApproxConv2dOptions(2, 3, 3).padding(1).stride(2));
    conv->to(torch::kFloat64);
    const auto x = torch::rand({2, 2, 7, 6}, torch::kFloat64);
    conv->forward(x);
    conv->eval();
    conv->set_hardware(std::make_shared<HardwareState>(HardwareState::emulate(m, {}, 1)), 0);
    conv->set_recording(true);
    const auto z = conv->forward(x);  // {2, 3, 4, 3}
    const auto rows =
        reference_output(m, conv->unfold_input(x), conv->weight.reshape({3, -1}), conv->bias, conv->record());
    const auto expected = rows.view({2, 12, 3}).transpose(1, 2).reshape({2, 3, 4, 3});
    EXPECT_TRUE(torch::equal(z, expected)) << (z - expected).abs().max().item<double>();
  }
}

// A grouped convolution (depthwise at groups = channels) is one convolution per group on the hardware.
TEST(ApproxLayers, GroupedConvForwardIsTheReferenceGemmOfEachGroup) {
  torch::manual_seed(6);
  test::TempDir dir;
  for (const Multiplier& m : all_multipliers(dir)) {
    for (const int64_t groups : {2, 4}) {
      SCOPED_TRACE(m.spec() + " groups " + std::to_string(groups));
      ApproxConv2d conv(ApproxConv2dOptions(4, 8, 3).padding(1).stride(2).groups(groups));
      conv->to(torch::kFloat64);
      const auto x = torch::rand({2, 4, 7, 6}, torch::kFloat64) - 0.1;
      conv->forward(x);
      conv->eval();
      const auto float_z = conv->forward(x);
      EXPECT_TRUE(torch::allclose(float_z, torch::conv2d(x, conv->weight, conv->bias, 2, 1, 1, groups)));
      conv->set_hardware(std::make_shared<HardwareState>(HardwareState::emulate(m, {}, 1)), 0);
      conv->set_recording(true);
      const auto z = conv->forward(x);  // {2, 8, 4, 3}
      const int64_t in = 4 / groups, out = 8 / groups;
      std::vector<torch::Tensor> parts;
      for (int64_t g = 0; g < groups; ++g) {
        const auto rows = reference_output(m, conv->unfold_input(x.narrow(1, g * in, in)),
                                           conv->weight.narrow(0, g * out, out).reshape({out, -1}),
                                           conv->bias.narrow(0, g * out, out), conv->record());
        parts.push_back(rows.view({2, 12, out}));
      }
      const auto expected = torch::cat(parts, 2).transpose(1, 2).reshape({2, 8, 4, 3});
      EXPECT_TRUE(torch::equal(z, expected)) << (z - expected).abs().max().item<double>();
    }
  }
}

TEST(ApproxLayers, EachGroupOfAConvolutionDrawsItsOwnMemoryFaults) {
  // Two groups with the same filters on the same channels: faults drawn with one key would hit both alike.
  ApproxConv2d conv(ApproxConv2dOptions(2, 2, 3).groups(2).bias(false));
  {
    torch::NoGradGuard no_grad;
    conv->weight.copy_(torch::linspace(-1, 1, 9).view({1, 1, 3, 3}).expand({2, 1, 3, 3}));
  }
  const auto x = torch::linspace(0, 1, 64).view({1, 1, 8, 8}).expand({1, 2, 8, 8}).contiguous();
  conv->forward(x);
  conv->eval();
  for (const Faults faults : {Faults::kTransient, Faults::kPersistent}) {
    HardwareState hw = HardwareState::emulate(Multiplier::parse("exact"), MemoryFaultModel::symmetric(0.05), 1);
    hw.persistent_faults = faults == Faults::kPersistent;
    conv->set_hardware(std::make_shared<HardwareState>(hw), 0);
    const auto z = conv->forward(x);
    EXPECT_FALSE(torch::equal(z[0][0], z[0][1])) << "faults " << static_cast<int>(faults);
  }
  conv->set_hardware(std::make_shared<HardwareState>(HardwareState::exact(1)), 0);
  const auto clean = conv->forward(x);
  EXPECT_TRUE(torch::equal(clean[0][0], clean[0][1])) << "without faults the two groups agree";
}

// A bn after a conv or linear layer is folded into it (docs/networks.md): in evaluation the hardware computes
// the reference GEMM of the folded weight w gamma / sqrt(var + eps) with the bias beta + s (b - mean).
TEST(ApproxLayers, FoldedBatchNormIsTheReferenceGemmOfTheFoldedWeights) {
  torch::manual_seed(5);
  test::TempDir dir;
  auto net = make_model({.network = "conv(3,3,stride=2,pad=1) bn relu flatten linear(5) bn relu linear",
                         .input_shape = {2, 7, 6},
                         .outputs = 2});
  net->to(torch::kFloat64);
  const auto x = torch::rand({4, 2, 7, 6}, torch::kFloat64) - 0.2;
  net->train();
  for (int i = 0; i < 3; ++i) net->forward(x);  // input ranges and running statistics
  auto params = net->named_parameters();
  auto buffers = net->named_buffers();
  {
    torch::NoGradGuard no_grad;
    for (const char* bn : {"bn1", "bn2"}) {
      params[std::string(bn) + ".weight"].uniform_(0.5, 2);
      params[std::string(bn) + ".bias"].uniform_(-0.5, 0.5);
    }
  }
  EXPECT_GT((buffers["bn1.running_var"] - 1).abs().max().item<double>(), 1e-3) << "trained statistics";
  net->eval();
  for (const Multiplier& m : all_multipliers(dir)) {
    SCOPED_TRACE(m.spec());
    net->set_hardware(std::make_shared<HardwareState>(HardwareState::emulate(m, {}, 1)));
    net->set_recording(true);
    net->forward(x);
    for (const auto& [layer_index, name] : {std::pair{0, std::string("conv1")}, std::pair{1, std::string("fc1")}}) {
      ApproxLayer* layer = net->approx_layers()[static_cast<std::size_t>(layer_index)];
      const std::string bn = layer_index == 0 ? "bn1" : "bn2";
      const auto scale = params[bn + ".weight"] / torch::sqrt(buffers[bn + ".running_var"] + 1e-5);
      const auto w = params[name + ".weight"];
      const auto folded =
          (w * scale.view(layer_index == 0 ? std::vector<int64_t>{-1, 1, 1, 1} : std::vector<int64_t>{-1, 1}))
              .reshape({w.size(0), -1});
      const auto shift = params[bn + ".bias"] + scale * (params[name + ".bias"] - buffers[bn + ".running_mean"]);
      const LayerRecord& r = layer->record();
      if (layer_index == 0) {
        auto* conv = dynamic_cast<ApproxConv2dImpl*>(layer);
        const auto rows = reference_output(m, conv->unfold_input(r.input), folded.detach(), shift.detach(), r);
        const auto expected = rows.view({4, 12, 3}).transpose(1, 2).reshape({4, 3, 4, 3});
        EXPECT_TRUE(torch::equal(r.output, expected)) << (r.output - expected).abs().max().item<double>();
      } else {
        const auto expected = reference_output(m, r.input, folded.detach(), shift.detach(), r);
        EXPECT_TRUE(torch::equal(r.output, expected)) << (r.output - expected).abs().max().item<double>();
      }
    }
  }
}

TEST(ApproxLayers, EveryGemmPathGivesTheGatherProductIncludingExtremeCodesAndDeepProducts) {
  torch::manual_seed(5);
  test::TempDir dir;
  for (const Multiplier& m : all_multipliers(dir)) {
    SCOPED_TRACE(m.spec());
    const ApproxMatmul matmul(m);
    const double lo = m.is_signed() ? -128 : 0, hi = m.is_signed() ? 127 : 255;
    for (int64_t depth : {301, 8192 + 300}) {  // the second is summed from two chunks
      auto a = torch::randint(static_cast<int64_t>(lo), static_cast<int64_t>(hi) + 1, {9, depth}, torch::kFloat64);
      auto x = torch::randint(static_cast<int64_t>(lo), static_cast<int64_t>(hi) + 1, {4, depth}, torch::kFloat64);
      a[0].fill_(hi);
      a[1].fill_(lo);
      x[0].fill_(hi);
      const auto gather = matmul(a, x, GemmPath::kGather);
      for (GemmPath path : {GemmPath::kDecomposed, GemmPath::kTableVbmi, GemmPath::kTableAvx2}) {
        if (!matmul.gemm().supports(path, 8192, 0, 0)) continue;
        EXPECT_TRUE(torch::equal(matmul(a, x, path), gather)) << gemm_path_name(path);
      }
    }
  }
  EXPECT_EQ(ApproxMatmul(Multiplier::parse("K3")).choose(784), GemmPath::kDecomposed);
  EXPECT_NE(ApproxMatmul(Multiplier::parse("mitchell")).choose(784), GemmPath::kDecomposed);
}

TEST(ApproxLayers, StraightThroughGradientIsTheFakeQuantisedProducts) {
  torch::manual_seed(6);
  ApproxLinear layer(ApproxLinearOptions(8, 3));
  layer->to(torch::kFloat64);
  const auto x = torch::randn({4, 8}, torch::kFloat64);
  layer->forward(x);
  layer->set_hardware(std::make_shared<HardwareState>(HardwareState::emulate(Multiplier::parse("K3"), {}, 1)), 0);
  layer->set_recording(true);
  layer->forward(x).sum().backward();
  const auto& r = layer->record();
  const auto expected = torch::ones({4, 3}, torch::kFloat64)
                            .t()
                            .mm(dequantize(quantize_codes(x, r.input_quant), r.input_quant, torch::kFloat64));
  EXPECT_TRUE(torch::allclose(layer->weight.grad(), expected, 1e-12, 1e-12));
}

torch::Tensor run_with(ApproxLinear& layer, const torch::Tensor& x, HardwareState hw) {
  layer->set_hardware(std::make_shared<HardwareState>(hw), 2);
  torch::NoGradGuard no_grad;
  return layer->forward(x);
}

TEST(ApproxLayers, MemoryFaultsAreReplayableAndKeyedByStepAndTrial) {
  torch::manual_seed(7);
  ApproxLinear layer(ApproxLinearOptions(64, 16));
  layer->to(torch::kFloat64);
  const auto x = torch::randn({8, 64}, torch::kFloat64);
  layer->forward(x);
  layer->eval();
  HardwareState hw = HardwareState::emulate(Multiplier::parse("exact"), MemoryFaultModel::symmetric(0.02), 9);
  const auto clean = run_with(layer, x, HardwareState::exact(9));
  const auto a = run_with(layer, x, hw);
  EXPECT_FALSE(torch::equal(a, clean));
  EXPECT_TRUE(torch::equal(run_with(layer, x, hw), a));  // same key, same faults
  hw.step = 1;
  EXPECT_FALSE(torch::equal(run_with(layer, x, hw), a));  // transient: redrawn every step
  hw.persistent_faults = true;
  const auto chip0 = run_with(layer, x, hw);
  hw.step = 2;
  EXPECT_TRUE(torch::equal(run_with(layer, x, hw), chip0));  // persistent: the same chip at every step
  hw.trial = 1;
  EXPECT_FALSE(torch::equal(run_with(layer, x, hw), chip0));  // another chip
  hw.memory.protected_bits = 0xFF;
  EXPECT_TRUE(torch::equal(run_with(layer, x, hw), clean));  // every bit protected: no fault
}

TEST(ApproxLayers, StatisticModeNoiseFollowsTheHardware) {
  torch::manual_seed(8);
  ApproxLinear layer(ApproxLinearOptions(32, 4));
  layer->to(torch::kFloat64);
  const auto x = torch::rand({16, 32}, torch::kFloat64);
  layer->forward(x);
  layer->eval();
  HardwareState exact = HardwareState::exact(1);
  exact.mode = ForwardMode::kStatistic;
  HardwareState emulated_exact = HardwareState::exact(1);
  EXPECT_TRUE(torch::allclose(run_with(layer, x, exact), run_with(layer, x, emulated_exact), 1e-9, 1e-9));
  HardwareState k3 = HardwareState::emulate(Multiplier::parse("K3"), {}, 1);
  k3.mode = ForwardMode::kStatistic;
  const auto noisy = run_with(layer, x, k3);
  EXPECT_TRUE(torch::equal(run_with(layer, x, k3), noisy));                 // keyed by step
  EXPECT_LT((noisy - run_with(layer, x, exact)).mean().item<double>(), 0);  // Kulkarni underestimates
  k3.step = 1;
  EXPECT_FALSE(torch::equal(run_with(layer, x, k3), noisy));
}

// The running input range is updated in plain doubles; it must keep the bits of the tensor expression it
// replaced (an FMA or another order would change them in the last place), including a transposed input.
TEST(ApproxLayers, RunningInputRangeHasTheBitsOfTheTensorFormula) {
  torch::manual_seed(9);
  ApproxLinear layer(ApproxLinearOptions(24, 3));
  torch::Tensor expected;
  for (int step = 0; step < 6; ++step) {
    auto x = torch::randn({24, 10}) * (1.0 + 0.37 * step) + 0.1 * step;
    if (step % 2 == 1)
      x = x.t();  // a transposed view, as a previous layer's output is
    else
      x = x.reshape({10, 24});
    layer->forward(x);
    const auto batch = torch::stack({x.min(), x.max()}).to(torch::kFloat64);
    expected = step == 0 ? batch : 0.9 * expected + (1 - 0.9) * batch;
    ASSERT_TRUE(torch::equal(layer->input_range, expected)) << "step " << step;
  }
}

}  // namespace
}  // namespace axtrain
