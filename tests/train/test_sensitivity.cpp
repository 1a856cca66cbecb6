// The gradient of R = 1/2 sum S (SPEC 2.7) against central finite differences, in double precision, for a
// small MLP and a small CNN with multiplier and memory noise both on.
#include "axtrain/train/models.h"
#include "axtrain/train/sensitivity.h"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <torch/torch.h>

#include <utility>

namespace axtrain {
namespace {

// R for a batch: per-sample cross-entropy summed, deltas with create_graph, S summed over every weight.
torch::Tensor regulariser(ApproxNet& net, const torch::Tensor& x, const torch::Tensor& y,
                          const std::vector<LayerNoise>& noise) {
  net.set_recording(true);
  const auto logits = net.forward(x);
  const auto loss = torch::nn::functional::cross_entropy(
      logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
  std::vector<torch::Tensor> outputs;
  for (ApproxLayer* layer : net.approx_layers()) outputs.push_back(layer->record().output);
  const auto deltas = torch::autograd::grad({loss}, outputs, {}, true, true);
  return sensitivity_term(net.approx_layers(), deltas, noise);
}

void check_gradient(ApproxNet& net, const torch::Tensor& x, const torch::Tensor& y) {
  net.to(torch::kFloat64);
  net.train();
  net.forward(x);  // calibrate the input ranges, then freeze them
  net.eval();
  HardwareState target = HardwareState::emulate(Multiplier::parse("K3"), MemoryFaultModel::symmetric(1e-2), 1);
  net.set_recording(true);
  net.forward(x);
  const std::vector<LayerNoise> noise = layer_noise(net.approx_layers(), target);
  for (const LayerNoise& n : noise) {
    ASSERT_GT(n.multiplier_variance, 0);
    ASSERT_GT(n.memory_code_variance, 0);
  }
  net.zero_grad();
  const auto r = regulariser(net, x, y, noise);
  ASSERT_GT(r.item<double>(), 0);
  r.backward();
  constexpr double kStep = 1e-5;
  int checked = 0;
  for (ApproxLayer* layer : net.approx_layers()) {
    // The layer's parameter; the hardware sees weight_tensor(), the weight folded with a bn after the layer.
    auto* conv = dynamic_cast<ApproxConv2dImpl*>(layer);
    torch::Tensor w = conv != nullptr ? conv->weight : dynamic_cast<ApproxLinearImpl*>(layer)->weight;
    const auto flat = w.detach().view(-1);
    const auto seen = layer->weight_tensor().detach().reshape(-1);
    const double lo = seen.min().item<double>(), hi = seen.max().item<double>();
    const auto grad = w.grad().view(-1);
    // Interior weights only: moving the smallest or largest weight would move the quantisation range,
    // which R holds constant by definition.
    for (int64_t i = 0, picked = 0; i < flat.numel() && picked < 4; i += 7) {
      const double original = flat[i].item<double>();
      const double seen_value = seen[i].item<double>(), margin = 10 * kStep * std::abs(seen_value / original);
      if (seen_value - lo < margin || hi - seen_value < margin) continue;
      auto set = [&](double value) {
        torch::NoGradGuard no_grad;
        flat[i] = value;
      };
      set(original + kStep);
      const double up = regulariser(net, x, y, noise).item<double>();
      set(original - kStep);
      const double down = regulariser(net, x, y, noise).item<double>();
      set(original);
      const double numeric = (up - down) / (2 * kStep);
      const double analytic = grad[i].item<double>();
      EXPECT_NEAR(analytic, numeric, 1e-6 * std::max(1.0, std::abs(numeric)) + 1e-9)
          << "layer " << layer->layer_id() << " weight " << i;
      ++picked;
      ++checked;
    }
  }
  EXPECT_GE(checked, 8);
}

// The fused terms (dense: the written-out gradient; convolution: one convolution of the squared operands) against
// the general expression differentiated by autograd, in float64 (1e-12) and float32 (1e-5, the rounding of a
// different summation order), with multiplier noise, memory noise and both, per-tensor and per-channel weight
// scales, for an MLP and for LeNet (padded and unpadded convolutions).
TEST(Sensitivity, FusedTermsEqualTheGeneralExpression) {
  for (int network : {0, 1, 2}) {  // mlp, lenet, and a network with grouped and depthwise convolutions
    const bool cnn = network > 0;
    for (torch::ScalarType dtype : {torch::kFloat64, torch::kFloat32}) {
      for (bool per_channel : {false, true}) {
        for (const auto& [multiplier, memory] :
             {std::pair{true, false}, std::pair{false, true}, std::pair{true, true}}) {
          torch::manual_seed(21);
          auto net = network == 2 ? make_model({.network = "conv(4,3,pad=1) relu conv(4,3,pad=1,groups=4) relu "
                                                           "conv(6,3,stride=2,groups=2) relu flatten linear",
                                                .input_shape = {1, 28, 28},
                                                .outputs = 4})
                     : cnn        ? make_model({.network = "lenet", .input_shape = {1, 28, 28}, .outputs = 4})
                                  : make_model({.network = "mlp", .input_shape = {12}, .hidden = {9, 7}, .outputs = 4});
          net->to(dtype);
          auto hw = std::make_shared<HardwareState>(HardwareState::exact(1));
          hw->mode = ForwardMode::kFloat;
          hw->per_channel_weights = per_channel;
          net->set_hardware(hw);
          // Inputs below 0 too, so that the padded entries read a non-zero offset.
          const auto x = cnn ? torch::rand({6, 1, 28, 28}, dtype) - 0.3 : torch::randn({16, 12}, dtype);
          const auto y = torch::randint(0, 4, {x.size(0)}, torch::kLong);
          net->train();
          net->forward(x);  // input ranges
          HardwareState target = HardwareState::emulate(Multiplier::parse("K3"), MemoryFaultModel::symmetric(1e-2), 1);
          net->set_recording(true);
          net->forward(x);
          std::vector<LayerNoise> noise = layer_noise(net->approx_layers(), target);
          for (LayerNoise& n : noise) {
            if (!multiplier) n.multiplier_variance = 0;
            if (!memory) n.memory_code_variance = 0;
          }
          std::vector<torch::Tensor> terms, grads;
          for (bool fused : {true, false}) {
            net->zero_grad();
            net->set_recording(true);
            const auto logits = net->forward(x);
            const auto loss = torch::nn::functional::cross_entropy(
                logits, y, torch::nn::functional::CrossEntropyFuncOptions().reduction(torch::kSum));
            std::vector<torch::Tensor> outputs;
            for (ApproxLayer* layer : net->approx_layers()) outputs.push_back(layer->record().output);
            const auto deltas = torch::autograd::grad({loss}, outputs, {}, true, true);
            torch::Tensor r = torch::zeros({}, dtype);
            if (fused) {
              r = sensitivity_term(net->approx_layers(), deltas, noise);
            } else {
              for (const auto& s : weight_sensitivity(net->approx_layers(), deltas, noise)) r = r + 0.5 * s.sum();
            }
            r.backward();
            terms.push_back(r.detach());
            for (const auto& p : net->parameters()) grads.push_back(p.grad().clone());
          }
          const double tol = dtype == torch::kFloat64 ? 1e-12 : 1e-5;
          SCOPED_TRACE(std::string(network == 2 ? "grouped "
                                   : cnn        ? "lenet "
                                                : "mlp ") +
                       (dtype == torch::kFloat64 ? "float64" : "float32") + (per_channel ? " per-channel" : "") +
                       (multiplier ? " multiplier" : "") + (memory ? " memory" : ""));
          ASSERT_GT(terms[1].item<double>(), 0);
          EXPECT_NEAR(terms[0].item<double>(), terms[1].item<double>(), tol * terms[1].item<double>());
          const std::size_t count = grads.size() / 2;
          for (std::size_t i = 0; i < count; ++i) {
            const double scale = grads[count + i].abs().max().item<double>();
            EXPECT_LE((grads[i] - grads[count + i]).abs().max().item<double>(), tol * std::max(scale, 1e-30))
                << "parameter " << i;
          }
        }
      }
    }
  }
}

TEST(Sensitivity, GradientMatchesFiniteDifferencesMlp) {
  torch::manual_seed(11);
  auto net = make_model(
      {.network = "mlp", .input_shape = {6}, .hidden = {5, 4}, .outputs = 3, .activation = Activation::kTanh});
  check_gradient(*net, torch::randn({8, 6}, torch::kFloat64), torch::randint(0, 3, {8}, torch::kLong));
}

TEST(Sensitivity, GradientMatchesFiniteDifferencesCnn) {
  torch::manual_seed(12);
  auto net =
      make_model({.network = "lenet", .input_shape = {1, 28, 28}, .outputs = 4, .activation = Activation::kTanh});
  check_gradient(*net, torch::rand({3, 1, 28, 28}, torch::kFloat64), torch::randint(0, 4, {3}, torch::kLong));
}

// A residual block with a projection and batch normalisation folded into every convolution.
TEST(Sensitivity, GradientMatchesFiniteDifferencesResidualWithBatchNorm) {
  torch::manual_seed(14);
  auto net = make_model({.network = "conv(4,3,pad=1) bn tanh res(conv(4,3,pad=1) bn tanh conv(4,3,pad=1) bn) tanh "
                                    "res(conv(6,3,stride=2,pad=1,bias=false) bn tanh) gap linear",
                         .input_shape = {1, 8, 8},
                         .outputs = 3});
  ASSERT_EQ(net->approx_layers().size(), 6U) << "4 convolutions in the blocks' bodies and the stem, a projection, fc";
  check_gradient(*net, torch::rand({4, 1, 8, 8}, torch::kFloat64), torch::randint(0, 3, {4}, torch::kLong));
}

TEST(Sensitivity, GradientMatchesFiniteDifferencesGroupedAndDepthwise) {
  torch::manual_seed(15);
  auto net = make_model({.network = "conv(4,3,pad=1) bn tanh conv(4,3,pad=1,groups=4) bn tanh conv(6,1,groups=2) tanh "
                                    "gap linear",
                         .input_shape = {2, 6, 6},
                         .outputs = 3});
  check_gradient(*net, torch::rand({4, 2, 6, 6}, torch::kFloat64), torch::randint(0, 3, {4}, torch::kLong));
}

TEST(Sensitivity, DenseLayerMatchesTheFormulaWrittenOut) {
  // One dense layer, z = W a: delta_i per sample known in closed form for loss = sum_i z_i.
  torch::manual_seed(13);
  auto net = make_model({.network = "mlp", .input_shape = {3}, .hidden = {}, .outputs = 2});
  net->to(torch::kFloat64);
  const auto x = torch::rand({5, 3}, torch::kFloat64);
  net->forward(x);
  net->eval();
  net->set_recording(true);
  const auto z = net->forward(x);
  ApproxLayer* layer = net->approx_layers()[0];
  const auto deltas = torch::autograd::grad({z.sum()}, {layer->record().output}, {}, true, true);  // all ones
  const LayerNoise noise{.multiplier_variance = 0.01, .memory_code_variance = 3.0};
  const auto s = weight_sensitivity(net->approx_layers(), deltas, {noise})[0];
  const auto& r = layer->record();
  const auto w_seen = layer->weight_tensor() + r.weight_quant.zero_point * r.weight_quant.scale;
  const auto a_seen = x + r.input_quant.zero_point * r.input_quant.scale;
  const auto sw2 = r.weight_quant.scale * r.weight_quant.scale;
  // delta = 1: S_ij = s_m^2 w~_ij^2 E[a~_j^2] + s_code^2 scale_w^2 E[a_j^2].
  const auto expected = 0.01 * w_seen * w_seen * (a_seen * a_seen).mean(0) + 3.0 * sw2 * (x * x).mean(0);
  EXPECT_TRUE(torch::allclose(s, expected, 1e-12, 1e-14));
}

struct DenseTerm {
  torch::Tensor r, d_delta, d_x, d_w;
};

// The dense term as the tensor expressions dense_sensitivity's fused passes replaced (value and hand-written
// gradient, for dR = 1): the reference its bits are checked against.
DenseTerm former_dense_term(const torch::Tensor& delta, const torch::Tensor& x, const torch::Tensor& w,
                            const QuantParams& qx, const QuantParams& qw, double m, double c) {
  torch::NoGradGuard no_grad;
  const auto dtype = w.scalar_type();
  const auto w_offset = (broadcast_channel(qw.zero_point, 2) * broadcast_channel(qw.scale, 2)).to(dtype);
  const auto w_scale_sq = (qw.scale * qw.scale).reshape({-1}).expand({w.size(0)}).to(dtype).contiguous();
  const double x_offset = (qx.zero_point * qx.scale).to(dtype).item<double>();
  const auto n = static_cast<double>(x.size(0));
  const auto d2 = delta * delta;
  auto weight = torch::zeros_like(delta);
  if (m > 0) weight = weight + m * torch::mm((x + x_offset).square(), (w + w_offset).square().t());
  if (c > 0) weight = weight + c * (x.square().sum(1, true) * w_scale_sq.reshape({1, -1}));
  DenseTerm t;
  t.r = (d2 * weight).sum() / (2 * n);
  const auto g = torch::ones({}, delta.options()) / n;
  t.d_delta = g * delta * weight;
  t.d_x = torch::zeros_like(x), t.d_w = torch::zeros_like(w);
  const auto a = x + x_offset, ws = w + w_offset;
  if (m > 0) {
    t.d_x = t.d_x + (g * m) * a * torch::mm(d2, ws.square());
    t.d_w = t.d_w + (g * m) * ws * torch::mm(d2.t(), a.square());
  }
  if (c > 0) t.d_x = t.d_x + (g * c) * x * torch::mm(d2, w_scale_sq.reshape({-1, 1}));
  return t;
}

TEST(Sensitivity, DenseTermIsTheFormerTensorExpressionBitForBit) {
  torch::manual_seed(5);
  for (const bool transposed_input :
       {false, true}) {  // an emulated layer's output (and so its delta) is stored transposed
    for (const bool per_channel : {false, true}) {
      for (const auto& [m, c] : {std::pair{0.02, 0.0}, std::pair{0.0, 3.0}, std::pair{0.02, 3.0}}) {
        const int64_t n = 37, k = 29, o = 13;
        // Inputs of both signs (a non-zero input zero point), as after a tanh.
        auto x_base = (transposed_input ? torch::randn({k, n}) : torch::randn({n, k})).requires_grad_();
        const auto x = transposed_input ? x_base.t() : x_base;
        const auto w = torch::randn({o, k}).requires_grad_();
        auto delta_base = (transposed_input ? torch::randn({o, n}) : torch::randn({n, o})).requires_grad_();
        const auto delta = transposed_input ? delta_base.t() : delta_base;
        const QuantParams qx = quant_params_per_tensor(x, false);
        const QuantParams qw = per_channel ? quant_params_per_channel(w, false) : quant_params_per_tensor(w, false);
        ASSERT_NE(qx.zero_point.item<double>(), 0);
        const auto r = dense_sensitivity(delta, x, w, qx, qw, {.multiplier_variance = m, .memory_code_variance = c});
        const auto grads = torch::autograd::grad({r}, {delta_base, x_base, w});
        const DenseTerm expected = former_dense_term(delta, x, w, qx, qw, m, c);
        const std::string label =
            fmt::format("transposed {} per-channel {} m {} c {}", transposed_input, per_channel, m, c);
        EXPECT_TRUE(torch::equal(r, expected.r)) << label;
        EXPECT_TRUE(torch::equal(grads[2], expected.d_w)) << label;
        const auto d_delta = transposed_input ? grads[0].t() : grads[0];
        const auto d_x = transposed_input ? grads[1].t() : grads[1];
        EXPECT_TRUE(torch::equal(d_delta, expected.d_delta)) << label;
        EXPECT_TRUE(torch::equal(d_x, expected.d_x)) << label;
        // The layouts too: they decide the summation order of the GEMMs the gradients flow into next.
        EXPECT_EQ(d_delta.strides(), expected.d_delta.strides()) << label;
        EXPECT_EQ(d_x.strides(), expected.d_x.strides()) << label;
      }
    }
  }
}

}  // namespace
}  // namespace axtrain
