// The plan of a layer list (layer_graph.h): shapes inferred and checked, parameters, MACs, the summary.
#include "axtrain/net/layer_graph.h"

#include "axtrain/util/check.h"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <limits>
#include <map>
#include <set>
#include <utility>

namespace axtrain {
namespace {

std::string shape_text(const std::vector<int64_t>& shape) {
  return fmt::format("{}", fmt::join(shape, "x"));
}

// A planned layer's text without its resolved name (the summary has a column for it).
std::string unnamed_text(LayerSpec spec) {
  spec.name.clear();
  return layer_text(spec);
}

void collect_names(const std::vector<LayerSpec>& layers, std::set<std::string>& names) {
  for (const LayerSpec& l : layers) {
    if (!l.name.empty()) {
      AXT_CHECK(names.insert(l.name).second, "network layer name '{}' is given to two layers; give each its own",
                l.name);
    }
    collect_names(l.body, names);
    collect_names(l.shortcut, names);
  }
}

class Planner {
 public:
  Planner(int64_t outputs, std::set<std::string> given) : outputs_(outputs), used_(std::move(given)) {}

  std::vector<PlannedLayer> plan(const std::vector<LayerSpec>& layers, std::vector<int64_t> shape,
                                 const std::string& where) {
    std::vector<PlannedLayer> out;
    for (std::size_t i = 0; i < layers.size(); ++i) {
      const std::string at = fmt::format("{}{}", where, i + 1);
      const bool after_weights = !out.empty() && out.back().approximate();
      PlannedLayer p = plan_one(layers[i], shape, at, after_weights);
      shape = p.out;
      out.push_back(std::move(p));
    }
    return out;
  }

