// The gradient of R = 1/2 sum S (SPEC 2.7) against central finite differences, in double precision, for a
// small MLP and a small CNN with multiplier and memory noise both on.
#include "axtrain/train/models.h"
#include "axtrain/train/sensitivity.h"

#include <gtest/gtest.h>
#include <torch/torch.h>

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
  torch::Tensor r = torch::zeros({}, torch::kFloat64);
  for (const auto& s : weight_sensitivity(net.approx_layers(), deltas, noise)) r = r + 0.5 * s.sum();
  return r;
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
    torch::Tensor w = layer->weight_tensor();
    const auto flat = w.detach().view(-1);
    const double lo = flat.min().item<double>(), hi = flat.max().item<double>();
    const auto grad = w.grad().view(-1);
    // Interior weights only: moving the smallest or largest weight would move the quantisation range,
    // which R holds constant by definition.
    for (int64_t i = 0, picked = 0; i < flat.numel() && picked < 4; i += 7) {
      const double original = flat[i].item<double>();
      if (original - lo < 10 * kStep || hi - original < 10 * kStep) continue;
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

TEST(Sensitivity, GradientMatchesFiniteDifferencesMlp) {
  torch::manual_seed(11);
  auto net = make_model(
      {.kind = Network::kMlp, .input_shape = {6}, .hidden = {5, 4}, .outputs = 3, .activation = Activation::kTanh});
  check_gradient(*net, torch::randn({8, 6}, torch::kFloat64), torch::randint(0, 3, {8}, torch::kLong));
}

TEST(Sensitivity, GradientMatchesFiniteDifferencesCnn) {
  torch::manual_seed(12);
  auto net =
      make_model({.kind = Network::kLenet, .input_shape = {1, 28, 28}, .outputs = 4, .activation = Activation::kTanh});
  check_gradient(*net, torch::rand({3, 1, 28, 28}, torch::kFloat64), torch::randint(0, 4, {3}, torch::kLong));
}

TEST(Sensitivity, DenseLayerMatchesTheFormulaWrittenOut) {
  // One dense layer, z = W a: delta_i per sample known in closed form for loss = sum_i z_i.
  torch::manual_seed(13);
  auto net = make_model({.kind = Network::kMlp, .input_shape = {3}, .hidden = {}, .outputs = 2});
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

}  // namespace
}  // namespace axtrain
