// `axtrain hw ...` run as a user would: exit codes, human and JSON output, files written.
#include "../support/run_cli.h"

#include "axtrain/hw/multiplier.h"
#include "axtrain/util/atomic_file.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace axtrain::test {
namespace {

nlohmann::json run_json(const std::string& args) {
  return run_cli_json(args, true);
}

TEST(CliHw, ShowK3JsonHasTheSpecValues) {
  const nlohmann::json j = run_json("hw show K3 --json");
  EXPECT_EQ(j["spec"], "K3");
  EXPECT_EQ(j["signed"], false);
  EXPECT_NEAR(j["metrics"]["er"].get<double>(), 0.467300, 5e-7);
  EXPECT_EQ(j["metrics"]["med"].get<double>(), 903.125);
  EXPECT_NEAR(j["metrics"]["mred"].get<double>(), 0.032805, 5e-7);
  EXPECT_EQ(j["metrics"]["wce"].get<int>(), 14450);
  EXPECT_EQ(j["metrics"]["mean_error"].get<double>(), -903.125);
  EXPECT_EQ(j["error_rank"].get<int>(), 1);
  EXPECT_EQ(j["metrics"]["error_rank"].get<int>(), 1);
  for (const char* key : {"er", "med", "nmed", "mred", "wce", "mse", "mean_error", "error_rank"})
    EXPECT_TRUE(j["metrics"].contains(key)) << key;
  EXPECT_EQ(j["decomposition"]["integer"], true);
}

TEST(CliHw, ShowK1K2MatchTheSpec) {
  const nlohmann::json k1 = run_json("hw show K1 --json");
  EXPECT_NEAR(k1["metrics"]["er"].get<double>(), 0.426514, 5e-7);
  EXPECT_NEAR(k1["metrics"]["mred"].get<double>(), 0.011864, 5e-7);
  EXPECT_EQ(k1["metrics"]["wce"].get<int>(), 2162);
  EXPECT_EQ(k1["metrics"]["med"].get<double>(), 135.125);
  const nlohmann::json k2 = run_json("hw show K2 --json");
  EXPECT_NEAR(k2["metrics"]["er"].get<double>(), 0.456177, 5e-7);
  EXPECT_NEAR(k2["metrics"]["mred"].get<double>(), 0.022331, 5e-7);
  EXPECT_EQ(k2["metrics"]["wce"].get<int>(), 6258);
  EXPECT_EQ(k2["metrics"]["mean_error"].get<double>(), -391.125);
}

TEST(CliHw, EveryBuiltinWrittenAsTableAndLoadedBackHasIdenticalMetrics) {
  TempDir dir;
  // Every design as .bin; the text format for two (the binary takes ~0.3 s to start with libtorch loaded).
  for (const std::string& spec : builtin_multiplier_specs()) {
    for (const char* name : {"t.bin", "t.txt"}) {
      if (std::string(name) == "t.txt" && spec != "K3" && spec != "mitchell") continue;
      SCOPED_TRACE(spec + " " + name);
      const std::string path = dir.file(name);
      const CliResult convert = run_cli("hw convert " + spec + " " + path);
      ASSERT_EQ(convert.exit_code, 0) << convert.err;
      const nlohmann::json original = run_json("hw show " + spec + " --json");
      const nlohmann::json loaded = run_json("hw show lut:" + path + " --json");
      EXPECT_EQ(loaded["metrics"], original["metrics"]);
      EXPECT_EQ(loaded["spec"], "lut:" + path);
    }
  }
}

TEST(CliHw, ConvertBetweenFormatsAndSignedLayouts) {
  TempDir dir;
  ASSERT_EQ(run_cli("hw convert K2 " + dir.file("a.bin")).exit_code, 0);
  ASSERT_EQ(run_cli("hw convert lut:" + dir.file("a.bin") + " " + dir.file("a.txt")).exit_code, 0);
  ASSERT_EQ(run_cli("hw convert lut:" + dir.file("a.txt") + " " + dir.file("b.dat") + " --format bin").exit_code, 0);
  EXPECT_EQ(test::slurp(dir.file("a.bin")), test::slurp(dir.file("b.dat")));
}

TEST(CliHw, ListShowsEveryBuiltinOnce) {
  const CliResult r = run_cli("hw list");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  for (const std::string& spec : builtin_multiplier_specs())
    EXPECT_NE(r.out.find("\n" + spec + " "), std::string::npos) << spec;
  const nlohmann::json j = run_json("hw list --json");
  ASSERT_EQ(j.size(), builtin_multiplier_specs().size());
  EXPECT_EQ(j[3]["spec"], "K3");
  EXPECT_EQ(j[3]["metrics"]["wce"].get<int>(), 14450);
  EXPECT_EQ(j[3]["energy"]["source"], "paper");
  EXPECT_NE(r.out.find("mul_pJ"), std::string::npos);
}

// The multiply energy and where it comes from: the paper's numbers, this project's estimates, or the user's.
TEST(CliHw, ShowAndListPrintTheMultiplyEnergyAndItsSource) {
  const nlohmann::json k3 = run_json("hw show K3 --json");
  EXPECT_DOUBLE_EQ(k3["energy"]["multiply_pj"].get<double>(), 0.32 * (1 - 0.32)) << "all 16 blocks approximate";
  EXPECT_EQ(k3["energy"]["source"], "paper");
  const CliResult human = run_cli("hw show K3");
  EXPECT_NE(human.out.find("multiply     0.2176 pJ"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("(paper;"), std::string::npos) << human.out;
  EXPECT_EQ(run_json("hw show drum:4 --json")["energy"]["source"], "estimate");
  const nlohmann::json user = run_json("hw show K3 --json --energy-multiply_pj K3=0.25");
  EXPECT_EQ(user["energy"]["multiply_pj"].get<double>(), 0.25);
  EXPECT_EQ(user["energy"]["source"], "user");
  TempDir dir;
  const std::string table = dir.file("t.bin");
  ASSERT_EQ(run_cli("hw convert K1 " + table).exit_code, 0);
  const nlohmann::json unknown = run_json("hw show lut:" + table + " --json");
  EXPECT_TRUE(unknown["energy"]["multiply_pj"].is_null());
  EXPECT_EQ(unknown["energy"]["source"], "unknown");
  const CliResult lut = run_cli("hw show lut:" + table);
  EXPECT_NE(lut.out.find("[energy.multiply_pj] \"lut:" + table + "\" = PJ"), std::string::npos) << lut.out;
  { std::ofstream(dir.file("e.toml")) << "[energy]\nexact_multiply_pj = 0.5\n"; }
  const nlohmann::json list = run_json("hw list --json --config " + dir.file("e.toml"));
  EXPECT_EQ(list[0]["spec"], "exact");
  EXPECT_EQ(list[0]["energy"]["multiply_pj"].get<double>(), 0.5) << "[energy] from a config file";
}

TEST(CliHw, MemoryModelByBerAndByVoltage) {
  const nlohmann::json by_ber = run_json("hw memory --ber 1e-3 --json");
  EXPECT_DOUBLE_EQ(by_ber["ber"].get<double>(), 1e-3);
  EXPECT_NEAR(by_ber["expected_flips_per_kib"].get<double>(), 8192 * 1e-3, 1e-9);
  const nlohmann::json protected_top = run_json("hw memory --ber 1e-3 --protect 128 --json");
  EXPECT_NEAR(protected_top["expected_flips_per_kib"].get<double>(), 8192 * 1e-3 * 7 / 8, 1e-9);
  const nlohmann::json low = run_json("hw memory --voltage 0.6 --json");
  const nlohmann::json high = run_json("hw memory --voltage 0.8 --json");
  EXPECT_GT(low["ber"].get<double>(), high["ber"].get<double>());
  EXPECT_DOUBLE_EQ(low["voltage"].get<double>(), 0.6);
}

TEST(CliHw, MetricsOverOperandHistograms) {
  TempDir dir;
  // First operand always 255, second always 15: K3's error there is -2 * 85 * 5 = -850.
  std::string hist_a, hist_b;
  for (int i = 0; i < 256; ++i) {
    hist_a += (i == 255 ? "4" : "0") + std::string(i % 16 == 15 ? "\n" : " ");
    hist_b += (i == 15 ? "1," : "0,");
  }
  axtrain::write_file_atomic(dir.file("a.txt"), "# operand a\n" + hist_a);
  axtrain::write_file_atomic(dir.file("b.txt"), hist_b);
  const nlohmann::json j =
      run_json("hw show K3 --json --hist-a " + dir.file("a.txt") + " --hist-b " + dir.file("b.txt"));
  EXPECT_EQ(j["metrics_distribution"]["metrics"]["mean_error"].get<double>(), -850);
  EXPECT_EQ(j["metrics_distribution"]["metrics"]["er"].get<double>(), 1);
  EXPECT_EQ(j["metrics"]["wce"].get<int>(), 14450);  // all-pairs metrics are still there
  const CliResult human = run_cli("hw show K3 --hist-a " + dir.file("a.txt") + " --hist-b " + dir.file("b.txt"));
  EXPECT_NE(human.out.find("over the operand distribution"), std::string::npos);
}

TEST(CliHw, HelpWorksEverywhere) {
  for (const char* args :
       {"--help", "hw --help", "hw list --help", "hw show --help", "hw convert --help", "hw memory --help"}) {
    const CliResult r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << args;
    EXPECT_NE(r.out.find("Usage"), std::string::npos) << args << ": " << r.out;
  }
}

}  // namespace
}  // namespace axtrain::test