 private:
  PlannedLayer plan_one(const LayerSpec& spec, const std::vector<int64_t>& in, const std::string& at,
                        bool after_weights) {
    PlannedLayer p{.spec = spec, .in = in, .out = in};
    const auto fail = [&](const std::string& what, const std::string& fix) {
      AXT_FAIL("network layer {} '{}' gets input {}: {}; {}", at, layer_text(spec), shape_text(in), what, fix);
    };
    const bool image = in.size() == 3;
    switch (spec.kind) {
      case LayerKind::kConv2d: {
        if (!image) fail("a convolution needs a C x H x W input", "give image data or use linear after flatten");
        const int64_t c = in[0], k = spec.kernel, g = spec.groups, s = std::max<int64_t>(spec.stride, 1);
        if (c % g != 0 || spec.out % g != 0)
          fail(fmt::format("groups={} must divide the {} input and {} output channels", g, c, spec.out),
               "choose groups that divides both (groups = channels is depthwise)");
        const int64_t h = in[1] + 2 * spec.padding - k, w = in[2] + 2 * spec.padding - k;
        if (h < 0 || w < 0)
          fail(fmt::format("the {}x{} kernel is larger than the padded input", k, k), "use a smaller kernel or pad");
        p.spec.stride = s;
        p.out = {spec.out, h / s + 1, w / s + 1};
        if (static_cast<double>(spec.out) * static_cast<double>(p.out[1] * p.out[2]) * static_cast<double>(c * k * k) >
            1e15)
          fail("more than 10^15 multiply-accumulates", "use fewer channels or a smaller input");
        p.macs = spec.out * p.out[1] * p.out[2] * (c / g) * k * k;
        p.parameters = spec.out * (c / g) * k * k + (spec.bias ? spec.out : 0);
        p.spec.name = name(spec, "conv");
        break;
      }
      case LayerKind::kLinear: {
        if (in.size() != 1)
          fail("linear needs a flat input", fmt::format("put flatten before it (it makes {} values)", count(in)));
        p.spec.out = spec.out == 0 ? outputs_ : spec.out;
        p.out = {p.spec.out};
        if (static_cast<double>(in[0]) * static_cast<double>(p.spec.out) > 1e15)
          fail("more than 10^15 weights", "use fewer features");
        p.macs = in[0] * p.spec.out;
        p.parameters = p.macs + (spec.bias ? p.spec.out : 0);
        p.spec.name = name(spec, "fc");
        break;
      }
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool: {
        if (!image) fail("pooling needs a C x H x W input", "remove it, or put it before flatten");
        const int64_t k = spec.kernel, s = spec.stride == 0 ? k : spec.stride;
        if (spec.padding * 2 > k) fail("the padding is more than half the kernel", "use pad <= kernel / 2");
        const int64_t h = in[1] + 2 * spec.padding - k, w = in[2] + 2 * spec.padding - k;
        if (h < 0 || w < 0)
          fail(fmt::format("the {}x{} window is larger than the input", k, k), "use a smaller window");
        p.spec.stride = s;
        p.out = {in[0], h / s + 1, w / s + 1};
        break;
      }
      case LayerKind::kGlobalAvgPool:
        if (!image) fail("global average pooling needs a C x H x W input", "remove it, or put it before flatten");
        p.out = {in[0]};
        break;
      case LayerKind::kBatchNorm:
        if (!after_weights)
          fail("batch normalisation must follow a conv or linear layer",
               "move it right after one (it is folded into that layer's weights, as an accelerator does)");
        p.parameters = 2 * in[0];
        p.spec.name = name(spec, "bn");
        break;
      case LayerKind::kFlatten: p.out = {count(in)}; break;
      case LayerKind::kResidual: {
        p.body = plan(spec.body, in, at + ".");
        p.out = p.body.back().out;
        if (p.out.size() != in.size())
          fail(fmt::format("its body turns {} into {}", shape_text(in), shape_text(p.out)),
               "keep images images in a residual body (no flatten or gap inside)");
        if (!spec.shortcut.empty()) {
          p.shortcut = plan(spec.shortcut, in, at + ".shortcut.");
          if (p.shortcut.back().out != p.out)
            fail(fmt::format("its body gives {} but its shortcut {}", shape_text(p.out),
                             shape_text(p.shortcut.back().out)),
                 "make both branches end in the same shape");
        } else if (p.out != in) {
          if (!image) fail(fmt::format("its body changes the size {} to {}", in[0], p.out[0]), "keep the size");
          const int64_t s = (in[1] + p.out[1] - 1) / p.out[1];
          if ((in[1] - 1) / s + 1 != p.out[1] || (in[2] - 1) / s + 1 != p.out[2])
            fail(fmt::format("no 1x1 convolution with one stride maps {} to {}", shape_text(in), shape_text(p.out)),
                 "let the body keep the size or divide it by its stride");
          const LayerSpec projection{.kind = LayerKind::kConv2d, .out = p.out[0], .kernel = 1, .stride = s};
          p.shortcut.push_back(plan_one(projection, in, at + ".shortcut", false));
        }
        for (const auto* part : {&p.body, &p.shortcut})
          for (const PlannedLayer& l : *part) {
            p.parameters += l.parameters;
            p.macs += l.macs;
          }
        break;
      }
      default: break;  // activations and dropout keep the shape
    }
    for (int64_t d : p.out)
      if (d < 1 || d > std::numeric_limits<int>::max())
        fail(fmt::format("an output of {}", shape_text(p.out)), "check the sizes");
    return p;
  }

  // A given name, or the kind's next count that no layer is given (conv1, conv2, ...).
  std::string name(const LayerSpec& spec, const std::string& prefix) {
    if (!spec.name.empty()) return spec.name;
    std::string name;
    do name = fmt::format("{}{}", prefix, ++counts_[prefix]);
    while (used_.contains(name));
    return name;
  }
  static int64_t count(const std::vector<int64_t>& shape) {
    int64_t n = 1;
    for (int64_t d : shape) n *= d;
    return n;
  }

