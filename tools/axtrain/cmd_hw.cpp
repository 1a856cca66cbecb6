// `axtrain hw`: inspect multipliers, convert tables, query the memory model.
#include "commands.h"

#include "axtrain/config/energy_config.h"
#include "axtrain/config/hardware.h"
#include "axtrain/hw/ber_curve.h"
#include "axtrain/hw/energy.h"
#include "axtrain/hw/error_decomposition.h"
#include "axtrain/hw/error_metrics.h"
#include "axtrain/hw/memory_faults.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/hw/table_file.h"
#include "axtrain/util/check.h"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include <bit>
#include <cstdio>
#include <memory>
#include <optional>

namespace axtrain::cli {
namespace {

nlohmann::json metrics_json(const ErrorMetrics& m) {
  nlohmann::json j;
  for (std::string_view name : kErrorMetricNames) {
    const double value = error_metric(m, name);
    if (name == "wce" || name == "error_rank")
      j[std::string(name)] = static_cast<std::int64_t>(value);
    else
      j[std::string(name)] = value;
  }
  return j;
}

void print_json(const nlohmann::json& j) {
  std::puts(j.dump(2).c_str());
}

// --- energy: hw list and hw show print each multiplier's energy -----------------------------------------

struct EnergyArgs {
  std::string config;      // a config file whose [energy] section to use
  StringList multiply_pj;  // SPEC=PJ
};

void add_energy_options(CLI::App* cmd, EnergyArgs& args) {
  cmd->add_option("--config", args.config,
                  "Config file whose [energy] section gives the energy model (docs/config.md)");
  cmd->add_option("--energy-multiply_pj,--energy-multiply-pj", args.multiply_pj,
                  "Multiply energy in pJ of one multiplier, SPEC=PJ (repeatable)")
      ->type_name("SPEC=PJ");
}

EnergyParams energy_params(const EnergyArgs& args) {
  EnergyParams params = args.config.empty() ? EnergyParams{} : read_train_config(args.config).energy;
  for (const std::string& entry : args.multiply_pj) set_multiply_energy(params, entry);
  validate_energy(params);
  return params;
}

// The multiply energy in pJ, or nothing for a table without one.
std::optional<double> known_multiply_energy(const Multiplier& m, const EnergyParams& params) {
  if (multiply_energy_source(m, params) == "unknown") return std::nullopt;
  return multiply_energy_pj(m, params);
}

nlohmann::json energy_json(const Multiplier& m, const EnergyParams& params) {
  const auto pj = known_multiply_energy(m, params);
  return {{"multiply_pj", pj ? nlohmann::json(*pj) : nlohmann::json()},
          {"source", std::string(multiply_energy_source(m, params))}};
}

// --- hw list --------------------------------------------------------------------------------------------

void run_list(bool json, const EnergyArgs& energy) {
  const EnergyParams params = energy_params(energy);
  nlohmann::json rows = nlohmann::json::array();
  if (!json)
    fmt::print("{:<14} {:>8} {:>10} {:>9} {:>6} {:>10} {:>4} {:>8} {:<8}  {}\n", "spec", "er", "med", "mred", "wce",
               "mean_err", "rank", "mul_pJ", "source", "design");
  for (const std::string& spec : builtin_multiplier_specs()) {
    const Multiplier m = Multiplier::parse(spec);
    const ErrorMetrics metrics = compute_error_metrics(m.table());
    if (json) {
      rows.push_back({{"spec", spec},
                      {"signed", m.is_signed()},
                      {"description", m.description()},
                      {"metrics", metrics_json(metrics)},
                      {"energy", energy_json(m, params)}});
    } else {
      fmt::print("{:<14} {:>8.6f} {:>10.3f} {:>9.6f} {:>6} {:>10.3f} {:>4} {:>8.4f} {:<8}  {}\n", spec, metrics.er,
                 metrics.med, metrics.mred, metrics.wce, metrics.mean_error, metrics.error_rank,
                 multiply_energy_pj(m, params), multiply_energy_source(m, params), m.description());
    }
  }
  if (json) print_json(rows);
}

// --- hw show --------------------------------------------------------------------------------------------

struct ShowArgs {
  std::string spec;
  bool json = false;
  int max_terms = 16;
  std::string hist_a;  // operand histogram files; both or neither
  std::string hist_b;
  EnergyArgs energy;
};

void print_metrics(const ErrorMetrics& metrics) {
  fmt::print("er           {:.6f}   error rate (share of pairs with f != a*b)\n", metrics.er);
  fmt::print("med          {:.3f}   mean |error|\n", metrics.med);
  fmt::print("nmed         {:.6f}   med / max |a*b|\n", metrics.nmed);
  fmt::print("mred         {:.6f}   mean relative |error| over a*b != 0 ({:.4f} %)\n", metrics.mred,
             100 * metrics.mred);
  fmt::print("wce          {}   worst-case |error|\n", metrics.wce);
  fmt::print("mse          {:.3f}   mean squared error\n", metrics.mse);
  fmt::print("mean_error   {:.3f}   mean signed error (bias)\n", metrics.mean_error);
}

void run_show(const ShowArgs& args) {
  const EnergyParams params = energy_params(args.energy);
  const Multiplier m = Multiplier::parse(args.spec);
  const auto multiply_pj = known_multiply_energy(m, params);
  const ErrorMetrics metrics = compute_error_metrics(m.table());
  AXT_CHECK(args.hist_a.empty() == args.hist_b.empty(),
            "give both --hist-a and --hist-b (the two operands' histograms), or neither");
  std::optional<ErrorMetrics> weighted;
  if (!args.hist_a.empty())
    weighted =
        compute_error_metrics(m.table(), load_operand_histogram(args.hist_a), load_operand_histogram(args.hist_b));
  const ErrorDecomposition d = decompose_error(m.table(), args.max_terms);
  if (args.json) {
    nlohmann::json j = {{"spec", m.spec()},
                        {"signed", m.is_signed()},
                        {"description", m.description()},
                        {"metrics", metrics_json(metrics)},
                        {"error_rank", metrics.error_rank},
                        {"energy", energy_json(m, params)},
                        {"decomposition",
                         {{"terms", d.terms},
                          {"integer", d.integer},
                          {"max_abs_residual", d.max_abs_residual},
                          {"rms_residual", d.rms_residual}}}};
    if (weighted)
      j["metrics_distribution"] = {
          {"hist_a", args.hist_a}, {"hist_b", args.hist_b}, {"metrics", metrics_json(*weighted)}};
    print_json(j);
    return;
  }
  fmt::print("spec         {}\n", m.spec());
  fmt::print("design       {}\n", m.description());
  fmt::print("operands     {} 8-bit codes\n", m.is_signed() ? "signed" : "unsigned");
  if (multiply_pj)
    fmt::print("multiply     {:.4f} pJ   energy of one multiply ({}; docs/energy-model.md)\n", *multiply_pj,
               multiply_energy_source(m, params));
  else
    fmt::print(
        "multiply     unknown   energy of one multiply: give it as [energy.multiply_pj] \"{}\" = PJ or "
        "--energy-multiply_pj '{}=PJ'\n",
        m.spec(), m.spec());
  fmt::print("-- over all 65536 operand pairs\n");
  print_metrics(metrics);
  fmt::print("error_rank   {}   exact rank of the 256x256 error table\n", metrics.error_rank);
  if (weighted) {
    fmt::print("-- over the operand distribution {} x {}\n", args.hist_a, args.hist_b);
    print_metrics(*weighted);
  }
  if (d.integer)
    fmt::print("decomposition  f = a*b + sum of {} integer factor products, exact\n", d.terms);
  else
    fmt::print("decomposition  f ~ a*b + sum of {} real factor products, residual max {:.4g}, rms {:.4g}\n", d.terms,
               d.max_abs_residual, d.rms_residual);
}

// --- hw convert -----------------------------------------------------------------------------------------

struct ConvertArgs {
  std::string input;
  std::string output;
  std::string format;  // "" = from the output file name
  std::string layout;  // "" = the input's layout
};

void run_convert(const ConvertArgs& args) {
  const Multiplier m = Multiplier::parse(args.input);
  std::optional<SignedLayout> layout;
  if (!args.layout.empty()) {
    layout = parse_layout(args.layout);
  } else if (const auto* lut = std::get_if<LutMul>(&m.design())) {
    layout = lut->options.layout;
  }
  AXT_CHECK(!m.is_signed() || layout, "'{}' is a signed table; give the output layout with --layout twos|offset",
            args.input);
  AXT_CHECK(m.is_signed() || args.layout.empty(),
            "--layout {} applies to signed tables only; '{}' is unsigned: drop --layout", args.layout, args.input);
  TableOptions out_options;
  if (!args.format.empty()) out_options.format = parse_table_format(args.format);
  const TableFormat format = table_format_for(args.output, out_options);
  save_table(m.table(), args.output, format, layout);
  fmt::print("wrote {} ({} table, {}{})\n", args.output, format == TableFormat::kBin ? "bin" : "text",
             m.is_signed() ? "signed=" : "unsigned", layout ? std::string(layout_name(*layout)) : std::string());
}

// --- hw memory ------------------------------------------------------------------------------------------

struct MemoryArgs {
  std::optional<double> voltage;
  std::optional<double> ber;
  std::optional<double> p01;
  std::optional<double> p10;
  unsigned protected_bits = 0;
  std::string curve;
  bool json = false;
};

void run_memory(const MemoryArgs& args) {
  AXT_CHECK(args.voltage.has_value() != args.ber.has_value(),
            "give exactly one of --voltage V or --ber P (a memory configuration is a voltage or a bit error rate)");
  AXT_CHECK(!args.voltage || (*args.voltage > 0 && *args.voltage <= kMaxSupplyVolts),
            "--voltage {:.6g} is not an SRAM supply voltage; give volts in (0, {}], e.g. 0.6", *args.voltage,
            kMaxSupplyVolts);
  AXT_CHECK(args.protected_bits <= 255, "--protect {} is not an 8-bit mask; use 0..255 (128 = top bit)",
            args.protected_bits);
  AXT_CHECK(!args.ber || (*args.ber >= 0 && *args.ber <= 1), "--ber {} is not a probability; use 0..1", *args.ber);
  HardwareConfig section;
  section.memory = args.voltage ? fmt::format("{}V", *args.voltage) : fmt::format("ber:{}", *args.ber);
  section.p01 = args.p01.value_or(-1);
  section.p10 = args.p10.value_or(-1);
  section.protect = static_cast<int>(args.protected_bits);
  section.ber_curve = args.curve;
  HardwareResolver resolver;
  const ResolvedHardware hardware = resolver.resolve(section);
  const MemoryFaultModel& model = hardware.memory;
  const double ber = args.ber ? *args.ber : resolver.curve(args.curve).ber_at(*args.voltage);
  const std::optional<double>& voltage = hardware.sram_voltage;
  const double per_kib = expected_flips_per_kib(model);
  if (args.json) {
    print_json({{"voltage", voltage ? nlohmann::json(*voltage) : nlohmann::json()},
                {"ber", ber},
                {"p01", model.p01},
                {"p10", model.p10},
                {"protected_bits", args.protected_bits},
                {"expected_flips_per_kib", per_kib}});
    return;
  }
  if (voltage)
    fmt::print("voltage                 {:.4f} V\n", *voltage);
  else
    fmt::print("voltage                 (outside the curve)\n");
  fmt::print("ber                     {:.4g}   per bit cell\n", ber);
  fmt::print("p01 / p10               {:.4g} / {:.4g}\n", model.p01, model.p10);
  fmt::print("protected bits          0x{:02x} ({} of 8 positions)\n", args.protected_bits,
             std::popcount(args.protected_bits));
  fmt::print("expected flips per KiB  {:.4g}   (8192 bits, half of them 1)\n", per_kib);
}

}  // namespace

void add_hw_command(CLI::App& app) {
  CLI::App* hw = app.add_subcommand("hw", "Approximate multipliers, multiplier tables and the memory model");
  hw->require_subcommand(1);

  auto list_json = std::make_shared<bool>(false);
  CLI::App* list = hw->add_subcommand("list", "Every built-in design and preset with its headline metrics");
  list->add_flag("--json", *list_json, "Print one JSON array instead of a table");
  auto list_energy = std::make_shared<EnergyArgs>();
  add_energy_options(list, *list_energy);
  list->callback([list_json, list_energy] { run_list(*list_json, *list_energy); });

  auto show = std::make_shared<ShowArgs>();
  CLI::App* show_cmd = hw->add_subcommand("show", "Error metrics and error decomposition of one multiplier");
  show_cmd
      ->add_option("spec", show->spec,
                   "Multiplier spec: exact, kulkarni:k, K1..K3, truncated:t, drum:k, "
                   "mitchell, lut:PATH[,signed=twos|offset][,format=bin|text][,metric=value]")
      ->required();
  show_cmd->add_flag("--json", show->json, "Print one JSON object (spec, signed, metrics, error_rank, decomposition)");
  show_cmd->add_option("--max-terms", show->max_terms, "Most factor pairs in the error decomposition")
      ->capture_default_str()
      ->check(CLI::Range(0, 256));
  show_cmd->add_option("--hist-a", show->hist_a,
                       "Histogram file of the first operand's codes (256 counts): "
                       "metrics are also given over this distribution");
  show_cmd->add_option("--hist-b", show->hist_b, "Histogram file of the second operand's codes (256 counts)");
  add_energy_options(show_cmd, show->energy);
  show_cmd->callback([show] { run_show(*show); });

  auto convert = std::make_shared<ConvertArgs>();
  CLI::App* convert_cmd = hw->add_subcommand("convert", "Write a multiplier's table as a .bin or text table file");
  convert_cmd->add_option("input", convert->input, "Multiplier spec to read, e.g. K3 or lut:in.txt,signed=twos")
      ->required();
  convert_cmd->add_option("output", convert->output, "Table file to write (atomically)")->required();
  convert_cmd->add_option("--format", convert->format, "bin or text (default: bin for *.bin, else text)");
  convert_cmd->add_option("--layout", convert->layout, "Signed tables: twos or offset (default: the input's)");
  convert_cmd->callback([convert] { run_convert(*convert); });

  auto memory = std::make_shared<MemoryArgs>();
  CLI::App* memory_cmd = hw->add_subcommand("memory", "NTV SRAM model: bit error rate and expected flips");
  memory_cmd->add_option("--voltage", memory->voltage, "SRAM supply voltage in volts (uses the BER(V) curve)");
  memory_cmd->add_option("--ber", memory->ber, "Bit error rate per cell, 0..1 (instead of --voltage)");
  memory_cmd->add_option("--p01", memory->p01, "Probability that a stored 0 reads 1 (default: the BER)");
  memory_cmd->add_option("--p10", memory->p10, "Probability that a stored 1 reads 0 (default: the BER)");
  memory_cmd->add_option("--protect", memory->protected_bits, "Mask of bit positions that never fail (128 = top bit)");
  memory_cmd->add_option("--curve", memory->curve, "CSV file of voltage,ber points (default: the built-in curve)");
  memory_cmd->add_flag("--json", memory->json, "Print one JSON object");
  memory_cmd->callback([memory] { run_memory(*memory); });
}

}  // namespace axtrain::cli
