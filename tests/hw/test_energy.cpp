#include "../support/expect_error.h"
#include "axtrain/hw/energy.h"

#include "axtrain/hw/table_file.h"
#include "axtrain/util/check.h"

#include <gtest/gtest.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

namespace axtrain {
namespace {

using test::expect_error;

double multiply_energy_of(const std::string& spec, const EnergyParams& p = {}) {
  return multiply_energy_pj(Multiplier::parse(spec), p);
}

TEST(Energy, ExactMlpAtNominalIsHandComputedSum) {
  const EnergyParams p;
  const std::vector<LayerWork> mlp = {dense_layer_work(784, 256), dense_layer_work(256, 256),
                                      dense_layer_work(256, 10)};
  const double macs = 784.0 * 256 + 256.0 * 256 + 256.0 * 10;
  const double reads = macs + (784.0 + 256 + 256);  // every weight once + every input activation once
  const double writes = 256.0 + 256 + 10;
  const double mac_pj = macs * (p.exact_multiply_pj + p.accumulate_pj);
  const double sram_pj = reads * (p.sram_read_pj + p.sram_leakage_pj) + writes * (p.sram_write_pj + p.sram_leakage_pj);

  const EnergyBreakdown e = energy_per_inference(mlp, Multiplier::parse("exact"), p.nominal_voltage, p);
  EXPECT_NEAR(e.mac_pj, mac_pj, 1e-9 * mac_pj);
  EXPECT_NEAR(e.sram_pj, sram_pj, 1e-9 * sram_pj);
  EXPECT_NEAR(e.total_pj, mac_pj + sram_pj, 1e-9 * (mac_pj + sram_pj));
  EXPECT_DOUBLE_EQ(energy_saving(e, e), 0.0);
}

TEST(Energy, ApproximateMultiplierAndLowVoltageSave) {
  const EnergyParams p;
  const std::vector<LayerWork> mlp = {dense_layer_work(784, 256), dense_layer_work(256, 10)};
  const EnergyBreakdown exact = energy_per_inference(mlp, Multiplier::parse("exact"), 1.0, p);
  const EnergyBreakdown k3 = energy_per_inference(mlp, Multiplier::parse("K3"), 1.0, p);
  const EnergyBreakdown k3_low = energy_per_inference(mlp, Multiplier::parse("K3"), 0.6, p);
  EXPECT_DOUBLE_EQ(k3.sram_pj, exact.sram_pj);
  const double macs = 784.0 * 256 + 256.0 * 10;
  EXPECT_NEAR(exact.mac_pj - k3.mac_pj, macs * p.exact_multiply_pj * p.kulkarni_saving, 1e-9 * exact.mac_pj);
  EXPECT_GT(energy_saving(k3, exact), 0.0);
  EXPECT_GT(energy_saving(k3_low, exact), energy_saving(k3, exact));
  EXPECT_LT(energy_saving(k3_low, exact), 1.0);
}

TEST(Energy, KulkarniDecreasesWithApproximateBlocks) {
  const EnergyParams p;
  EXPECT_DOUBLE_EQ(multiply_energy_of("kulkarni:0"), multiply_energy_of("exact"));
  EXPECT_GT(multiply_energy_of("K1"), multiply_energy_of("K2"));
  EXPECT_GT(multiply_energy_of("K2"), multiply_energy_of("K3"));
  EXPECT_DOUBLE_EQ(multiply_energy_of("K1"), multiply_energy_of("kulkarni:5"));
  EXPECT_DOUBLE_EQ(multiply_energy_of("K3"), p.exact_multiply_pj * (1 - p.kulkarni_saving));  // all 16 blocks
  EXPECT_DOUBLE_EQ(multiply_energy_of("K1"), p.exact_multiply_pj * (1 - p.kulkarni_saving * 13 / 16));
  for (int k = 1; k <= KulkarniMul::kMax; ++k)
    EXPECT_LT(multiply_energy_of(fmt::format("kulkarni:{}", k)), multiply_energy_of(fmt::format("kulkarni:{}", k - 1)))
        << k;
}

TEST(Energy, TruncatedDecreasesWithDroppedBits) {
  const EnergyParams p;
  EXPECT_DOUBLE_EQ(multiply_energy_of("truncated:0"), multiply_energy_of("exact"));
  EXPECT_DOUBLE_EQ(multiply_energy_of("truncated:1"), p.exact_multiply_pj * 63 / 64);
  EXPECT_DOUBLE_EQ(multiply_energy_of("truncated:4"), p.exact_multiply_pj * (1 - 10.0 / 64));  // 1+2+3+4 bits
  EXPECT_DOUBLE_EQ(multiply_energy_of("truncated:15"), 0.0);
  for (int t = 1; t <= TruncatedMul::kMax; ++t)
    EXPECT_LT(multiply_energy_of(fmt::format("truncated:{}", t)),
              multiply_energy_of(fmt::format("truncated:{}", t - 1)))
        << t;
}

TEST(Energy, DrumAndMitchellRules) {
  const EnergyParams p;
  EXPECT_DOUBLE_EQ(multiply_energy_of("drum:8"), multiply_energy_of("exact"));
  EXPECT_DOUBLE_EQ(multiply_energy_of("drum:4"), p.exact_multiply_pj * (0.25 + p.drum_overhead));
  for (int k = DrumMul::kMin + 1; k <= DrumMul::kMax; ++k)
    EXPECT_LE(multiply_energy_of(fmt::format("drum:{}", k - 1)), multiply_energy_of(fmt::format("drum:{}", k))) << k;
  EXPECT_DOUBLE_EQ(multiply_energy_of("mitchell"), p.exact_multiply_pj * p.mitchell_ratio);
}

TEST(Energy, SramAtNominalIsReadPlusLeakageAndFallsWithVoltage) {
  const EnergyParams p;
  EXPECT_DOUBLE_EQ(sram_access_energy_pj(p.nominal_voltage, false, p), p.sram_read_pj + p.sram_leakage_pj);
  EXPECT_DOUBLE_EQ(sram_access_energy_pj(p.nominal_voltage, true, p), p.sram_write_pj + p.sram_leakage_pj);
  double previous = sram_access_energy_pj(1.5 * p.nominal_voltage, false, p);
  for (double v = 1.4; v > 0.3; v -= 0.1) {
    const double e = sram_access_energy_pj(v, false, p);
    EXPECT_LT(e, previous) << v;
    previous = e;
  }
}

TEST(Energy, SramDynamicPartFollowsVSquared) {
  EnergyParams p;
  p.sram_leakage_pj = 0;
  EXPECT_NEAR(sram_access_energy_pj(0.5, false, p) / sram_access_energy_pj(1.0, false, p), 0.25, 1e-12);
  EXPECT_NEAR(sram_access_energy_pj(0.7, true, p) / sram_access_energy_pj(1.0, true, p), 0.49, 1e-12);
  p.sram_read_pj = 0;
  p.sram_leakage_pj = 1;
  EXPECT_NEAR(sram_access_energy_pj(0.5, false, p), std::pow(0.5, p.sram_leakage_exponent), 1e-12);
}

TEST(Energy, SramVoltageOutOfRangeThrows) {
  const EnergyParams p;
  expect_error([&] { sram_access_energy_pj(0.0, false, p); }, {"0 V", "(0, 1.5]"});
  expect_error([&] { sram_access_energy_pj(1.6, false, p); }, {"1.6 V", "(0, 1.5]"});
  EXPECT_NO_THROW(sram_access_energy_pj(1.5, false, p));
}

TEST(Energy, OverrideTakesPrecedence) {
  EnergyParams p;
  p.multiply_pj["K3"] = 0.5;
  p.multiply_pj["exact"] = 0.1;
  EXPECT_DOUBLE_EQ(multiply_energy_of("K3", p), 0.5);
  EXPECT_DOUBLE_EQ(multiply_energy_of("exact", p), 0.1);
  EXPECT_DOUBLE_EQ(multiply_energy_of("kulkarni:7", p), p.exact_multiply_pj * (1 - p.kulkarni_saving));  // another key
  EXPECT_DOUBLE_EQ(mac_energy_pj(Multiplier::parse("K3"), p), 0.5 + p.accumulate_pj);
  p.multiply_pj["K2"] = -1;
  expect_error([&] { multiply_energy_of("K3", p); }, {"[energy.multiply_pj] \"K2\"", "-1", ">= 0"});
}

TEST(Energy, LutNeedsOverride) {
  const auto dir = std::filesystem::temp_directory_path() / fmt::format("axt_energy_{}", ::getpid());
  std::filesystem::create_directories(dir);
  const std::string path = (dir / "m.bin").string();
  save_table(Multiplier::parse("K1").table(), path, TableFormat::kBin, std::nullopt);
  const std::string spec = "lut:" + path;
  EnergyParams p;
  expect_error([&] { multiply_energy_of(spec, p); }, {spec, "unknown", "[energy.multiply_pj]", "--energy-multiply_pj"});
  p.multiply_pj[spec] = 0.21;
  EXPECT_DOUBLE_EQ(multiply_energy_of(spec, p), 0.21);
  std::filesystem::remove_all(dir);
}

TEST(Energy, SetParamRejectsUnknownNameAndBadValue) {
  EnergyParams p;
  expect_error([&] { set_energy_param(p, "sram_read", 1.0); }, {"'sram_read'", "sram_read_pj", "exact_multiply_pj"});
  expect_error([&] { set_energy_param(p, "exact_multiply_pj", -0.5); }, {"exact_multiply_pj", "-0.5", ">= 0"});
  expect_error([&] { set_energy_param(p, "kulkarni_saving", 1.5); }, {"kulkarni_saving", "1.5", "[0, 1]"});
  expect_error([&] { set_energy_param(p, "nominal_voltage", NAN); }, {"nominal_voltage", "nan"});
  EXPECT_DOUBLE_EQ(p.exact_multiply_pj, EnergyParams{}.exact_multiply_pj);  // unchanged by the failures
  p.sram_write_pj = -1;                                                     // set directly, bypassing the table
  expect_error([&] { multiply_energy_of("exact", p); }, {"sram_write_pj", "-1"});
}

TEST(Energy, FieldTableCoversEveryScalarField) {
  const auto& fields = energy_fields();
  std::set<std::string_view> names;
  for (const auto& f : fields) {
    EXPECT_TRUE(names.insert(f.name).second) << "duplicate " << f.name;
    EXPECT_FALSE(f.help.empty()) << f.name;
    EXPECT_LE(f.min, f.max) << f.name;
    const EnergyParams defaults;
    EXPECT_GE(defaults.*(f.member), f.min) << f.name;  // every default is valid
    EXPECT_LE(defaults.*(f.member), f.max) << f.name;
  }
  // Every double of EnergyParams has a row: the struct is exactly the table's doubles plus the override map.
  EXPECT_EQ(sizeof(EnergyParams), fields.size() * sizeof(double) + sizeof(std::map<std::string, double>));
  // Setting each field by name changes that field and no other.
  for (std::size_t i = 0; i < fields.size(); ++i) {
    EnergyParams p;
    const double value = fields[i].max < 1 ? fields[i].max : fields[i].min + 0.125 + static_cast<double>(i) * 0.01;
    set_energy_param(p, fields[i].name, value);
    for (std::size_t j = 0; j < fields.size(); ++j)
      EXPECT_DOUBLE_EQ(p.*(fields[j].member), i == j ? value : EnergyParams{}.*(fields[j].member))
          << fields[i].name << " -> " << fields[j].name;
  }
}

// The defaults table in docs/energy-model.md must list every field with its current default.
TEST(Energy, DocsTableMatchesDefaults) {
  const auto doc = std::filesystem::path(AXT_SOURCE_DIR) / "docs/energy-model.md";
  std::ifstream in(doc);
  ASSERT_TRUE(in) << "cannot read " << doc;
  std::string line;
  std::map<std::string, double> documented;
  while (std::getline(in, line)) {
    if (line.rfind("| `", 0) != 0) continue;
    const auto end = line.find('`', 3);
    std::istringstream rest(line.substr(line.find('|', end) + 1));
    double value = 0;
    if (rest >> value) documented[line.substr(3, end - 3)] = value;
  }
  const EnergyParams defaults;
  for (const auto& f : energy_fields()) {
    const auto it = documented.find(std::string(f.name));
    ASSERT_NE(it, documented.end()) << f.name << " is missing from " << doc;
    EXPECT_DOUBLE_EQ(it->second, defaults.*(f.member)) << f.name;
  }
}

TEST(Energy, LayerWorkHelpers) {
  const LayerWork d = dense_layer_work(3, 2);
  EXPECT_EQ(d.macs, 6);
  EXPECT_EQ(d.weight_reads, 6);
  EXPECT_EQ(d.activation_reads, 3);
  EXPECT_EQ(d.activation_writes, 2);
  // LeNet conv1: 1 x 28 x 28 -> 6 x 24 x 24 with 5 x 5 kernels.
  const LayerWork c = conv2d_layer_work(1, 6, 28, 28, 5);
  EXPECT_EQ(c.macs, 6 * 24 * 24 * 25);
  EXPECT_EQ(c.weight_reads, 6 * 25);
  EXPECT_EQ(c.activation_reads, 28 * 28);
  EXPECT_EQ(c.activation_writes, 6 * 24 * 24);
  EXPECT_EQ(conv2d_layer_work(2, 4, 8, 8, 3, 2, 1).activation_writes, 4 * 4 * 4);  // (8 + 2 - 3) / 2 + 1 = 4
  expect_error([] { dense_layer_work(0, 10); }, {"0 -> 10", ">= 1"});
  expect_error([] { conv2d_layer_work(1, 1, 4, 4, 7); }, {"kernel 7", "padding"});
  const std::vector<LayerWork> bad = {LayerWork{.macs = -1}};
  expect_error([&] { energy_per_inference(bad, Multiplier::parse("exact"), 1.0, EnergyParams{}); },
               {"layer 0", "macs -1"});
}

}  // namespace
}  // namespace axtrain
