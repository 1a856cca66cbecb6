// The text form of a layer list (layer_graph.h): parse_layers and layers_text.
#include "axtrain/net/layer_graph.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <cmath>
#include <optional>
#include <utility>

namespace axtrain {
namespace {

struct KindName {
  LayerKind kind;
  std::string_view name;
};
// The first name of each kind is the one layers_text writes.
constexpr std::array<KindName, 16> kKindNames = {{{LayerKind::kConv2d, "conv"},
                                                  {LayerKind::kConv2d, "conv2d"},
                                                  {LayerKind::kLinear, "linear"},
                                                  {LayerKind::kMaxPool, "maxpool"},
                                                  {LayerKind::kAvgPool, "avgpool"},
                                                  {LayerKind::kGlobalAvgPool, "gap"},
                                                  {LayerKind::kBatchNorm, "bn"},
                                                  {LayerKind::kBatchNorm, "batchnorm"},
                                                  {LayerKind::kRelu, "relu"},
                                                  {LayerKind::kRelu6, "relu6"},
                                                  {LayerKind::kTanh, "tanh"},
                                                  {LayerKind::kSigmoid, "sigmoid"},
                                                  {LayerKind::kFlatten, "flatten"},
                                                  {LayerKind::kDropout, "dropout"},
                                                  {LayerKind::kResidual, "res"},
                                                  {LayerKind::kResidual, "residual"}}};
constexpr std::string_view kKnownLayers =
    "conv(out, kernel), linear(out), maxpool(k), avgpool(k), gap, bn, relu, relu6, tanh, sigmoid, flatten, "
    "dropout(p), res(layers... [| shortcut layers...])";

std::string_view kind_name(LayerKind kind) {
  for (const KindName& k : kKindNames)
    if (k.kind == kind) return k.name;
  AXT_ASSERT(false);
}

class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  std::vector<LayerSpec> layers(bool nested) {
    std::vector<LayerSpec> out;
    for (skip_space(); at_ < text_.size() && text_[at_] != ')' && text_[at_] != '|'; skip_space())
      out.push_back(layer());
    if (!nested && at_ < text_.size())
      fail_at(at_, text_[at_] == '|' ? "a '|' outside res(...)" : "a ')' without its '('",
              text_[at_] == '|' ? "write res(BODY | SHORTCUT)" : "remove it");
    return out;
  }

