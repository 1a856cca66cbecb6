#include "axtrain/net/network_spec.h"

#include "axtrain/util/check.h"
#include "axtrain/util/fields.h"
#include "axtrain/util/text.h"

#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <limits>

#include <unistd.h>

namespace axtrain {
namespace {

int as_int(int64_t value, const char* what) {
  AXT_CHECK(value >= 1 && value <= std::numeric_limits<int>::max(),
            "network {} is {}; it must be between 1 and {}; fix the model or dataset shape", what, value,
            std::numeric_limits<int>::max());
  return static_cast<int>(value);
}

// LeNet's input check, with the layouts image arrays often come in named: H x W (no channel axis) and
// H x W x C (channels last).
void check_lenet_input(const std::vector<int64_t>& in) {
  const std::string shape = in.empty() ? "(none)" : fmt::format("{}", fmt::join(in, "x"));
  const bool flat_image = in.size() == 2 && in[0] >= 12 && in[1] >= 12;
  const bool channels_last = in.size() == 3 && in[0] >= 12 && in[1] >= 12 && in[2] <= 4;
  const std::string hint = flat_image      ? " (one channel? add the axis: x[:, None] in NumPy)"
                           : channels_last ? " (channels last? make it C x H x W: x.transpose(0, 3, 1, 2) in NumPy)"
                                           : "";
  AXT_CHECK(in.size() == 3 && !channels_last,
            "network lenet needs image inputs of shape {{C, H, W}}; this dataset's samples have shape {}{}; or use "
            "network = \"mlp\"",
            shape, hint);
  // conv1 (5x5, padding 2) keeps H x W, max pooling halves it, conv2 (5x5) takes 4 off, pooling halves again.
  AXT_CHECK(in[1] / 2 >= 6 && in[2] / 2 >= 6,
            "network lenet needs images of at least 12 x 12 pixels (its second convolution and pooling leave 1 x 1 "
            "of 12 x 12); this dataset's samples have shape {}; use network = \"mlp\"",
            shape);
}

std::string preset_text(const NetworkSpec& spec) {
  const std::string_view a = name_of(spec.activation);
  if (spec.network == "lenet")
    return fmt::format(
        "conv(6,5,pad=2) {0} maxpool(2) conv(16,5) {0} maxpool(2) flatten linear(120) {0} linear(84) "
        "{0} linear",
        a);
  if (spec.network == "resnet8") {
    const auto block = [&](int channels, int stride) {
      return fmt::format("res(conv({0},3,stride={1},pad=1,bias=false) bn {2} conv({0},3,pad=1,bias=false) bn) {2}",
                         channels, stride, a);
    };
    return fmt::format("conv(16,3,pad=1,bias=false) bn {} {} {} {} gap linear", a, block(16, 1), block(32, 2),
                       block(64, 2));
  }
  if (spec.network == "vgg8") {
    std::string text;
    for (int channels : {32, 64, 128})
      text += fmt::format("conv({0},3,pad=1,bias=false) bn {1} conv({0},3,pad=1,bias=false) bn {1} maxpool(2) ",
                          channels, a);
    return text + fmt::format("flatten linear(256) {} dropout(0.5) linear", a);
  }
  AXT_ASSERT(spec.network == "mlp");
  std::string text = "flatten";
  for (int64_t size : spec.hidden) {
    AXT_CHECK(size >= 1 && size <= std::numeric_limits<int>::max(),
              "network mlp has a hidden size {}; each must be "
              "from 1 to {}",
              size, std::numeric_limits<int>::max());
    text += fmt::format(" linear({}) {}", size, a);
  }
  return text + " linear";
}

bool is_preset(const std::string& network) {
  return std::find(kNetworkPresets.begin(), kNetworkPresets.end(), network) != kNetworkPresets.end();
}

}  // namespace

void check_network_text(const std::string& network) {
  if (is_preset(network)) return;
  if (network.starts_with(kTorchScriptPrefix)) {
    AXT_CHECK(!torchscript_path(network).empty(),
              "network torchscript: names no file; give torchscript:PATH of a model saved "
              "with torch.jit.script(model).save(PATH)");
    return;
  }
  const bool one_word = !network.empty() && std::all_of(network.begin(), network.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '-';
  });
  if (one_word) {  // a preset's name mistyped, or a one-layer list
    try {
      parse_layers(network);
      return;
    } catch (const Error&) {
      const std::string near = closest_name(network, StringList(kNetworkPresets.begin(), kNetworkPresets.end()));
      AXT_FAIL(
          "unknown network '{}'; use one of {}{} or a layer list such as \"flatten linear(256) relu linear\" "
          "(docs/networks.md)",
          printable(network), fmt::join(kNetworkPresets, ", "),
          near.empty() ? "" : fmt::format(" (did you mean \"{}\"?)", near));
    }
  }
  parse_layers(network);
}

