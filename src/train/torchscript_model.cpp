#include "axtrain/train/torchscript_model.h"

#include "axtrain/util/atomic_file.h"
#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <torch/csrc/jit/ir/ir.h>
#include <torch/csrc/jit/passes/inliner.h>
#include <torch/script.h>

#include <fmt/ranges.h>

#include <algorithm>
#include <map>
#include <set>
#include <sstream>
#include <unordered_map>

namespace axtrain {
namespace {

torch::jit::Module load_module(const std::string& path) {
  std::string bytes;
  try {
    bytes = read_file(path);
  } catch (const Error& e) {
    AXT_FAIL("network torchscript:{}: {}", path, e.what());
  }
  try {
    std::istringstream in(bytes);
    return torch::jit::load(in);
  } catch (const std::exception& e) {
    AXT_FAIL(
        "network torchscript:{} is not a TorchScript file ({}); save the model with "
        "torch.jit.script(model).save(PATH) in PyTorch",
        path, first_line(e.what()));
  }
}

// The submodule at a dotted path ("" = the module itself).
torch::jit::Module submodule(torch::jit::Module m, const std::string& path) {
  for (std::size_t from = 0; !path.empty() && from <= path.size();) {
    const std::size_t dot = std::min(path.find('.', from), path.size());
    m = m.attr(path.substr(from, dot - from)).toModule();
    from = dot + 1;
  }
  return m;
}

// One size for both dimensions: {k} or {k, k}.
bool is_square(const std::vector<int64_t>& v) {
  return v.size() == 1 || (v.size() == 2 && v[0] == v[1]);
}

std::string layer_name(const std::string& module_path) {
  std::string name = module_path;
  std::replace(name.begin(), name.end(), '.', '_');
  return name;
}

// A tensor value of the graph as the layers applied to the network input so far; ids tell branches apart.
struct Branch {
  std::vector<std::pair<int, LayerSpec>> layers;
  bool pooled = false;  // after adaptive_avg_pool2d to 1 x 1: the layer gap already flattened it
};

class GraphReader {
 public:
  GraphReader(const torch::jit::Module& module, std::string path) : module_(module), path_(std::move(path)) {}

  TorchScriptNetwork read() {
    auto graph = module_.get_method("forward").graph()->copy();
    torch::jit::Inline(*graph);
    AXT_CHECK(graph->inputs().size() == 2,
              "network torchscript:{}: forward takes {} inputs; give a model whose "
              "forward takes one tensor",
              path_, graph->inputs().size() - 1);
    attribute_paths_[graph->inputs()[0]] = "";
    branches_[graph->inputs()[1]] = Branch{};
    for (torch::jit::Node* node : graph->nodes()) read_node(node);
    AXT_CHECK(graph->outputs().size() == 1 && branches_.contains(graph->outputs()[0]),
              "network torchscript:{}: forward must return one tensor", path_);
    const Branch& out = branches_.at(graph->outputs()[0]);
    AXT_CHECK(!out.layers.empty(), "network torchscript:{}: forward returns its input; there are no layers", path_);
    TorchScriptNetwork network;
    for (const auto& [id, layer] : out.layers) network.layers.push_back(layer);
    network.modules = modules_;
    return network;
  }

