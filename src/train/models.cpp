#include "axtrain/train/models.h"

#include "axtrain/util/check.h"

#include <fmt/ranges.h>
#include <torch/torch.h>

namespace axtrain {
namespace {

class Mlp : public ApproxNet {
 public:
  explicit Mlp(const ModelSpec& spec) {
    activation_ = spec.activation;
    int64_t in = 1;
    for (int64_t d : spec.input_shape) in *= d;
    std::vector<int64_t> sizes = spec.hidden;
    sizes.push_back(spec.outputs);
    for (std::size_t i = 0; i < sizes.size(); ++i) {
      AXT_CHECK(sizes[i] >= 1, "MLP layer size {} is invalid; sizes must be >= 1", sizes[i]);
      fc_.push_back(register_module("fc" + std::to_string(i), ApproxLinear(ApproxLinearOptions(in, sizes[i]))));
      layers_.push_back(fc_.back().get());
      in = sizes[i];
    }
  }
  torch::Tensor forward(const torch::Tensor& x) override {
    auto h = x.reshape({x.size(0), -1});
    for (std::size_t i = 0; i < fc_.size(); ++i) {
      h = fc_[i]->forward(h);
      if (i + 1 < fc_.size()) h = activate(h);
    }
    return h;
  }

 private:
  std::vector<ApproxLinear> fc_;
};

// LeNet-5 style for {C, 28, 28} inputs: conv 6@5x5 (pad 2), pool, conv 16@5x5, pool, 120, 84, outputs.
class LeNet : public ApproxNet {
 public:
  explicit LeNet(const ModelSpec& spec) {
    activation_ = spec.activation;
    AXT_CHECK(spec.input_shape.size() == 3 && spec.input_shape[1] == 28 && spec.input_shape[2] == 28,
              "model lenet needs image inputs of shape {{C, 28, 28}}; this dataset's samples have {} values in "
              "shape {}; use network = \"mlp\"", spec.input_shape.empty() ? 0 : spec.input_shape.back(),
              fmt::join(spec.input_shape, "x"));
    conv1_ = register_module("conv1", ApproxConv2d(ApproxConv2dOptions(spec.input_shape[0], 6, 5).padding(2)));
    conv2_ = register_module("conv2", ApproxConv2d(ApproxConv2dOptions(6, 16, 5)));
    fc1_ = register_module("fc1", ApproxLinear(ApproxLinearOptions(16 * 5 * 5, 120)));
    fc2_ = register_module("fc2", ApproxLinear(ApproxLinearOptions(120, 84)));
    fc3_ = register_module("fc3", ApproxLinear(ApproxLinearOptions(84, spec.outputs)));
    layers_ = {conv1_.get(), conv2_.get(), fc1_.get(), fc2_.get(), fc3_.get()};
  }
  torch::Tensor forward(const torch::Tensor& x) override {
    auto h = torch::max_pool2d(activate(conv1_->forward(x)), 2);
    h = torch::max_pool2d(activate(conv2_->forward(h)), 2);
    h = activate(fc1_->forward(h.reshape({h.size(0), -1})));
    h = activate(fc2_->forward(h));
    return fc3_->forward(h);
  }

 private:
  ApproxConv2d conv1_{nullptr}, conv2_{nullptr};
  ApproxLinear fc1_{nullptr}, fc2_{nullptr}, fc3_{nullptr};
};

}  // namespace

void ApproxNet::set_hardware(const std::shared_ptr<HardwareState>& hw) {
  for (std::size_t i = 0; i < layers_.size(); ++i) layers_[i]->set_hardware(hw, static_cast<int>(i));
}

void ApproxNet::set_layer_hardware(const std::vector<std::shared_ptr<HardwareState>>& per_layer) {
  AXT_CHECK(per_layer.size() == 1 || per_layer.size() == layers_.size(),
            "a per-layer assignment has {} entries but the network has {} approximate layers; give one per layer",
            per_layer.size(), layers_.size());
  for (std::size_t i = 0; i < layers_.size(); ++i)
    layers_[i]->set_hardware(per_layer[per_layer.size() == 1 ? 0 : i], static_cast<int>(i));
}

void ApproxNet::set_recording(bool on) {
  for (ApproxLayer* layer : layers_) layer->set_recording(on);
}

torch::Tensor ApproxNet::activate(const torch::Tensor& x) const {
  if (activation_ == "relu") return torch::relu(x);
  if (activation_ == "tanh") return torch::tanh(x);
  return torch::sigmoid(x);
}

std::shared_ptr<ApproxNet> make_model(const ModelSpec& spec) {
  AXT_CHECK(spec.activation == "relu" || spec.activation == "tanh" || spec.activation == "sigmoid",
            "activation '{}' is unknown; use relu, tanh or sigmoid", spec.activation);
  AXT_CHECK(spec.outputs >= 1, "a model needs at least one output, got {}", spec.outputs);
  std::shared_ptr<ApproxNet> net;
  if (spec.kind == "mlp")
    net = std::make_shared<Mlp>(spec);
  else if (spec.kind == "lenet")
    net = std::make_shared<LeNet>(spec);
  else
    AXT_FAIL("model '{}' is unknown; use mlp or lenet", spec.kind);
  net->spec_ = spec;
  return net;
}

std::shared_ptr<ApproxNet> replicate_model(const ApproxNet& net) {
  auto copy = make_model(net.spec());
  torch::NoGradGuard no_grad;
  const auto from_params = net.named_parameters(), to_params = copy->named_parameters();
  for (const auto& item : from_params) to_params[item.key()].copy_(item.value());
  const auto from_buffers = net.named_buffers(), to_buffers = copy->named_buffers();
  for (const auto& item : from_buffers) to_buffers[item.key()].copy_(item.value());
  for (std::size_t i = 0; i < net.approx_layers().size(); ++i)
    copy->approx_layers()[i]->copy_calibration_from(*net.approx_layers()[i]);
  copy->eval();
  return copy;
}

}  // namespace axtrain