std::vector<LayerSpec> network_layers(const NetworkSpec& spec) {
  if (!is_preset(spec.network)) return parse_layers(spec.network);
  std::vector<LayerSpec> layers = parse_layers(preset_text(spec));
  if (spec.network == "mlp") {  // the names of the checkpoints before layer lists: fc0, fc1, ...
    int index = 0;
    for (LayerSpec& l : layers)
      if (l.kind == LayerKind::kLinear) l.name = fmt::format("fc{}", index++);
  }
  return layers;
}

std::vector<PlannedLayer> network_plan(const NetworkSpec& spec) {
  if (spec.network == "lenet") check_lenet_input(spec.input_shape);
  if (spec.network == "mlp") {
    AXT_CHECK(!spec.input_shape.empty(),
              "network mlp has an empty input shape; give the per-sample shape, e.g. {{784}}");
  }
  try {
    return plan_layers(network_layers(spec), spec.input_shape, spec.outputs);
  } catch (const Error& e) {
    if (!is_preset(spec.network)) throw;
    AXT_FAIL("preset network {}: {}", spec.network, e.what());
  }
}

std::string network_name(const NetworkSpec& spec) {
  if (!spec.torchscript.empty()) return fmt::format("{}{}", kTorchScriptPrefix, spec.torchscript);
  if (spec.network == "mlp") return fmt::format("mlp (hidden {})", fmt::join(spec.hidden, ","));
  return is_preset(spec.network) ? spec.network : fmt::format("'{}'", spec.network);
}

std::vector<LayerShape> approximate_layers(const NetworkSpec& spec) {
  const std::vector<PlannedLayer> plan = network_plan(spec);
  std::vector<LayerShape> shapes;
  for (const PlannedLayer* l : approximate_layers_of(plan)) {
    const LayerSpec& s = l->spec;
    if (s.kind == LayerKind::kLinear) {
      shapes.push_back({.in = as_int(l->in[0], "input size"), .out = as_int(s.out, "layer size")});
    } else {
      shapes.push_back({.conv = true,
                        .in = as_int(l->in[0], "input channels"),
                        .out = as_int(s.out, "output channels"),
                        .kernel = as_int(s.kernel, "kernel"),
                        .stride = as_int(s.stride, "stride"),
                        .padding = static_cast<int>(s.padding),
                        .groups = as_int(s.groups, "groups"),
                        .height = as_int(l->in[1], "input height"),
                        .width = as_int(l->in[2], "input width")});
    }
  }
  return shapes;
}

MemoryEstimate training_memory(const NetworkSpec& spec, int64_t batch_size) {
  constexpr double kBytesPerParameter = 48, kBytesPerActivation = 64;
  MemoryEstimate m;
  for (const LayerShape& l : approximate_layers(spec)) {
    const double in = static_cast<double>(l.in), out = static_cast<double>(l.out);
    const double k = static_cast<double>(l.kernel), area = static_cast<double>(l.height) * l.width;
    m.parameters += in * out * k * k / l.groups + out;
    m.activations += static_cast<double>(batch_size) * (in + out) * (l.conv ? area : 1);
  }
  m.bytes = kBytesPerParameter * m.parameters + kBytesPerActivation * m.activations;
  return m;
}

void check_training_memory(const NetworkSpec& spec, int64_t batch_size, double available_bytes) {
  if (available_bytes <= 0)
    available_bytes = static_cast<double>(::sysconf(_SC_PHYS_PAGES)) * static_cast<double>(::sysconf(_SC_PAGE_SIZE));
  const MemoryEstimate m = training_memory(spec, batch_size);
  AXT_CHECK(m.bytes <= available_bytes,
            "training this network needs about {:.1f} GB ({:.3g} parameters, {:.3g} activation values per batch of "
            "{}), more than this machine's {:.1f} GB of memory; use smaller hidden sizes, a smaller network or a "
            "smaller batch_size",
            m.bytes / 1e9, m.parameters, m.activations, batch_size, available_bytes / 1e9);
}

}  // namespace axtrain
