#include "axtrain/hw/energy.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <initializer_list>
#include <limits>
#include <type_traits>
#include <variant>

namespace axtrain {
namespace {

constexpr double kNoMax = std::numeric_limits<double>::max();

std::string range_text(const EnergyField& f) {
  return f.max == kNoMax ? fmt::format(">= {}", f.min) : fmt::format("in [{}, {}]", f.min, f.max);
}

void check_field_value(const EnergyField& f, double value) {
  AXT_CHECK(std::isfinite(value) && value >= f.min && value <= f.max,
            "energy parameter {} = {} is out of range: it must be {}{} ({})", f.name, value, range_text(f),
            f.unit == "1" ? "" : fmt::format(" {}", f.unit), f.help);
}

// Overflow-checked product of positive counts for the layer-work helpers.
std::int64_t count_product(std::initializer_list<std::int64_t> factors, std::string_view what) {
  std::int64_t result = 1;
  for (std::int64_t f : factors) {
    AXT_CHECK(f == 0 || result <= std::numeric_limits<std::int64_t>::max() / f,
              "{} overflows a 64-bit count; the layer is too large to model", what);
    result *= f;
  }
  return result;
}

}  // namespace

const std::vector<EnergyField>& energy_fields() {
  static const std::vector<EnergyField> fields = {
      {"exact_multiply_pj", "pJ", "energy of one exact 8x8 multiply", &EnergyParams::exact_multiply_pj, 0, kNoMax},
      {"accumulate_pj", "pJ", "energy of one 32-bit accumulate, once per MAC", &EnergyParams::accumulate_pj, 0, kNoMax},
      {"sram_read_pj", "pJ", "SRAM read energy per byte at nominal voltage", &EnergyParams::sram_read_pj, 0, kNoMax},
      {"sram_write_pj", "pJ", "SRAM write energy per byte at nominal voltage", &EnergyParams::sram_write_pj, 0, kNoMax},
      {"sram_leakage_pj", "pJ", "SRAM leakage energy per byte accessed at nominal voltage (an estimate)",
       &EnergyParams::sram_leakage_pj, 0, kNoMax},
      {"sram_leakage_exponent", "1", "SRAM leakage power scales as V^x", &EnergyParams::sram_leakage_exponent, 0, 10},
      {"nominal_voltage", "V", "nominal supply voltage", &EnergyParams::nominal_voltage, 0.1, 5},
      {"kulkarni_saving", "1", "multiply energy saving of kulkarni:7, all 2x2 blocks approximate",
       &EnergyParams::kulkarni_saving, 0, 1},
      {"drum_overhead", "1", "DRUM leading-one detectors and shifters as a share of the exact multiply",
       &EnergyParams::drum_overhead, 0, 1},
      {"mitchell_ratio", "1", "Mitchell multiply energy relative to the exact multiply", &EnergyParams::mitchell_ratio,
       0, 1},
  };
  return fields;
}

void set_energy_param(EnergyParams& params, std::string_view name, double value) {
  const auto& fields = energy_fields();
  const auto it = std::find_if(fields.begin(), fields.end(), [&](const EnergyField& f) { return f.name == name; });
  if (it == fields.end()) {
    std::string known;
    for (const auto& f : fields) known += (known.empty() ? "" : ", ") + std::string(f.name);
    AXT_FAIL(
        "unknown energy parameter '{}' (value {}); known: {}; per-multiplier energies go in the table "
        "[energy.multiply_pj], keyed by the multiplier spec",
        name, value, known);
  }
  check_field_value(*it, value);
  params.*(it->member) = value;
}

void check_energy_params(const EnergyParams& params) {
  for (const auto& f : energy_fields()) check_field_value(f, params.*(f.member));
  for (const auto& [spec, pj] : params.multiply_pj)
    AXT_CHECK(std::isfinite(pj) && pj >= 0,
              "[energy.multiply_pj] \"{}\" = {} is invalid: a multiply energy must be a finite number of pJ >= 0",
              printable(spec), pj);
}

double multiply_energy_ratio(const ExactMul&, const EnergyParams&) {
  return 1.0;
}

double multiply_energy_ratio(const KulkarniMul& design, const EnergyParams& params) {
  AXT_ASSERT(design.k >= 0 && design.k <= KulkarniMul::kMax);
  int approximate_blocks = 0;
  for (int i = 0; i < 4; ++i)
    for (int j = 0; j < 4; ++j) approximate_blocks += i + j < design.k ? 1 : 0;
  return 1.0 - params.kulkarni_saving * approximate_blocks / 16.0;
}

double multiply_energy_ratio(const TruncatedMul& design, const EnergyParams&) {
  AXT_ASSERT(design.t >= 0 && design.t <= TruncatedMul::kMax);
  int dropped_bits = 0;
  for (int i = 0; i < 8; ++i)
    for (int j = 0; j < 8; ++j) dropped_bits += i + j < design.t ? 1 : 0;
  return 1.0 - dropped_bits / 64.0;
}

double multiply_energy_ratio(const DrumMul& design, const EnergyParams& params) {
  AXT_ASSERT(design.k >= DrumMul::kMin && design.k <= DrumMul::kMax);
  const double core = (design.k / 8.0) * (design.k / 8.0);
  return std::min(1.0, core + params.drum_overhead);
}

double multiply_energy_ratio(const MitchellMul&, const EnergyParams& params) {
  return params.mitchell_ratio;
}

double multiply_energy_pj(const Multiplier& m, const EnergyParams& params) {
  check_energy_params(params);
  if (const auto it = params.multiply_pj.find(m.spec()); it != params.multiply_pj.end()) return it->second;
  const double ratio = std::visit(
      [&](const auto& design) -> double {
        if constexpr (std::is_same_v<std::decay_t<decltype(design)>, LutMul>) {
          AXT_FAIL(
              "multiplier '{}': the energy of a table multiplier is unknown; give it in pJ per multiply in the "
              "config as [energy.multiply_pj] \"{}\" = 0.2 (or --energy-multiply_pj '{}=0.2')",
              printable(m.spec()), printable(m.spec()), printable(m.spec()));
        } else {
          return multiply_energy_ratio(design, params);
        }
      },
      m.design());
  AXT_ASSERT(ratio >= 0 && ratio <= 1);
  return params.exact_multiply_pj * ratio;
}

std::string_view multiply_energy_source(const Multiplier& m, const EnergyParams& params) {
  if (params.multiply_pj.contains(m.spec())) return "user";
  return std::visit(
      [](const auto& design) -> std::string_view {
        using D = std::decay_t<decltype(design)>;
        if constexpr (std::is_same_v<D, ExactMul> || std::is_same_v<D, KulkarniMul>) return "paper";
        if constexpr (std::is_same_v<D, LutMul>) return "unknown";
        return "estimate";
      },
      m.design());
}

double mac_energy_pj(const Multiplier& m, const EnergyParams& params) {
  return multiply_energy_pj(m, params) + params.accumulate_pj;
}

double sram_access_energy_pj(double voltage, bool write, const EnergyParams& params) {
  check_energy_params(params);
  const double vn = params.nominal_voltage;
  AXT_CHECK(std::isfinite(voltage) && voltage > 0 && voltage <= 1.5 * vn,
            "SRAM voltage {} V is out of range: it must be in (0, {}] V (1.5 x nominal_voltage {} V)", voltage,
            1.5 * vn, vn);
  const double r = voltage / vn;
  const double dynamic = write ? params.sram_write_pj : params.sram_read_pj;
  return dynamic * r * r + params.sram_leakage_pj * std::pow(r, params.sram_leakage_exponent);
}

LayerWork dense_layer_work(int in, int out) {
  AXT_CHECK(in >= 1 && out >= 1, "dense layer {} -> {}: both sizes must be >= 1", in, out);
  const std::int64_t macs = std::int64_t{in} * out;
  return {.macs = macs, .weight_reads = macs, .activation_reads = in, .activation_writes = out};
}

LayerWork conv2d_layer_work(int in_channels, int out_channels, int height, int width, int kernel, int stride,
                            int padding) {
  AXT_CHECK(in_channels >= 1 && out_channels >= 1 && height >= 1 && width >= 1 && kernel >= 1 && stride >= 1,
            "conv2d layer (in_channels {}, out_channels {}, height {}, width {}, kernel {}, stride {}): every size "
            "must be >= 1",
            in_channels, out_channels, height, width, kernel, stride);
  AXT_CHECK(padding >= 0, "conv2d layer: padding {} must be >= 0", padding);
  AXT_CHECK(kernel <= height + 2 * padding && kernel <= width + 2 * padding,
            "conv2d layer: kernel {} is larger than the padded input {} x {} (padding {}); use a smaller kernel or "
            "more padding",
            kernel, height + 2 * padding, width + 2 * padding, padding);
  const std::int64_t oh = (height + 2 * padding - kernel) / stride + 1;
  const std::int64_t ow = (width + 2 * padding - kernel) / stride + 1;
  const std::int64_t outputs = count_product({out_channels, oh, ow}, "conv2d outputs");
  const std::int64_t taps = count_product({in_channels, kernel, kernel}, "conv2d kernel size");
  return {.macs = count_product({outputs, taps}, "conv2d MACs"),
          .weight_reads = count_product({out_channels, taps}, "conv2d weights"),
          .activation_reads = count_product({in_channels, height, width}, "conv2d inputs"),
          .activation_writes = outputs};
}

EnergyBreakdown energy_per_inference(std::span<const LayerWork> layers, const Multiplier& m, double voltage,
                                     const EnergyParams& params) {
  const double multiply = multiply_energy_pj(m, params);
  const double mac = multiply + params.accumulate_pj;
  const double read = sram_access_energy_pj(voltage, false, params);
  const double write = sram_access_energy_pj(voltage, true, params);
  EnergyBreakdown result;
  for (std::size_t i = 0; i < layers.size(); ++i) {
    const LayerWork& w = layers[i];
    AXT_CHECK(w.macs >= 0 && w.weight_reads >= 0 && w.activation_reads >= 0 && w.activation_writes >= 0,
              "layer {}: work counts must be >= 0 (macs {}, weight_reads {}, activation_reads {}, "
              "activation_writes {})",
              i, w.macs, w.weight_reads, w.activation_reads, w.activation_writes);
    result.multiply_pj += static_cast<double>(w.macs) * multiply;
    result.accumulate_pj += static_cast<double>(w.macs) * params.accumulate_pj;
    result.mac_pj += static_cast<double>(w.macs) * mac;
    result.sram_pj += (static_cast<double>(w.weight_reads) + static_cast<double>(w.activation_reads)) * read +
                      static_cast<double>(w.activation_writes) * write;
  }
  result.total_pj = result.mac_pj + result.sram_pj;
  return result;
}

double energy_saving(const EnergyBreakdown& config, const EnergyBreakdown& exact_nominal) {
  AXT_CHECK(std::isfinite(exact_nominal.total_pj) && exact_nominal.total_pj > 0,
            "energy saving: the exact-multiplier baseline is {} pJ per inference; it must be > 0 (give it at least "
            "one layer with work)",
            exact_nominal.total_pj);
  return 1.0 - config.total_pj / exact_nominal.total_pj;
}

}  // namespace axtrain