 private:
  void read_node(torch::jit::Node* node) {
    const std::string kind = node->kind().toQualString();
    if (kind == "prim::GetAttr") {
      const std::string& parent = attribute_paths_.at(node->input(0));
      const std::string name = node->s(c10::attr::name);
      attribute_paths_[node->output()] = parent.empty() ? name : parent + "." + name;
      return;
    }
    const bool makes_tensor =
        std::any_of(node->outputs().begin(), node->outputs().end(),
                    [](const torch::jit::Value* v) { return v->type()->kind() == c10::TypeKind::TensorType; });
    if (kind == "prim::If" || kind == "prim::Loop") {  // batch_norm's checks and counters: no tensor results
      AXT_CHECK(!makes_tensor,
                "network torchscript:{}: {} computes a tensor (control flow in forward); write "
                "forward without data-dependent branches or loops",
                path_, kind);
      return;
    }
    if (!makes_tensor) return;  // constants, lists, shape queries (aten::size)
    const bool reads_tensor = std::any_of(node->inputs().begin(), node->inputs().end(),
                                          [&](const torch::jit::Value* v) { return branches_.contains(v); });
    if (!reads_tensor) {
      AXT_FAIL(
          "network torchscript:{}: operator {} makes a tensor that does not come from the input; axtrain "
          "reads conv2d, linear, batch_norm, relu, relu6, tanh, sigmoid, max_pool2d, avg_pool2d, "
          "adaptive_avg_pool2d, flatten, dropout and add",
          path_, kind);
    }
    Branch in = branches_.at(node->input(0));
    const auto fail = [&](const std::string& what, const std::string& fix) {
      AXT_FAIL("network torchscript:{}: {} {}; {}", path_, kind, what, fix);
    };
    if (in.pooled && kind != "aten::flatten")
      fail("after adaptive_avg_pool2d", "follow the pooling by torch.flatten(x, 1), as ResNets do");
    LayerSpec l;
    if (kind == "aten::conv2d") {
      l = conv(node, fail);
    } else if (kind == "aten::linear") {
      const std::string module = weight_module(node->input(1), fail);
      const auto weight = submodule(module_, module).attr("weight").toTensor();
      l = {.kind = LayerKind::kLinear, .out = weight.size(0), .bias = has_bias(module), .name = name_of(module)};
    } else if (kind == "aten::batch_norm") {
      const std::string module = weight_module(node->input(1), fail);
      if (submodule(module_, module).attr("weight").isNone()) fail("has no scale and shift", "use affine=True");
      if (std::abs(number(node->input(7)) - 1e-5) > 1e-12 || std::abs(number(node->input(6)) - 0.1) > 1e-12)
        fail("has eps or momentum other than PyTorch's defaults (1e-5, 0.1)", "use nn.BatchNorm2d(C)");
      l = {.kind = LayerKind::kBatchNorm, .name = name_of(module)};
    } else if (kind == "aten::relu" || kind == "aten::relu_") {
      l.kind = LayerKind::kRelu;
    } else if (kind == "aten::hardtanh" || kind == "aten::hardtanh_" || kind == "aten::relu6") {
      if (kind != "aten::relu6" && (number(node->input(1)) != 0 || number(node->input(2)) != 6))
        fail("has limits other than 0 and 6", "use nn.ReLU6");
      l.kind = LayerKind::kRelu6;
    } else if (kind == "aten::tanh" || kind == "aten::tanh_") {
      l.kind = LayerKind::kTanh;
    } else if (kind == "aten::sigmoid" || kind == "aten::sigmoid_") {
      l.kind = LayerKind::kSigmoid;
    } else if (kind == "aten::max_pool2d" || kind == "aten::avg_pool2d") {
      l = pool(node, kind == "aten::max_pool2d", fail);
    } else if (kind == "aten::adaptive_avg_pool2d") {
      const auto size = ints(node->input(1));
      if (size != std::vector<int64_t>{1, 1} && size != std::vector<int64_t>{1})
        fail("to a size other than 1", "pool to 1");
      l.kind = LayerKind::kGlobalAvgPool;
    } else if (kind == "aten::flatten") {
      if (constant(node->input(1)).toInt() != 1 || constant(node->input(2)).toInt() != -1)
        fail("of other dimensions than 1 to -1", "use torch.flatten(x, 1)");
      if (in.pooled) {
        in.pooled = false;
        branches_[node->output()] = in;
        return;
      }
      l.kind = LayerKind::kFlatten;
    } else if (kind == "aten::dropout" || kind == "aten::dropout_" || kind == "aten::feature_dropout") {
      l = {.kind = LayerKind::kDropout, .p = number(node->input(1))};
    } else if (kind == "aten::add" || kind == "aten::add_") {
      if (!branches_.contains(node->input(1)) || number(node->input(2)) != 1)
        fail("of other than two tensors", "add two branches, as a residual block does");
      branches_[node->output()] = join(in, branches_.at(node->input(1)));
      return;
    } else {
      fail("is not an operator axtrain reads",
           "use conv2d, linear, batch_norm, relu, relu6, tanh, sigmoid, max_pool2d, avg_pool2d, "
           "adaptive_avg_pool2d, flatten, dropout and add (docs/networks.md)");
    }
    in.pooled = l.kind == LayerKind::kGlobalAvgPool;
    in.layers.emplace_back(next_id_++, l);
    branches_[node->output()] = in;
  }

