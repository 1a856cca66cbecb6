#include "axtrain/train/models.h"

#include "axtrain/util/check.h"

#include <torch/torch.h>

namespace axtrain {
namespace {

ApproxLinear linear(const LayerShape& s) {
  return ApproxLinear(ApproxLinearOptions(s.in, s.out));
}
ApproxConv2d conv(const LayerShape& s) {
  return ApproxConv2d(ApproxConv2dOptions(s.in, s.out, s.kernel).stride(s.stride).padding(s.padding));
}

class Mlp : public ApproxNet {
 public:
  explicit Mlp(const std::vector<LayerShape>& shapes) {
    for (std::size_t i = 0; i < shapes.size(); ++i) {
      fc_.push_back(register_module("fc" + std::to_string(i), linear(shapes[i])));
      layers_.push_back(fc_.back().get());
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

// LeNet-5 style (the shapes of approximate_layers): conv, pool, conv, pool, three linear layers.
class LeNet : public ApproxNet {
 public:
  explicit LeNet(const std::vector<LayerShape>& s) {
    AXT_ASSERT(s.size() == 5);
    conv1_ = register_module("conv1", conv(s[0]));
    conv2_ = register_module("conv2", conv(s[1]));
    fc1_ = register_module("fc1", linear(s[2]));
    fc2_ = register_module("fc2", linear(s[3]));
    fc3_ = register_module("fc3", linear(s[4]));
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
  switch (spec_.activation) {
    case Activation::kRelu: return torch::relu(x);
    case Activation::kTanh: return torch::tanh(x);
    case Activation::kSigmoid: return torch::sigmoid(x);
  }
  AXT_ASSERT(false);
}

std::shared_ptr<ApproxNet> make_model(const NetworkSpec& spec) {
  const std::vector<LayerShape> shapes = approximate_layers(spec);
  std::shared_ptr<ApproxNet> net;
  if (spec.kind == Network::kLenet)
    net = std::make_shared<LeNet>(shapes);
  else
    net = std::make_shared<Mlp>(shapes);
  net->spec_ = spec;
  return net;
}

NetworkSpec network_spec(const TrainConfig& c, const PreparedData& data) {
  NetworkSpec spec{.kind = c.network,
                   .input_shape = data.sample_shape,
                   .hidden = std::vector<int64_t>(c.hidden.begin(), c.hidden.end()),
                   .outputs = data.outputs,
                   .activation = c.activation};
  check_training_memory(spec, c.batch_size);  // before a tensor is allocated
  return spec;
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
