#include "axtrain/config/energy_config.h"

#include "axtrain/util/check.h"
#include "axtrain/util/text.h"

#include <fmt/format.h>

#include <charconv>
#include <cmath>
#include <limits>

namespace axtrain {

const std::vector<Field<EnergyParams>>& energy_config_fields() {
  static const std::vector<Field<EnergyParams>> fields = [] {
    std::vector<Field<EnergyParams>> out;
    for (const EnergyField& f : energy_fields()) {
      const FieldRule rule =
          f.max == std::numeric_limits<double>::max() ? FieldRule::at_least(f.min) : FieldRule::between(f.min, f.max);
      const std::string unit = f.unit == "1" ? "" : fmt::format(", {}", f.unit);
      out.emplace_back(std::string(f.name), f.member, fmt::format("Energy model: {}{}", f.help, unit), rule);
    }
    return out;
  }();
  return fields;
}

void set_multiply_energy(EnergyParams& params, std::string_view spec_equals_pj) {
  const auto eq = spec_equals_pj.rfind('=');
  const std::string_view spec = eq == std::string_view::npos ? "" : spec_equals_pj.substr(0, eq);
  const std::string_view number = eq == std::string_view::npos ? "" : spec_equals_pj.substr(eq + 1);
  double pj = -1;
  const auto [end, ec] = std::from_chars(number.data(), number.data() + number.size(), pj);
  AXT_CHECK(!spec.empty() && !number.empty() && ec == std::errc() && end == number.data() + number.size() &&
                std::isfinite(pj) && pj >= 0,
            "--energy-multiply_pj '{}': write SPEC=PJ with the multiply energy a finite number of pJ >= 0, e.g. "
            "--energy-multiply_pj lut:my.bin=0.21",
            printable(spec_equals_pj));
  params.multiply_pj[std::string(spec)] = pj;
}

void validate_energy(const EnergyParams& params) {
  EnergyParams copy = params;  // check_value takes a FieldRef
  for (const auto& field : energy_config_fields())
    check_value(field.rule, fmt::format("{}.{}", kEnergySection, field.name),
                fmt::format("--{}-{}", kEnergySection, field.name), field.ref(copy));
  check_energy_params(params);
}

std::string energy_toml(const EnergyParams& params) {
  std::string out = fmt::format("\n[{}]\n", kEnergySection);
  for (const auto& field : energy_config_fields())
    out += fmt::format("{} = {}\n", field.name, format_field(field, params));
  if (!params.multiply_pj.empty()) {
    out += fmt::format("\n[{}]\n", kMultiplyEnergySection);
    for (const auto& [spec, pj] : params.multiply_pj)
      out += fmt::format("{} = {}\n", format_value(spec), format_value(pj));
  }
  return out;
}

std::string energy_difference(const EnergyParams& a, const EnergyParams& b) {
  for (const auto& field : energy_config_fields()) {
    const std::string here = format_field(field, a), there = format_field(field, b);
    if (here != there) return fmt::format("{}.{} = {} (here) vs {} (there)", kEnergySection, field.name, here, there);
  }
  for (const auto& [spec, pj] : a.multiply_pj) {
    const auto it = b.multiply_pj.find(spec);
    const std::string there = it == b.multiply_pj.end() ? "unset" : format_value(it->second);
    if (there != format_value(pj))
      return fmt::format("{}.{} = {} (here) vs {} (there)", kMultiplyEnergySection, format_value(spec),
                         format_value(pj), there);
  }
  for (const auto& [spec, pj] : b.multiply_pj)
    if (!a.multiply_pj.contains(spec))
      return fmt::format("{}.{} = unset (here) vs {} (there)", kMultiplyEnergySection, format_value(spec),
                         format_value(pj));
  return "";
}

}  // namespace axtrain