  template <class Fail>
  LayerSpec conv(torch::jit::Node* node, const Fail& fail) {
    const std::string module = weight_module(node->input(1), fail);
    const auto weight = submodule(module_, module).attr("weight").toTensor();
    const auto stride = ints(node->input(3)), padding = ints(node->input(4)), dilation = ints(node->input(5));
    if (weight.size(2) != weight.size(3) || !is_square(stride) || !is_square(padding))
      fail("has a non-square kernel, stride or padding", "use square ones");
    if (dilation != std::vector<int64_t>{1, 1} && dilation != std::vector<int64_t>{1})
      fail("is dilated", "use dilation 1");
    return {.kind = LayerKind::kConv2d,
            .out = weight.size(0),
            .kernel = weight.size(2),
            .stride = stride[0],
            .padding = padding[0],
            .groups = constant(node->input(6)).toInt(),
            .bias = has_bias(module),
            .name = name_of(module)};
  }

  template <class Fail>
  LayerSpec pool(torch::jit::Node* node, bool max, const Fail& fail) {
    const auto kernel = ints(node->input(1)), padding = ints(node->input(3));
    auto stride = ints(node->input(2));
    if (stride.empty()) stride = kernel;
    if (!is_square(kernel) || !is_square(stride) || !is_square(padding))
      fail("has a non-square window", "use square ones");
    if (max && (ints(node->input(4)) != std::vector<int64_t>{1, 1} || constant(node->input(5)).toBool()))
      fail("is dilated or rounds up", "use dilation 1 and ceil_mode False");
    if (!max &&
        (constant(node->input(4)).toBool() || !constant(node->input(5)).toBool() || !constant(node->input(6)).isNone()))
      fail("rounds up, leaves the padding out or sets a divisor", "use nn.AvgPool2d(k) with its defaults");
    return {.kind = max ? LayerKind::kMaxPool : LayerKind::kAvgPool,
            .kernel = kernel[0],
            .stride = stride[0],
            .padding = padding[0]};
  }

  // add(a, b) of two branches from a common value x: a residual block res(a's layers after x | b's).
  Branch join(const Branch& a, const Branch& b) {
    std::size_t common = 0;
    while (common < a.layers.size() && common < b.layers.size() && a.layers[common].first == b.layers[common].first)
      ++common;
    const auto rest = [common](const Branch& branch) {
      std::vector<LayerSpec> layers;
      for (std::size_t i = common; i < branch.layers.size(); ++i) layers.push_back(branch.layers[i].second);
      return layers;
    };
    LayerSpec block{.kind = LayerKind::kResidual, .body = rest(a), .shortcut = rest(b)};
    if (block.body.empty()) std::swap(block.body, block.shortcut);
    AXT_CHECK(!block.body.empty(), "network torchscript:{}: forward adds a tensor to itself; add two branches", path_);
    Branch out;
    out.layers.assign(a.layers.begin(), a.layers.begin() + static_cast<std::ptrdiff_t>(common));
    out.layers.emplace_back(next_id_++, block);
    return out;
  }

  template <class Fail>
  std::string weight_module(torch::jit::Value* weight, const Fail& fail) {
    const auto it = attribute_paths_.find(weight);
    if (it == attribute_paths_.end() || !it->second.ends_with("weight"))
      fail("takes a weight that is not a module's parameter", "use nn.Conv2d, nn.Linear and nn.BatchNorm2d modules");
    const std::string& path = it->second;
    return path.size() > 7 ? path.substr(0, path.size() - 7) : "";
  }
  bool has_bias(const std::string& module) const { return !submodule(module_, module).attr("bias").isNone(); }
  std::string name_of(const std::string& module) {
    std::string name = layer_name(module.empty() ? "self" : module);
    AXT_CHECK(!modules_.contains(name) || modules_.at(name) == module,
              "network torchscript:{}: modules '{}' and '{}' have one name here; rename one", path_, module,
              modules_.at(name));
    AXT_CHECK(!used_.contains(module),
              "network torchscript:{}: module '{}' is used twice in forward; axtrain "
              "gives every layer its own weights",
              path_, module);
    used_.insert(module);
    modules_[name] = module;
    return name;
  }

