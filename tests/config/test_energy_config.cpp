// The energy model as configuration (config/energy_config.h): every [energy] key and the [energy.multiply_pj]
// table round-trip through config.toml, bad values name the key, the flag and the rule, and a table
// multiplier's missing energy names the real key.
#include "../support/config_files.h"
#include "../support/expect_error.h"
#include "axtrain/config/energy_config.h"
#include "axtrain/config/train_config.h"
#include "axtrain/hw/multiplier.h"
#include "axtrain/hw/table_file.h"

#include <gtest/gtest.h>

#include <filesystem>

namespace axtrain {
namespace {

using test::expect_error;
using test::write_temp;

TEST(EnergyConfig, EveryKeyIsAnEnergyField) {
  const auto& fields = energy_config_fields();
  ASSERT_EQ(fields.size(), energy_fields().size());
  for (std::size_t i = 0; i < fields.size(); ++i) EXPECT_EQ(fields[i].name, energy_fields()[i].name);
}

TEST(EnergyConfig, EveryKeyAndTheTableRoundTripThroughToml) {
  TrainConfig c;
  double value = 0.125;
  for (const EnergyField& f : energy_fields()) {  // a distinct in-range value for each key
    c.energy.*f.member = std::min(f.max, f.min + value);
    value += 0.0625;
  }
  c.energy.multiply_pj = {{"lut:tables/my table.bin", 0.21}, {"K3", 0.1 + 0.2}, {"drum:4", 0}};
  ASSERT_NO_THROW(validate(c));
  const std::string toml = to_toml(c);
  EXPECT_NE(toml.find("[energy]\n"), std::string::npos) << toml;
  EXPECT_NE(toml.find("[energy.multiply_pj]\n\"K3\" = "), std::string::npos) << toml;
  const TrainConfig back = load_train_config(write_temp("energy_roundtrip.toml", toml));
  test::expect_same_config(back, c);
  EXPECT_EQ(back.energy.multiply_pj.at("lut:tables/my table.bin"), 0.21);
  EXPECT_EQ(back.energy.multiply_pj.at("K3"), 0.1 + 0.2) << "printed exactly";
  EXPECT_EQ(first_difference(back, c), "");
  TrainConfig other = c;
  other.energy.sram_read_pj = 3;
  EXPECT_EQ(first_difference(c, other).rfind("energy.sram_read_pj = ", 0), 0u) << first_difference(c, other);
  other = c;
  other.energy.multiply_pj.erase("K3");
  EXPECT_EQ(first_difference(c, other), "energy.multiply_pj.\"K3\" = 0.30000000000000004 (here) vs unset (there)");
  EXPECT_EQ(to_toml(TrainConfig{}).find("\n[energy.multiply_pj]\n"), std::string::npos) << "no empty table";
}

TEST(EnergyConfig, FileValuesAreChecked) {
  expect_error([] { load_train_config(write_temp("e1.toml", "[energy]\nsram_read_pj = -1\n")); },
               {"energy.sram_read_pj", "--energy-sram_read_pj", "-1", ">= 0"});
  expect_error([] { load_train_config(write_temp("e2.toml", "[energy]\nnominal_voltage = 9\n")); },
               {"energy.nominal_voltage", "[0.1, 5]"});
  expect_error([] { load_train_config(write_temp("e3.toml", "[energy]\nsram_read = 1\n")); },
               {"unknown key 'sram_read'", "[energy]", "did you mean 'sram_read_pj'"});
  expect_error([] { load_train_config(write_temp("e4.toml", "[energy.multiply_pj]\n\"K3\" = \"cheap\"\n")); },
               {"[energy.multiply_pj] \"K3\"", "expected a finite number, got string"});
  expect_error([] { load_train_config(write_temp("e5.toml", "[energy.multiply_pj]\n\"K3\" = -0.5\n")); },
               {"[energy.multiply_pj] \"K3\"", "-0.5", ">= 0"});
  expect_error([] { load_train_config(write_temp("e6.toml", "[energy.multiply_pj]\n\"K3\" = nan\n")); },
               {"[energy.multiply_pj] \"K3\"", "finite"});
  expect_error([] { load_train_config(write_temp("e7.toml", "[energy]\nmultiply_pj = 0.3\n")); },
               {"energy.multiply_pj must be a table", "[energy.multiply_pj]"});
  const TrainConfig c = load_train_config(write_temp("e8.toml", "[energy.multiply_pj]\n\"lut:m.bin\" = 2\n"));
  EXPECT_EQ(c.energy.multiply_pj.at("lut:m.bin"), 2.0) << "an integer is a number of pJ";
}

TEST(EnergyConfig, FlagValuesParseAsSpecEqualsPj) {
  EnergyParams p;
  set_multiply_energy(p, "lut:a=b.bin=0.25");  // split at the last '='
  EXPECT_EQ(p.multiply_pj.at("lut:a=b.bin"), 0.25);
  for (const char* bad : {"K3", "K3=", "=0.2", "K3=cheap", "K3=-1", "K3=inf", "K3=0.2x"})
    expect_error([&] { set_multiply_energy(p, bad); }, {"--energy-multiply_pj", "SPEC=PJ", ">= 0"});
}

TEST(EnergyConfig, ATableWithoutAnEnergyNamesTheRealKey) {
  const std::string path = (std::filesystem::path(testing::TempDir()) / "energy_k1.bin").string();
  save_table(Multiplier::parse("K1").table(), path, TableFormat::kBin, std::nullopt);
  const Multiplier m = Multiplier::parse("lut:" + path);
  expect_error([&] { (void)multiply_energy_pj(m, EnergyParams{}); },
               {"[energy.multiply_pj] \"lut:" + path + "\" = ", "--energy-multiply_pj"});
  EXPECT_EQ(multiply_energy_source(m, EnergyParams{}), "unknown");
  EnergyParams p;
  p.multiply_pj["lut:" + path] = 0.2;
  EXPECT_EQ(multiply_energy_pj(m, p), 0.2);
  EXPECT_EQ(multiply_energy_source(m, p), "user");
  EXPECT_EQ(multiply_energy_source(Multiplier::parse("K3"), p), "paper");
  EXPECT_EQ(multiply_energy_source(Multiplier::parse("drum:4"), p), "estimate");
}

}  // namespace
}  // namespace axtrain