  int64_t outputs_;
  std::set<std::string> used_;
  std::map<std::string, int> counts_;
};

void collect_approximate(const std::vector<PlannedLayer>& plan, std::vector<const PlannedLayer*>& out) {
  for (const PlannedLayer& l : plan) {
    if (l.approximate()) out.push_back(&l);
    collect_approximate(l.body, out);
    collect_approximate(l.shortcut, out);
  }
}

void summary_rows(const std::vector<PlannedLayer>& plan, const std::string& indent, std::string& text) {
  for (const PlannedLayer& l : plan) {
    const std::string label = l.spec.kind == LayerKind::kResidual ? "res(" : unnamed_text(l.spec);
    text += fmt::format("  {:<40} {:<12} {:>14} {:>12} {:>14}\n", indent + label, l.spec.name, shape_text(l.out),
                        l.spec.kind == LayerKind::kResidual ? std::string() : fmt::format("{}", l.parameters),
                        l.spec.kind == LayerKind::kResidual || l.macs == 0 ? std::string() : fmt::format("{}", l.macs));
    if (l.spec.kind != LayerKind::kResidual) continue;
    summary_rows(l.body, indent + "  ", text);
    if (!l.shortcut.empty()) {
      text += fmt::format("  {:<40}\n", indent + "  + shortcut");
      summary_rows(l.shortcut, indent + "    ", text);
    } else {
      text += fmt::format("  {:<40}\n", indent + "  + x");
    }
    text += fmt::format("  {:<40}\n", indent + ")");
  }
}

}  // namespace

std::vector<PlannedLayer> plan_layers(const std::vector<LayerSpec>& layers, const std::vector<int64_t>& input_shape,
                                      int64_t outputs) {
  AXT_CHECK(!input_shape.empty(), "the network has an empty input shape; give per-sample data, e.g. 784 or 1x28x28");
  for (int64_t d : input_shape)
    AXT_CHECK(d >= 1 && d <= std::numeric_limits<int>::max(),
              "the network input {} has a dimension {}; each must be "
              "from 1 to {}",
              shape_text(input_shape), d, std::numeric_limits<int>::max());
  AXT_CHECK(outputs >= 1, "the network has {} outputs; the dataset must have at least one target", outputs);
  std::set<std::string> given;
  collect_names(layers, given);
  Planner planner(outputs, std::move(given));
  std::vector<PlannedLayer> plan = planner.plan(layers, input_shape, "");
  AXT_CHECK(!plan.empty(), "the network has no layers; give at least linear");
  const std::vector<int64_t>& last = plan.back().out;
  AXT_CHECK(last == std::vector<int64_t>{outputs},
            "the network ends in {} ('{}'), but the dataset has {} output{}; end it with linear (sized by the "
            "dataset) or linear({})",
            shape_text(last), unnamed_text(plan.back().spec), outputs, outputs == 1 ? "" : "s", outputs);
  return plan;
}

std::vector<const PlannedLayer*> approximate_layers_of(const std::vector<PlannedLayer>& plan) {
  std::vector<const PlannedLayer*> out;
  collect_approximate(plan, out);
  return out;
}

std::string plan_summary(const std::vector<PlannedLayer>& plan, const std::vector<int64_t>& input_shape) {
  std::string text =
      fmt::format("  {:<40} {:<12} {:>14} {:>12} {:>14}\n", "layer", "name", "output", "parameters", "MACs");
  text += fmt::format("  {:<40} {:<12} {:>14}\n", "input", "", shape_text(input_shape));
  summary_rows(plan, "", text);
  int64_t parameters = 0, macs = 0;
  for (const PlannedLayer& l : plan) {
    parameters += l.parameters;
    macs += l.macs;
  }
  text += fmt::format("  total: {} parameters, {} MACs per sample, {} approximate layers\n", parameters, macs,
                      approximate_layers_of(plan).size());
  return text;
}

}  // namespace axtrain