  c10::IValue constant(torch::jit::Value* v) const {
    const auto value = torch::jit::toIValue(v);
    AXT_CHECK(value.has_value(),
              "network torchscript:{}: an argument of {} is computed, not a constant; give "
              "the layer fixed sizes",
              path_, v->node()->kind().toQualString());
    return *value;
  }
  double number(torch::jit::Value* v) const {  // an int or a float constant
    const c10::IValue value = constant(v);
    return value.isInt() ? static_cast<double>(value.toInt()) : value.toDouble();
  }
  std::vector<int64_t> ints(torch::jit::Value* v) const {
    if (v->node()->kind() == c10::prim::ListConstruct) {
      std::vector<int64_t> out;
      for (torch::jit::Value* element : v->node()->inputs()) out.push_back(constant(element).toInt());
      return out;
    }
    const c10::IValue value = constant(v);
    return value.isIntList() ? value.toIntVector() : std::vector<int64_t>{value.toInt()};
  }

  torch::jit::Module module_;
  std::string path_;
  std::unordered_map<const torch::jit::Value*, std::string> attribute_paths_;
  std::unordered_map<const torch::jit::Value*, Branch> branches_;
  std::map<std::string, std::string> modules_;
  std::set<std::string> used_;
  int next_id_ = 0;
};

// Calls fn(name, their tensor, our tensor) for every parameter and buffer of net that the module in `source`
// holds (name: the module's path and the tensor's, "features.0.weight").
template <class Fn>
void for_each_pair(const ApproxNet& net, torch::jit::Module& module, const std::string& source, const Fn& fn) {
  const std::map<std::string, std::string> modules = GraphReader(module, source).read().modules;
  const auto visit = [&](const std::string& key, const torch::Tensor& ours) {
    const std::size_t dot = key.rfind('.');
    const std::string layer = key.substr(0, dot), field = key.substr(dot + 1);
    if (field == "input_range" || field == "input_range_set" || field == "num_batches_tracked") return;
    const auto it = modules.find(layer);
    AXT_ASSERT(it != modules.end());
    fn(it->second + "." + field, submodule(module, it->second).attr(field).toTensor(), ours);
  };
  for (const auto& p : net.named_parameters()) visit(p.key(), p.value());
  for (const auto& b : net.named_buffers()) visit(b.key(), b.value());
}

}  // namespace

TorchScriptNetwork read_torchscript_network(const std::string& path) {
  return GraphReader(load_module(path), path).read();
}

void load_torchscript_weights(ApproxNet& net, const std::string& path) {
  torch::jit::Module module = load_module(path);
  torch::NoGradGuard no_grad;
  for_each_pair(
      net, module, path, [&](const std::string& name, const torch::Tensor& theirs, const torch::Tensor& ours) {
        // The layers come from the file, so only the first linear layer's inputs can differ: the data's sample shape.
        AXT_CHECK(theirs.sizes() == ours.sizes(),
                  "network torchscript:{}: its '{}' is [{}], but on this dataset's samples the layer needs [{}]; give "
                  "data of the shape the model was made for",
                  path, name, fmt::join(theirs.sizes(), ", "), fmt::join(ours.sizes(), ", "));
        ours.copy_(theirs);
      });
}

void export_torchscript(const ApproxNet& net, const std::string& source, const std::string& out) {
  torch::jit::Module module = load_module(source);
  torch::NoGradGuard no_grad;
  for_each_pair(net, module, source,
                [](const std::string&, const torch::Tensor& theirs, const torch::Tensor& ours) { theirs.copy_(ours); });
  std::ostringstream bytes;
  module.save(bytes);
  write_file_atomic(out, bytes.str());
}

}  // namespace axtrain
