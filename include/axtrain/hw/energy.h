// Energy model of a 65 nm 8-bit inference accelerator (SPEC 2.5):
//   energy per inference = sum over layers of MACs x E_mac(design) + SRAM accesses x E_sram(V).
// E_mac = multiply energy of the design (nominal voltage) + one 32-bit accumulate. E_sram scales the dynamic
// read/write energy with (V/Vn)^2 and the leakage energy per access with (V/Vn)^leakage_exponent; only the
// SRAM voltage is scaled, the MAC datapath stays at nominal. All energies are in pJ, voltages in volts.
// Every default, its source and which numbers are estimates: docs/energy-model.md.
#pragma once

#include "axtrain/hw/designs.h"
#include "axtrain/hw/multiplier.h"

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace axtrain {

// Source tags: [H14] Horowitz ISSCC 2014 (45 nm, 0.9 V), scaled x1.6 to 65 nm at 1.0 V per Stillmaker & Baas
// 2017; [E] an estimate of this project, not printed in any paper. Details and citations in the docs.
// Every scalar field is listed in energy_fields() (name = config key). Example:
//   EnergyParams p{.sram_leakage_pj = 0.5};  p.multiply_pj["lut:m.bin"] = 0.21;
struct EnergyParams {
  double exact_multiply_pj = 0.32;     // exact 8x8 multiply, pJ, >= 0; [H14] 0.2 pJ x 1.6
  double accumulate_pj = 0.16;         // 32-bit add, once per MAC, pJ, >= 0; [H14] 0.1 pJ x 1.6
  double sram_read_pj = 2.0;           // SRAM read per byte at nominal V, pJ, >= 0; [H14] 8 KB, 10 pJ/64 bit x 1.6 / 8
  double sram_write_pj = 2.0;          // SRAM write per byte at nominal V, pJ, >= 0; [E] assumed = read
  double sram_leakage_pj = 0.2;        // SRAM leakage per byte accessed at nominal V, pJ, >= 0; [E] 10 % of read
  double sram_leakage_exponent = 4.5;  // leakage power ~ V^x, [0, 10]; [E] fit to Yang & Murmann ISQED 2017
  double nominal_voltage = 1.0;        // nominal supply, V, [0.1, 5]; 65 nm nominal
  double kulkarni_saving = 0.32;       // multiply saving with all 16 2x2 blocks approximate, [0, 1]; Kulkarni 2011
  double drum_overhead = 0.35;         // DRUM LODs + shifters as a share of exact 8x8, [0, 1]; [E]
  double mitchell_ratio = 0.7;         // Mitchell multiply energy / exact 8x8, [0, 1]; [E]
  // Multiply energy in pJ (>= 0) per multiplier spec string, exactly as written (Multiplier::spec(), e.g.
  // "K3", "lut:m.bin"); takes precedence over the design rule. "K3" and "kulkarni:7" are different keys.
  // Config: the table [energy.multiply_pj], e.g. "lut:my.bin" = 0.21.
  std::map<std::string, double> multiply_pj;

  bool operator==(const EnergyParams&) const = default;
};

// One scalar parameter of EnergyParams: the single source of truth for its name (the config key), help,
// unit, storage and valid range [min, max] (inclusive; values must also be finite).
struct EnergyField {
  std::string_view name;
  std::string_view unit;  // "pJ", "V" or "1" (dimensionless)
  std::string_view help;
  double EnergyParams::*member;
  double min;
  double max;
};

// All scalar fields of EnergyParams, in declaration order. Names are unique.
const std::vector<EnergyField>& energy_fields();

// Sets the field called `name` to `value`. Throws axtrain::Error for an unknown name (listing the known
// ones) or a value outside the field's range (naming the range).
void set_energy_param(EnergyParams& params, std::string_view name, double value);

// Throws axtrain::Error naming the first field of `params` outside its range, or a negative/non-finite
// override. Every function below calls it.
void check_energy_params(const EnergyParams& params);

// Multiply energy of a design relative to the exact 8x8 multiplier (exact_multiply_pj); one rule per design.
// exact: 1.
double multiply_energy_ratio(const ExactMul& design, const EnergyParams& params);
// 1 - kulkarni_saving x n/16, n = number of approximate 2x2 blocks = #{(i, j) in 0..3^2 : i + j < k}.
// Each approximate block removes the same gates, so the saving is linear in n (k = 0: 1; K1/K2/K3: n = 13/15/16).
double multiply_energy_ratio(const KulkarniMul& design, const EnergyParams& params);
// 1 - dropped/64, dropped = #{(i, j) in 0..7^2 : i + j < t} partial-product bits: a gate-count model.
double multiply_energy_ratio(const TruncatedMul& design, const EnergyParams& params);
// min(1, (k/8)^2 + drum_overhead): a k x k core plus leading-one detectors, encoders and shifters.
double multiply_energy_ratio(const DrumMul& design, const EnergyParams& params);
// mitchell_ratio.
double multiply_energy_ratio(const MitchellMul& design, const EnergyParams& params);

// Energy of one 8x8 multiply in pJ: multiply_pj[m.spec()] if present, else
// exact_multiply_pj x multiply_energy_ratio(design). A lut: multiplier without an override throws axtrain::Error
// (its energy is unknown; the message says how to give it).
double multiply_energy_pj(const Multiplier& m, const EnergyParams& params);

// Where a multiplier's energy comes from: "user" ([energy.multiply_pj] has its spec), "paper" (the exact
// multiplier, [H14], and Kulkarni's designs, whose saving Kulkarni 2011 reports), "estimate" (this project's
// rule for truncated, DRUM and Mitchell designs: docs/energy-model.md) or "unknown" (a lut: table without an
// entry; multiply_energy_pj throws for it).
std::string_view multiply_energy_source(const Multiplier& m, const EnergyParams& params);

// Energy of one MAC in pJ: multiply_energy_pj + accumulate_pj.
double mac_energy_pj(const Multiplier& m, const EnergyParams& params);

// Energy of one SRAM byte access at supply `voltage` (V) in pJ:
//   (write ? sram_write_pj : sram_read_pj) x (V/Vn)^2 + sram_leakage_pj x (V/Vn)^sram_leakage_exponent.
// The leakage term assumes a fixed clock (leakage energy per access ~ leakage power). voltage must be in
// (0, 1.5 x nominal_voltage], else axtrain::Error.
double sram_access_energy_pj(double voltage, bool write, const EnergyParams& params);

// Work of one layer per inference, counted in 8-bit codes (= bytes) moved between SRAM and the datapath.
// All counts >= 0.
struct LayerWork {
  std::int64_t macs = 0;               // multiply-accumulates
  std::int64_t weight_reads = 0;       // weight bytes read from SRAM
  std::int64_t activation_reads = 0;   // input activation bytes read from SRAM
  std::int64_t activation_writes = 0;  // output activation bytes written to SRAM
};

// Dataflow assumption of both helpers (a lower bound on SRAM traffic): each weight is read once, each input
// activation is read once and each output activation is written once per inference; all reuse happens in
// registers and partial sums stay in 32-bit accumulators, never in SRAM. Biases are not counted.
// Dense layer in -> out: macs = weight_reads = in x out, activation_reads = in, activation_writes = out.
// in, out >= 1.
LayerWork dense_layer_work(int in, int out);
// 2-D convolution, square kernel, no groups: input in_channels x height x width, output out_channels x
// oh x ow with oh = (height + 2 padding - kernel) / stride + 1 (same for ow). macs = out_channels x oh x ow x
// in_channels x kernel^2; weight_reads = out_channels x in_channels x kernel^2; activation_reads =
// in_channels x height x width (padding is not read); activation_writes = out_channels x oh x ow.
// Channels, height, width, kernel, stride >= 1; padding >= 0; kernel <= height/width + 2 padding.
LayerWork conv2d_layer_work(int in_channels, int out_channels, int height, int width, int kernel, int stride = 1,
                            int padding = 0);

// Energy per inference in pJ, split into the MAC datapath and the SRAM.
struct EnergyBreakdown {
  double multiply_pj = 0;    // sum of macs x multiply_energy_pj(m)
  double accumulate_pj = 0;  // sum of macs x accumulate_pj
  double mac_pj = 0;         // sum of macs x mac_energy_pj(m): multiplies and accumulates
  double sram_pj = 0;        // sum of reads x E_sram(V, read) + writes x E_sram(V, write)
  double total_pj = 0;       // mac_pj + sram_pj
};

// Sums the layers for multiplier m with the SRAM at `voltage` (V). Throws axtrain::Error for a negative count
// (naming the layer), a bad voltage, or a lut: multiplier without an override.
EnergyBreakdown energy_per_inference(std::span<const LayerWork> layers, const Multiplier& m, double voltage,
                                     const EnergyParams& params);

// Saving of `config` against the exact multiplier at nominal voltage: 1 - config.total / exact.total
// (negative when config costs more). exact_nominal.total_pj must be > 0, else axtrain::Error.
double energy_saving(const EnergyBreakdown& config, const EnergyBreakdown& exact_nominal);

}  // namespace axtrain
