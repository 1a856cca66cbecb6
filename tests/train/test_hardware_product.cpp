// The emulated layer's autograd node against the formulation it replaced, bit for bit:
//   value + (surrogate - surrogate.detach()),  surrogate = fake_quantize(x) fake_quantize(w)^T + bias
// which ran the float surrogate GEMM in every forward pass. Forward values, first-order gradients (pas) and
// second-order gradients through the backward pass (the sensitivity term of act and axtrain) must not change.
#include "axtrain/train/approx_forward.h"
#include "axtrain/train/approx_matmul.h"

#include <ATen/CPUGeneratorImpl.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <algorithm>
#include <array>
#include <cmath>
#include <utility>
#include <vector>

namespace axtrain {
namespace {

struct Operands {
  torch::Tensor x, w, bias, w2;
  QuantParams qx, qw;
};

Operands make_operands(bool with_bias, bool per_channel, torch::ScalarType dtype, std::uint64_t seed) {
  torch::manual_seed(seed);
  Operands o;
  o.x = torch::randn({13, 37}, dtype).requires_grad_(true);
  o.w = (0.2 * torch::randn({11, 37}, dtype)).requires_grad_(true);
  if (with_bias) o.bias = (0.1 * torch::randn({11}, dtype)).requires_grad_(true);
  o.w2 = (0.3 * torch::randn({5, 11}, dtype)).requires_grad_(true);
  o.qx = quant_params_per_tensor(o.x, false);
  o.qw = per_channel ? quant_params_per_channel(o.w, false) : quant_params_per_tensor(o.w, false);
  return o;
}

torch::Tensor former_forward(const Operands& o, const torch::Tensor& hardware_value) {
  auto surrogate = torch::mm(fake_quantize(o.x, o.qx), fake_quantize(o.w, o.qw).t());
  if (o.bias.defined()) surrogate = surrogate + o.bias;
  return hardware_value.detach() + (surrogate - surrogate.detach());
}

// A two-layer head on y, its loss, and the sensitivity-like term: the squared input gradient built with
// create_graph, so its own gradient runs through the layer's backward a second time.
std::vector<torch::Tensor> gradients(const Operands& o, const torch::Tensor& y, bool second_order) {
  const auto loss = torch::relu(y).mm(o.w2.t()).pow(2).sum();
  std::vector<torch::Tensor> params = {o.x, o.w, o.w2};
  if (o.bias.defined()) params.push_back(o.bias);
  if (!second_order) return torch::autograd::grad({loss}, params);
  const auto delta = torch::autograd::grad({loss}, {y}, {}, true, true)[0];
  const auto dx = torch::autograd::grad({(delta * y).sum()}, {o.x}, {}, true, true)[0];
  return torch::autograd::grad({loss + (dx * dx).sum() + (delta * delta).sum()}, params);
}

void expect_bitwise_equal(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ASSERT_TRUE(a.defined() && b.defined()) << what;
  EXPECT_TRUE(torch::equal(a, b)) << what << ": max difference " << (a - b).abs().max().item<double>();
}

TEST(HardwareProduct, ValuesAndGradientsEqualTheFormerSurrogateFormulation) {
  for (ForwardMode mode : {ForwardMode::kEmulate, ForwardMode::kStatistic})
    for (const char* spec : {"K3", "mitchell", "exact"}) {
      for (bool with_bias : {true, false}) {
        for (bool per_channel : {false, true}) {
          for (torch::ScalarType dtype : {torch::kFloat32, torch::kFloat64}) {
            for (bool second_order : {false, true}) {
              SCOPED_TRACE(std::string(mode == ForwardMode::kStatistic ? "statistic " : "") + spec +
                           (with_bias ? " bias" : " no bias") + (per_channel ? " per-channel" : "") +
                           (dtype == torch::kFloat32 ? " float32" : " float64") + (second_order ? " 2nd order" : ""));
              const Operands o = make_operands(with_bias, per_channel, dtype, 11);
              HardwareState hw = HardwareState::emulate(Multiplier::parse(spec), {}, 3);
              hw.mode = mode;
              hw.double_backward = second_order;  // statistic mode: the graph, else HardwareProduct
              LayerRuntime runtime;
              const auto y = approx_forward(o.x, o.w, o.bias, o.qx, o.qw, hw, 0, runtime);
              const auto y_former = former_forward(o, y);
              expect_bitwise_equal(y, y_former, "forward value");
              const auto g = gradients(o, y, second_order);
              const auto g_former = gradients(o, y_former, second_order);
              ASSERT_EQ(g.size(), g_former.size());
              for (std::size_t i = 0; i < g.size(); ++i)
                expect_bitwise_equal(g[i], g_former[i], "gradient " + std::to_string(i));
            }
          }
        }
      }
    }
}

TEST(HardwareProduct, EmulatedOutputIsOneHardwareNodeOnTheChosenPath) {
  // No surrogate product in the graph: the output's node is the hardware product.
  const Operands o = make_operands(false, false, torch::kFloat32, 12);
  HardwareState hw = HardwareState::emulate(Multiplier::parse("K3"), {}, 3);
  LayerRuntime runtime;
  const auto y = approx_forward(o.x, o.w, o.bias, o.qx, o.qw, hw, 0, runtime);
  ASSERT_TRUE(y.grad_fn());
  EXPECT_NE(y.grad_fn()->name().find("HardwareProduct"), std::string::npos) << y.grad_fn()->name();
  // The path was tuned once for this depth: the decomposed plan or the table kernel, whichever ran faster.
  EXPECT_EQ(runtime.gemm.depth, 37);
  EXPECT_TRUE(runtime.gemm.path == GemmPath::kDecomposed || runtime.gemm.path == GemmPath::kTableVbmi)
      << gemm_path_name(runtime.gemm.path);
  // Statistic mode without double backward: the noise is added to the hardware node's product.
  hw.mode = ForwardMode::kStatistic;
  const auto s = approx_forward(o.x, o.w, o.bias, o.qx, o.qw, hw, 0, runtime);
  ASSERT_TRUE(s.grad_fn());
  const auto& product = s.grad_fn()->next_edges().at(0).function;
  ASSERT_TRUE(product);
  EXPECT_NE(product->name().find("HardwareProduct"), std::string::npos) << product->name();
}

TEST(StatisticMode, NoiseEqualsTheFormerFloat64FormulaWithinTheStatedTolerance) {
  // The former computation: float64 GEMMs of codes and of squared codes. Now the code products are exact on
  // the int8 GEMM and the squares a float32 GEMM (docs/training.md: relative rounding below 1e-6).
  const Operands o = make_operands(true, false, torch::kFloat64, 14);
  HardwareState hw = HardwareState::emulate(Multiplier::parse("K3"), {}, 3);
  hw.mode = ForwardMode::kStatistic;
  LayerRuntime runtime;
  torch::NoGradGuard no_grad;
  const auto y = approx_forward(o.x, o.w, o.bias, o.qx, o.qw, hw, 4, runtime);
  const auto cx = quantize_codes(o.x, o.qx), cw = quantize_codes(o.w, o.qw);
  const RelativeErrorMoments m =
      relative_error_moments(hw.matmul->multiplier().table(), code_histogram(cw, false), code_histogram(cx, false));
  const auto scale = o.qw.scale * o.qx.scale;
  const auto mean = m.mean * torch::mm(cx, cw.t()) * scale;
  const auto variance = m.variance * torch::mm(cx * cx, (cw * cw).t()) * scale * scale;
  auto gen = at::detail::createCPUGenerator(hw.fault_key(4, 2));
  const auto normal = torch::randn(mean.sizes(), gen, torch::TensorOptions().dtype(torch::kFloat64));
  const auto noise = mean + torch::sqrt(variance) * normal;
  const auto surrogate = torch::mm(fake_quantize(o.x, o.qx), fake_quantize(o.w, o.qw).t()) + o.bias;
  const double max_noise = noise.abs().max().item<double>();
  ASSERT_GT(max_noise, 0);
  EXPECT_LE((y - (surrogate + noise)).abs().max().item<double>(), 1e-6 * max_noise);
  EXPECT_FALSE(torch::equal(y, surrogate));  // there is noise
}

TEST(QuantizeRows, BytesAndDequantisedValuesEqualQuantizeCodesThenDequantize) {
  torch::manual_seed(13);
  for (torch::ScalarType dtype : {torch::kFloat32, torch::kFloat64}) {
    for (bool is_signed : {false, true}) {
      for (bool per_channel : {false, true}) {
        auto x = torch::randn({9, 37}, dtype) * 3;
        x[0].fill_(0);
        x[1] = torch::arange(37, dtype) - 18.5;  // halves: round half to even
        x[2].fill_(1e30);                        // clamped to the top code
        const QuantParams q = per_channel ? quant_params_per_channel(x.clamp(-4, 4), is_signed)
                                          : quant_params_per_tensor(x.clamp(-4, 4), is_signed);
        const QuantizedRows r = quantize_rows(x, q);
        const auto codes = quantize_codes(x, q);
        EXPECT_TRUE(torch::equal(r.dequantized, dequantize(codes, q, dtype)));
        EXPECT_TRUE(torch::equal(r.bytes, code_bytes(codes, is_signed)));
        EXPECT_TRUE(torch::equal(codes_of_bytes(r.bytes, is_signed), codes));
        EXPECT_TRUE(torch::equal(r.code_sums, codes.sum(1)));
        const std::vector<double> counted = code_histogram(r.bytes, is_signed);
        const std::array<double, 256> direct = quantized_histogram(x, q);
        EXPECT_TRUE(std::equal(counted.begin(), counted.end(), direct.begin()));
      }
    }
  }
}

// The float32 pass replaces x / s by x * (1/s) where that provably gives the same code. Inputs at and one or
// two float steps around every half-integer multiple of the scale (where the two could round apart), for
// scales that are and are not powers of two, signed and unsigned.
TEST(QuantizeRows, MultiplyByTheInverseScaleGivesTheCodesOfTheDivisionAtHalfIntegers) {
  for (const auto& [lo, hi] : {std::pair{-1.7, 2.3}, std::pair{-1.0, 1.0}, std::pair{0.0, 25.5}, std::pair{-3e-7, 1e-7},
                               std::pair{-0.37, 123.456}}) {
    for (bool is_signed : {false, true}) {
      const QuantParams q = quant_params_from_range(lo, hi, is_signed);
      const double s = q.scale.item<double>();
      std::vector<float> values;
      for (int m = -300; m <= 300; ++m) {
        float x = static_cast<float>((m + 0.5) * s);
        for (int step = 0; step < 2; ++step) x = std::nextafter(x, -INFINITY);
        for (int step = 0; step < 5; ++step, x = std::nextafter(x, INFINITY)) values.push_back(x);
      }
      const auto x = torch::tensor(values).reshape({-1, 5});
      const QuantizedRows r = quantize_rows(x, q);
      const auto codes = quantize_codes(x, q);
      SCOPED_TRACE(std::to_string(lo) + ".." + std::to_string(hi) + (is_signed ? " signed" : ""));
      EXPECT_TRUE(torch::equal(r.bytes, code_bytes(codes, is_signed)));
      EXPECT_TRUE(torch::equal(r.dequantized, dequantize(codes, q, torch::kFloat32)));
    }
  }
}

// Per-tensor parameters in plain doubles against the tensor formula (run here on one-channel tensors).
TEST(QuantParams, ScalarRangeGivesTheBitsOfTheTensorFormula) {
  const double nan = std::nan("");
  for (const auto& [lo, hi] :
       {std::pair{-1.7, 2.3}, std::pair{0.0, 0.0}, std::pair{0.5, 2.0}, std::pair{-2.0, -0.5}, std::pair{-1e-20, 1e-20},
        std::pair{-3.4e38, 3.4e38}, std::pair{nan, 1.0}, std::pair{-1.0, nan}}) {
    for (bool is_signed : {false, true}) {
      const QuantParams scalar = quant_params_from_range(lo, hi, is_signed);
      const QuantParams tensor = quant_params_from_range(torch::tensor({lo}, torch::kFloat64),
                                                         torch::tensor({hi}, torch::kFloat64), is_signed);
      SCOPED_TRACE(std::to_string(lo) + ".." + std::to_string(hi) + (is_signed ? " signed" : ""));
      EXPECT_TRUE(torch::equal(scalar.scale.reshape({1}), tensor.scale) ||
                  (scalar.scale.isnan().item<bool>() && tensor.scale.isnan().all().item<bool>()));
      EXPECT_TRUE(torch::equal(scalar.zero_point.reshape({1}), tensor.zero_point) ||
                  (scalar.zero_point.isnan().item<bool>() && tensor.zero_point.isnan().all().item<bool>()));
    }
  }
}

}  // namespace
}  // namespace axtrain