 private:
  LayerSpec layer() {
    const std::size_t start = at_;
    while (at_ < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[at_])) != 0 || text_[at_] == '_'))
      ++at_;
    const std::string_view word = text_.substr(start, at_ - start);
    if (word.empty()) fail_at(start, fmt::format("'{}' where a layer name should be", text_[start]), known());
    std::optional<LayerKind> kind;
    for (const KindName& k : kKindNames)
      if (k.name == word) kind = k.kind;
    if (!kind) fail_at(start, fmt::format("unknown layer '{}'", printable(word)), known());
    LayerSpec spec{.kind = *kind};
    const bool has_args = at_ < text_.size() && text_[at_] == '(';
    if (spec.kind == LayerKind::kResidual) {
      if (!has_args) fail_at(start, "res needs its body in parentheses", "write res(conv(16,3,pad=1) bn relu ...)");
      ++at_;
      spec.body = layers(true);
      if (at_ < text_.size() && text_[at_] == '|') {  // an explicit shortcut
        ++at_;
        spec.shortcut = layers(true);
        if (spec.shortcut.empty())
          fail_at(start, "res(... | ) has an empty shortcut", "give its layers or drop the '|'");
      }
      expect_close(start);
      if (spec.body.empty()) fail_at(start, "res() has an empty body", "give its layers: res(conv(16,3,pad=1) bn)");
      return spec;
    }
    std::vector<std::string_view> args;
    if (has_args) {
      ++at_;
      const std::size_t open = at_;
      while (at_ < text_.size() && text_[at_] != ')' && text_[at_] != '(') ++at_;
      if (at_ < text_.size() && text_[at_] == '(') fail_at(at_, "a '(' inside arguments", "only res(...) nests");
      const std::string_view inside = text_.substr(open, at_ - open);
      expect_close(start);
      for (std::size_t from = 0;;) {
        const std::size_t comma = inside.find(',', from);
        args.push_back(trim(inside.substr(from, comma == std::string_view::npos ? inside.npos : comma - from)));
        if (comma == std::string_view::npos) break;
        from = comma + 1;
      }
      if (args.size() == 1 && args[0].empty()) args.clear();
    }
    set_arguments(spec, args, text_.substr(start, at_ - start));
    return spec;
  }

  void set_arguments(LayerSpec& spec, const std::vector<std::string_view>& args, std::string_view written) {
    // The positional order and the keys each kind takes.
    std::vector<std::string_view> positional, keys;
    switch (spec.kind) {
      case LayerKind::kConv2d:
        positional = {"out", "kernel"};
        keys = {"out", "kernel", "stride", "pad", "groups", "bias", "name"};
        break;
      case LayerKind::kLinear:
        positional = {"out"};
        keys = {"out", "bias", "name"};
        break;
      case LayerKind::kMaxPool:
      case LayerKind::kAvgPool:
        positional = {"kernel"};
        keys = {"kernel", "stride", "pad"};
        break;
      case LayerKind::kDropout:
        positional = {"p"};
        keys = {"p"};
        break;
      case LayerKind::kBatchNorm: keys = {"name"}; break;
      default: break;
    }
    const auto fail = [&](const std::string& what, const std::string& fix) {
      AXT_FAIL("network layer '{}': {}; {}", printable(written), what, fix);
    };
    if (keys.empty() && !args.empty())
      fail(fmt::format("{} takes no arguments", kind_name(spec.kind)),
           fmt::format("write {} alone", kind_name(spec.kind)));
    std::vector<std::string_view> seen;
    bool named = false;
    for (std::size_t i = 0; i < args.size(); ++i) {
      std::string_view key, value = args[i];
      if (const std::size_t eq = value.find('='); eq != std::string_view::npos) {
        key = trim(value.substr(0, eq));
        value = trim(value.substr(eq + 1));
        named = true;
      } else if (named) {
        fail("a positional argument after a key=value one", "write the positional ones first");
      } else if (i < positional.size()) {
        key = positional[i];
      } else {
        fail(fmt::format("{} takes {} positional argument{}, got {}", kind_name(spec.kind), positional.size(),
                         positional.size() == 1 ? "" : "s", i + 1),
             fmt::format("name the rest: {}", fmt::join(keys, "=, ")) + (keys.empty() ? "" : "="));
      }
      if (key == "s") key = "stride";
      if (key == "padding" || (key == "p" && spec.kind != LayerKind::kDropout)) key = "pad";
      if (key == "k") key = "kernel";
      if (key == "g") key = "groups";
      if (std::find(keys.begin(), keys.end(), key) == keys.end())
        fail(fmt::format("unknown argument '{}'", printable(key)),
             fmt::format("{} takes {}", kind_name(spec.kind), fmt::join(keys, ", ")));
      if (std::find(seen.begin(), seen.end(), key) != seen.end())
        fail(fmt::format("'{}' is given twice", key), "give it once");
      seen.push_back(key);
      if (key == "name") {
        const bool valid = !value.empty() && std::all_of(value.begin(), value.end(), [](char c) {
          return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_';
        });
        if (!valid) fail(fmt::format("name={}", printable(value)), "use letters, digits and _");
        spec.name = std::string(value);
      } else if (key == "bias") {
        if (value != "true" && value != "false") fail(fmt::format("bias={}", printable(value)), "use true or false");
        spec.bias = value == "true";
      } else if (key == "p") {
        double p = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), p);
        if (ec != std::errc() || end != value.data() + value.size() || !(p >= 0 && p < 1))
          fail(fmt::format("dropout probability '{}'", printable(value)), "give a number in [0, 1), e.g. dropout(0.5)");
        spec.p = p;
      } else {
        int64_t n = 0;
        const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
        const int64_t least = key == "pad" ? 0 : 1;
        if (ec != std::errc() || end != value.data() + value.size() || n < least || n > (int64_t{1} << 30))
          fail(fmt::format("{}={} is not a whole number from {} to 2^30", key, printable(value), least),
               fmt::format("e.g. {}", kind_name(spec.kind) == "conv" ? "conv(16, 3, pad=1)" : "maxpool(2)"));
        (key == "out"      ? spec.out
         : key == "kernel" ? spec.kernel
         : key == "stride" ? spec.stride
         : key == "pad"    ? spec.padding
                           : spec.groups) = n;
      }
    }
    const auto given = [&](std::string_view key) { return std::find(seen.begin(), seen.end(), key) != seen.end(); };
    const bool pool = spec.kind == LayerKind::kMaxPool || spec.kind == LayerKind::kAvgPool;
    if (spec.kind == LayerKind::kConv2d && (!given("out") || !given("kernel")))
      fail("conv needs its out channels and kernel size", "write conv(OUT, KERNEL), e.g. conv(16, 3, pad=1)");
    if (pool && !given("kernel"))
      fail(fmt::format("{} needs its kernel size", kind_name(spec.kind)),
           fmt::format("write e.g. {}(2)", kind_name(spec.kind)));
    // Resolved here, so that a spec equals the parse of its own text.
    if (spec.stride == 0) spec.stride = pool ? spec.kernel : 1;
  }

  void expect_close(std::size_t start) {
    if (at_ >= text_.size() || text_[at_] != ')') fail_at(start, "a '(' without its ')'", "close the parentheses");
    ++at_;
  }
  void skip_space() {
    while (at_ < text_.size() && (std::isspace(static_cast<unsigned char>(text_[at_])) != 0 || text_[at_] == ','))
      ++at_;
  }
  static std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
    return s;
  }
  static std::string known() { return fmt::format("known layers: {}", kKnownLayers); }
  [[noreturn]] void fail_at(std::size_t at, const std::string& what, const std::string& fix) const {
    AXT_FAIL("network '{}' at character {}: {}; {}", printable(text_), at + 1, what, fix);
  }

  std::string_view text_;
  std::size_t at_ = 0;
};

