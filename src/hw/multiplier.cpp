#include "axtrain/hw/multiplier.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <charconv>
#include <mutex>

namespace axtrain {
namespace {

constexpr std::string_view kKnownSpecs =
    "exact, kulkarni:k (k 0..7), K1, K2, K3, truncated:t (t 0..15), drum:k (k 1..8), mitchell, "
    "lut:PATH[,signed=twos|offset][,format=bin|text][,metric=value]";

int parse_parameter(std::string_view spec, std::string_view name, std::string_view text, int lo, int hi,
                    std::string_view meaning) {
  int value = 0;
  const auto [ptr, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  AXT_CHECK(ec == std::errc() && ptr == text.data() + text.size() && !text.empty() && value >= lo && value <= hi,
            "multiplier '{}': {} must be an integer in {}..{} ({}); e.g. {}:{}", printable(spec), name, lo, hi, meaning,
            spec.substr(0, spec.find(':')), hi);
  return value;
}

[[noreturn]] void fail_unknown(std::string_view spec) {
  const bool looks_like_path = spec.find_first_of("/.") != std::string_view::npos;
  AXT_FAIL("unknown multiplier '{}'; known: {}{}", printable(spec), kKnownSpecs,
           looks_like_path ? fmt::format("; to load a table file write lut:{}", spec) : "");
}

}  // namespace

MultiplierDesign parse_multiplier_design(std::string_view spec) {
  if (spec == "exact") return ExactMul{};
  if (spec == "mitchell") return MitchellMul{};
  if (spec == "K1") return KulkarniMul{.k = 5};
  if (spec == "K2") return KulkarniMul{.k = 6};
  if (spec == "K3") return KulkarniMul{.k = 7};
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) fail_unknown(spec);
  const std::string_view name = spec.substr(0, colon);
  const std::string_view arg = spec.substr(colon + 1);
  if (name == "kulkarni")
    return KulkarniMul{
        .k = parse_parameter(spec, "k", arg, 0, KulkarniMul::kMax, "2x2 blocks with i+j < k are approximate")};
  if (name == "truncated")
    return TruncatedMul{
        .t = parse_parameter(spec, "t", arg, 0, TruncatedMul::kMax, "partial-product bits with i+j < t are dropped")};
  if (name == "drum")
    return DrumMul{.k = parse_parameter(spec, "k", arg, DrumMul::kMin, DrumMul::kMax, "bits kept per operand")};
  if (name == "lut") {
    const auto comma = arg.find(',');
    const std::string path(arg.substr(0, comma));
    AXT_CHECK(!path.empty(), "multiplier '{}': lut needs a table file path, e.g. lut:tables/mul8u.bin",
              printable(spec));
    return LutMul{
        .path = path,
        .options = comma == std::string_view::npos ? TableOptions{} : parse_table_options(arg.substr(comma + 1))};
  }
  fail_unknown(spec);
}

void check_multiplier_spec(std::string_view spec) {
  const MultiplierDesign design = parse_multiplier_design(spec);
  if (const auto* lut = std::get_if<LutMul>(&design)) (void)load_table(lut->path, lut->options);
}

ProductTable tabulate(const MultiplierDesign& design) {
  AXT_ASSERT(!std::holds_alternative<LutMul>(design));
  std::vector<std::int32_t> products(static_cast<std::size_t>(ProductTable::kSize) * ProductTable::kSize);
  std::visit(
      [&products](const auto& d) {
        if constexpr (!std::is_same_v<std::decay_t<decltype(d)>, LutMul>) {
          for (int a = 0; a < 256; ++a)
            for (int b = 0; b < 256; ++b) products[a * 256 + b] = d(a, b);
        }
      },
      design);
  return ProductTable(false, std::move(products));
}

struct Multiplier::Shared {
  explicit Shared(ProductTable t) : table(std::move(t)) {}
  const ProductTable table;
  std::once_flag decomposed;
  ErrorDecomposition decomposition;
  std::once_flag tabulated_errors;
  std::unique_ptr<RelativeErrorTable> relative_errors;
};

Multiplier::Multiplier(std::string spec, MultiplierDesign design, std::shared_ptr<Shared> shared)
    : spec_(std::move(spec)), design_(std::move(design)), shared_(std::move(shared)) {}

Multiplier Multiplier::parse(std::string_view spec) {
  MultiplierDesign design = parse_multiplier_design(spec);
  const auto* lut = std::get_if<LutMul>(&design);
  auto shared = std::make_shared<Shared>(lut ? load_table(lut->path, lut->options) : tabulate(design));
  return Multiplier(std::string(spec), std::move(design), std::move(shared));
}

const ProductTable& Multiplier::table() const {
  return shared_->table;
}

const ErrorDecomposition& Multiplier::decomposition() const {
  std::call_once(shared_->decomposed, [this] { shared_->decomposition = decompose_error(shared_->table); });
  return shared_->decomposition;
}

const RelativeErrorTable& Multiplier::relative_errors() const {
  std::call_once(shared_->tabulated_errors,
                 [this] { shared_->relative_errors = std::make_unique<RelativeErrorTable>(shared_->table); });
  return *shared_->relative_errors;
}

std::string Multiplier::description() const {
  struct Describe {
    std::string operator()(const ExactMul&) const { return "exact 8x8 multiplier"; }
    std::string operator()(const KulkarniMul& d) const {
      return fmt::format("Kulkarni under-designed multiplier, 2x2 blocks with i+j < {} approximate (3x3=7)", d.k);
    }
    std::string operator()(const TruncatedMul& d) const {
      return fmt::format("truncated multiplier, partial-product bits with i+j < {} dropped", d.t);
    }
    std::string operator()(const DrumMul& d) const {
      return fmt::format("DRUM, {} leading bits per operand, unbiased", d.k);
    }
    std::string operator()(const MitchellMul&) const { return "Mitchell logarithmic multiplier"; }
    std::string operator()(const LutMul& d) const {
      return fmt::format("{} table from '{}'", d.options.layout ? "signed" : "unsigned", d.path);
    }
  };
  return std::visit(Describe{}, design_);
}

std::vector<std::string> builtin_multiplier_specs() {
  std::vector<std::string> specs = {"exact", "K1", "K2", "K3"};
  for (int k = 1; k <= 4; ++k) specs.push_back(fmt::format("kulkarni:{}", k));
  for (int t : {4, 6, 8, 10}) specs.push_back(fmt::format("truncated:{}", t));
  for (int k : {3, 4, 5, 6}) specs.push_back(fmt::format("drum:{}", k));
  specs.push_back("mitchell");
  return specs;
}

}  // namespace axtrain
