#include "axtrain/train/models.h"

#include "axtrain/train/torchscript_model.h"
#include "axtrain/util/check.h"

#include <torch/torch.h>

namespace axtrain {
namespace {

constexpr double kBatchNormEps = 1e-5, kBatchNormMomentum = 0.1;  // PyTorch's defaults

// {C} -> {C, 1, 1} for images, {C} for features.
torch::Tensor per_channel(const torch::Tensor& v, const torch::Tensor& like) {
  return like.dim() == 4 ? v.view({-1, 1, 1}) : v;
}

}  // namespace

std::vector<ApproxNet::Step> ApproxNet::build(const std::vector<PlannedLayer>& plan) {
  std::vector<Step> steps;
  for (const PlannedLayer& p : plan) {
    const LayerSpec& s = p.spec;
    if (s.kind == LayerKind::kBatchNorm) {  // folded into the step before it (plan_layers puts it there)
      AXT_ASSERT(!steps.empty() && (steps.back().conv || steps.back().linear));
      steps.back().norm = register_module(
          s.name,
          torch::nn::BatchNorm2d(torch::nn::BatchNormOptions(p.in[0]).eps(kBatchNormEps).momentum(kBatchNormMomentum)));
      continue;
    }
    Step step{.spec = s};
    if (s.kind == LayerKind::kLinear) {
      step.linear = register_module(s.name, ApproxLinear(ApproxLinearOptions(p.in[0], s.out).bias(s.bias)));
      layers_.push_back(step.linear.get());
    } else if (s.kind == LayerKind::kConv2d) {
      step.conv = register_module(s.name, ApproxConv2d(ApproxConv2dOptions(p.in[0], s.out, s.kernel)
                                                           .stride(s.stride)
                                                           .padding(s.padding)
                                                           .groups(s.groups)
                                                           .bias(s.bias)));
      layers_.push_back(step.conv.get());
    } else if (s.kind == LayerKind::kResidual) {
      step.body = build(p.body);
      step.shortcut = build(p.shortcut);
    }
    steps.push_back(std::move(step));
  }
  return steps;
}

// A conv or linear layer, with its batch normalisation: in float (no hardware, no sensitivity term recorded)
// the layer's output normalised as PyTorch does. Otherwise folded: the hardware sees the folded weight
// w s (s = gamma / sqrt(running var + eps) per output channel), as an accelerator that folds the
// normalisation does. In eval mode the layer is exactly the folded one: its bias is beta + s (b - running
// mean). In training mode, as PyTorch's fused ConvBn for quantisation-aware training, the layer's output
// is divided by s and normalised with the batch's statistics, which also update the running ones.
torch::Tensor ApproxNet::run_weights(Step& step, const torch::Tensor& x) {
  ApproxLayer* layer = step.conv ? static_cast<ApproxLayer*>(step.conv.get()) : step.linear.get();
  const auto forward = [&](const torch::Tensor& in) {
    return step.conv ? step.conv->forward(in) : step.linear->forward(in);
  };
  if (!step.norm) return forward(x);
  torch::nn::BatchNorm2dImpl& bn = *step.norm;
  if (!layer->on_hardware() && !layer->recording()) {  // in float, as PyTorch computes it (the same values)
    layer->clear_fold();
    return torch::batch_norm(forward(x), bn.weight, bn.bias, bn.running_mean, bn.running_var, is_training(),
                             kBatchNormMomentum, kBatchNormEps, false);
  }
  const torch::Tensor bias = step.conv ? step.conv->bias : step.linear->bias;
  const auto scale = bn.weight / torch::sqrt(bn.running_var + kBatchNormEps);
  if (!is_training()) {
    const auto centre = bias.defined() ? bias - bn.running_mean : -bn.running_mean;
    layer->set_fold(scale, bn.bias + scale * centre);
    return forward(x);
  }
  layer->set_fold(scale, torch::Tensor());
  const auto z = forward(x);
  auto u = z / per_channel(scale, z);
  if (bias.defined()) u = u + per_channel(bias, z);
  // A batch with one value per channel has no variance: it is normalised with the running statistics.
  const bool batch_statistics = z.numel() / z.size(1) > 1;
  return torch::batch_norm(u, bn.weight, bn.bias, bn.running_mean, bn.running_var, batch_statistics, kBatchNormMomentum,
                           kBatchNormEps, false);
}

torch::Tensor ApproxNet::run(std::vector<Step>& steps, torch::Tensor h) {
  for (Step& step : steps) {
    const LayerSpec& s = step.spec;
    switch (s.kind) {
      case LayerKind::kConv2d:
      case LayerKind::kLinear: h = run_weights(step, h); break;
      case LayerKind::kMaxPool: h = torch::max_pool2d(h, s.kernel, s.stride, s.padding); break;
      case LayerKind::kAvgPool: h = torch::avg_pool2d(h, s.kernel, s.stride, s.padding); break;
      case LayerKind::kGlobalAvgPool: h = torch::adaptive_avg_pool2d(h, {1, 1}).flatten(1); break;
      case LayerKind::kRelu: h = torch::relu(h); break;
      case LayerKind::kRelu6: h = torch::hardtanh(h, 0, 6); break;
      case LayerKind::kTanh: h = torch::tanh(h); break;
      case LayerKind::kSigmoid: h = torch::sigmoid(h); break;
      case LayerKind::kFlatten: h = h.reshape({h.size(0), -1}); break;
      case LayerKind::kDropout: h = torch::dropout(h, s.p, is_training()); break;
      case LayerKind::kResidual: {
        auto branch = run(step.body, h);
        h = branch + (step.shortcut.empty() ? h : run(step.shortcut, h));
        break;
      }
      case LayerKind::kBatchNorm: AXT_ASSERT(false);  // folded into its layer by build()
    }
  }
  return h;
}

torch::Tensor ApproxNet::forward(const torch::Tensor& x) {
  return run(steps_, x);
}

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

std::shared_ptr<ApproxNet> make_model(const NetworkSpec& spec) {
  const std::vector<PlannedLayer> plan = network_plan(spec);
  auto net = std::make_shared<ApproxNet>();
  net->spec_ = spec;
  net->steps_ = net->build(plan);
  if (!spec.torchscript.empty()) load_torchscript_weights(*net, spec.torchscript);
  return net;
}

NetworkSpec network_spec(const TrainConfig& c, const PreparedData& data) {
  NetworkSpec spec{.network = c.network,
                   .input_shape = data.sample_shape,
                   .hidden = std::vector<int64_t>(c.hidden.begin(), c.hidden.end()),
                   .outputs = data.outputs,
                   .activation = c.activation};
  spec.torchscript = torchscript_path(c.network);
  if (!spec.torchscript.empty()) spec.network = layers_text(read_torchscript_network(spec.torchscript).layers);
  check_training_memory(spec, c.batch_size);  // before a tensor is allocated
  return spec;
}

std::shared_ptr<ApproxNet> replicate_model(const ApproxNet& net) {
  NetworkSpec structure = net.spec();
  structure.torchscript.clear();  // the weights are net's: the file is not read again for each replica
  auto copy = make_model(structure);
  copy->spec_ = net.spec();
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