std::string number_text(double p) {
  return fmt::format("{}", p);
}

}  // namespace

std::vector<LayerSpec> parse_layers(std::string_view text) {
  std::vector<LayerSpec> layers = Parser(text).layers(false);
  AXT_CHECK(!layers.empty(),
            "network '{}' has no layers; give a preset (mlp, lenet, resnet8, vgg8) or layers such "
            "as \"flatten linear(256) relu linear\"",
            printable(text));
  return layers;
}

std::string layer_text(const LayerSpec& l) {
  const std::string_view name = kind_name(l.kind);
  // The arguments after the sizes: ",bias=false" and ",name=NAME" where they are not the defaults.
  const std::string tail = std::string(l.bias ? "" : ",bias=false") + (l.name.empty() ? "" : ",name=" + l.name);
  switch (l.kind) {
    case LayerKind::kConv2d:
      return fmt::format("{}({},{}{}{}{}{})", name, l.out, l.kernel,
                         l.stride > 1 ? fmt::format(",stride={}", l.stride) : "",
                         l.padding > 0 ? fmt::format(",pad={}", l.padding) : "",
                         l.groups > 1 ? fmt::format(",groups={}", l.groups) : "", tail);
    case LayerKind::kLinear:
      if (l.out == 0) return tail.empty() ? std::string(name) : fmt::format("{}({})", name, tail.substr(1));
      return fmt::format("{}({}{})", name, l.out, tail);
    case LayerKind::kBatchNorm: return l.name.empty() ? std::string(name) : fmt::format("{}(name={})", name, l.name);
    case LayerKind::kMaxPool:
    case LayerKind::kAvgPool:
      return fmt::format("{}({}{}{})", name, l.kernel,
                         l.stride != 0 && l.stride != l.kernel ? fmt::format(",stride={}", l.stride) : "",
                         l.padding > 0 ? fmt::format(",pad={}", l.padding) : "");
    case LayerKind::kDropout: return fmt::format("{}({})", name, number_text(l.p));
    case LayerKind::kResidual:
      return fmt::format("{}({}{})", name, layers_text(l.body),
                         l.shortcut.empty() ? "" : " | " + layers_text(l.shortcut));
    default: return std::string(name);
  }
}

std::string layers_text(const std::vector<LayerSpec>& layers) {
  std::string text;
  for (const LayerSpec& l : layers) text += (text.empty() ? "" : " ") + layer_text(l);
  return text;
}

}  // namespace axtrain
