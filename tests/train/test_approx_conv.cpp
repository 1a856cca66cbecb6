// The approximate convolution's fast path (codes unfolded as bytes, its own node) against the formulation it
// replaced, bit for bit: approx_forward on torch's im2col rows. And the row kernels against torch's im2col and
// col2im.
#include "axtrain/train/approx_conv.h"
#include "axtrain/train/approx_matmul.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

#include <string>
#include <vector>

namespace axtrain {
namespace {

struct Case {
  int64_t channels, height, width, kernel, stride, padding;
};

const std::vector<Case>& geometries() {
  static const std::vector<Case> cases = {
      {1, 28, 28, 5, 1, 2}, {6, 14, 14, 5, 1, 0}, {3, 7, 6, 3, 2, 1}, {2, 5, 9, 1, 1, 0},
      {2, 4, 4, 3, 3, 2},   {1, 3, 3, 3, 1, 0},   {4, 6, 5, 2, 1, 1}, {3, 2, 2, 5, 1, 2},  // kernel beyond the image
  };
  return cases;
}

ConvGeometry geometry_of(const Case& c) {
  return ConvGeometry{c.channels, c.height, c.width, c.kernel, c.stride, c.padding};
}

// Values over many magnitudes, so that another summation order would round differently.
torch::Tensor spread(std::vector<int64_t> shape, torch::ScalarType dtype) {
  return torch::randn(shape, dtype) * torch::pow(10.0, torch::randint(-6, 7, shape, dtype));
}

TEST(ConvRows, UnfoldAndFoldEqualTorchIm2colAndCol2im) {
  torch::manual_seed(21);
  for (const Case& c : geometries()) {
    const ConvGeometry g = geometry_of(c);
    SCOPED_TRACE(::testing::Message() << c.channels << "x" << c.height << "x" << c.width << " k" << c.kernel << " s"
                                      << c.stride << " p" << c.padding);
    const std::vector<int64_t> k = {g.kernel, g.kernel}, p = {g.padding, g.padding}, s = {g.stride, g.stride};
    for (torch::ScalarType dtype : {torch::kFloat32, torch::kFloat64}) {
      const auto image = spread({1, g.channels, g.height, g.width}, dtype);
      const auto expected_rows = torch::im2col(image, k, {1, 1}, p, s)[0].t();
      auto rows = torch::empty({g.positions(), g.patch()}, dtype);
      auto folded = torch::empty({g.channels, g.height, g.width}, dtype);
      const auto grad_rows = spread({g.positions(), g.patch()}, dtype);
      const auto expected_image = torch::col2im(grad_rows.t().unsqueeze(0), {g.height, g.width}, k, {1, 1}, p, s)[0];
      if (dtype == torch::kFloat32) {
        unfold_rows<float>(image.data_ptr<float>(), g, 0.0F, rows.data_ptr<float>());
        fold_rows<float>(grad_rows.data_ptr<float>(), g, folded.data_ptr<float>());
      } else {
        unfold_rows<double>(image.data_ptr<double>(), g, 0.0, rows.data_ptr<double>());
        fold_rows<double>(grad_rows.data_ptr<double>(), g, folded.data_ptr<double>());
      }
      EXPECT_TRUE(torch::equal(rows, expected_rows));
      EXPECT_TRUE(torch::equal(folded, expected_image)) << (folded - expected_image).abs().max().item<double>();
    }
    // Bytes, with a padding code other than 0.
    const auto codes = torch::randint(0, 256, {1, g.channels, g.height, g.width}, torch::kFloat64);
    const auto expected = (torch::im2col(codes - 77, k, {1, 1}, p, s)[0].t() + 77).to(torch::kUInt8);
    const auto bytes = codes.to(torch::kUInt8);
    auto rows = torch::empty({g.positions(), g.patch()}, torch::kUInt8);
    unfold_rows<std::uint8_t>(bytes.data_ptr<std::uint8_t>(), g, 77, rows.data_ptr<std::uint8_t>());
    EXPECT_TRUE(torch::equal(rows, expected));
  }
}

// The former rows: torch's im2col, transposed (with torch's autograd graph).
torch::Tensor im2col_rows(const torch::Tensor& x, const ConvGeometry& g) {
  const auto cols = torch::im2col(x, {g.kernel, g.kernel}, {1, 1}, {g.padding, g.padding}, {g.stride, g.stride});
  return cols.transpose(1, 2).reshape({-1, cols.size(1)});
}

TEST(ByteRowSums, EqualTorchSumOfTheBytes) {
  torch::manual_seed(22);
  for (int64_t cols : {1, 25, 31, 32, 33, 150, 1000}) {
    auto bytes = torch::randint(0, 256, {5, cols}, torch::kInt64).to(torch::kUInt8);
    bytes[0].fill_(255);
    bytes[1].fill_(128);
    bytes[2].fill_(0);
    for (bool is_signed : {false, true}) {
      const auto expected = torch::sum(is_signed ? bytes.view(torch::kInt8) : bytes, {1}, false, torch::kFloat64);
      EXPECT_TRUE(torch::equal(byte_row_sums(bytes, is_signed), expected)) << cols << (is_signed ? " signed" : "");
    }
  }
}

void expect_bitwise_equal(const torch::Tensor& a, const torch::Tensor& b, const std::string& what) {
  ASSERT_EQ(a.defined(), b.defined()) << what;
  if (!a.defined()) return;
  EXPECT_TRUE(torch::equal(a, b)) << what << ": max difference " << (a - b).abs().max().item<double>();
}

// A head on the rows y {N L, O}, its loss, and (second order) the sensitivity-like term built with
// create_graph, whose gradient runs through the layer's backward a second time.
// probe: the operand whose create_graph gradient enters the term (the input, or the weight for a first layer).
std::vector<torch::Tensor> gradients(const std::vector<torch::Tensor>& params, const torch::Tensor& probe,
                                     const torch::Tensor& y, const torch::Tensor& head, bool second_order) {
  const auto loss = torch::relu(y).mm(head.t()).pow(2).sum();
  if (!second_order) return torch::autograd::grad({loss}, params, {}, c10::nullopt, false, true);
  const auto delta = torch::autograd::grad({loss}, {y}, {}, true, true)[0];
  const auto d = torch::autograd::grad({(delta * y).sum()}, {probe}, {}, true, true)[0];
  return torch::autograd::grad({loss + (delta * delta).sum() + (d * d).sum()}, params, {}, c10::nullopt, false, true);
}

TEST(ApproxConv, ValuesAndGradientsEqualTheIm2colRowsFormulation) {
  MemoryFaultModel faults;
  faults.p01 = 0.01, faults.p10 = 0.02;
  for (ForwardMode mode : {ForwardMode::kEmulate, ForwardMode::kStatistic})
    for (const char* spec : {"K3", "mitchell", "exact", "truncated:6"}) {
      for (const Case& c : {geometries()[2], geometries()[6], geometries()[7]}) {
        for (int variant = 0; variant < 6; ++variant) {
          // variant: 0 plain, 1 float64 per-channel, 2 no bias, 3 input without gradient, 4 memory faults on
          // weights and activations, 5 the same with persistent weight faults.
          const bool with_bias = variant != 2, input_grad = variant != 3, per_channel = variant == 1;
          const torch::ScalarType dtype = variant == 1 ? torch::kFloat64 : torch::kFloat32;
          for (bool second_order : {false, true}) {
            SCOPED_TRACE(::testing::Message() << (mode == ForwardMode::kStatistic ? "statistic " : "") << spec << " k"
                                              << c.kernel << " s" << c.stride << " p" << c.padding << " variant "
                                              << variant << (second_order ? " 2nd order" : ""));
            torch::manual_seed(31);
            const ConvGeometry g = geometry_of(c);
            const int64_t outs = 4;
            auto x = torch::randn({3, g.channels, g.height, g.width}, dtype).requires_grad_(input_grad);
            auto w = (0.3 * torch::randn({outs, g.patch()}, dtype)).requires_grad_(true);
            torch::Tensor bias;
            if (with_bias) bias = (0.1 * torch::randn({outs}, dtype)).requires_grad_(true);
            const auto head = (0.2 * torch::randn({2, outs}, dtype)).requires_grad_(true);
            const QuantParams qx = quant_params_per_tensor(x, false);
            const QuantParams qw = per_channel ? quant_params_per_channel(w, false) : quant_params_per_tensor(w, false);
            HardwareState hw =
                HardwareState::emulate(Multiplier::parse(spec), variant >= 4 ? faults : MemoryFaultModel{}, 5);
            hw.mode = mode;
            hw.double_backward = second_order;
            hw.faults_on_activations = variant >= 4;
            hw.persistent_faults = variant == 5;
            LayerRuntime fast_runtime, former_runtime;
            const auto y = approx_conv_forward(x, w, bias, g, qx, qw, hw, 2, fast_runtime);
            const auto y_former = approx_forward(im2col_rows(x, g), w, bias, qx, qw, hw, 2, former_runtime);
            expect_bitwise_equal(y, y_former, "forward value");
            std::vector<torch::Tensor> params = {w, head};
            if (with_bias) params.push_back(bias);
            if (input_grad) params.push_back(x);
            const torch::Tensor& probe = input_grad ? x : w;
            const auto grads = gradients(params, probe, y, head, second_order);
            const auto grads_former = gradients(params, probe, y_former, head, second_order);
            for (std::size_t i = 0; i < grads.size(); ++i)
              expect_bitwise_equal(grads[i], grads_former[i], "gradient " + std::to_string(i));
          }
        }
      }
    }
}

}  // namespace
}  // namespace axtrain
