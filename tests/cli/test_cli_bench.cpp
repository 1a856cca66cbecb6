// `axtrain bench` as a user runs it: the JSON list and the ratios it promises (no timing is asserted).
#include "../support/run_cli.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <set>
#include <string>

namespace axtrain {
namespace {

TEST(CliBench, QuickKernelJsonHasEveryPathWithRatiosToBaselinesOfTheSameRun) {
  const test::CliResult r = test::run_cli("bench --quick --no-epochs --json --quiet --min-time 0.01 --threads 1");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const nlohmann::json rows = nlohmann::json::parse(r.out);
  ASSERT_TRUE(rows.is_array());
  std::set<std::string> names;
  for (const auto& row : rows) {
    EXPECT_EQ(row["kind"], "kernel");
    EXPECT_EQ(row["threads"], 1);
    EXPECT_GT(row["gops"].get<double>(), 0);
    EXPECT_GT(row["ratio_vs_gather"].get<double>(), 0);
    EXPECT_GT(row["ratio_vs_exact_fp32"].get<double>(), 0);
    names.insert(row["name"].get<std::string>());
    if (row["name"] == "former gather (int64, any table)") {
      EXPECT_EQ(row["ratio_vs_gather"], 1.0);
    }
    if (row["name"] == "exact fp32 (torch::mm)") {
      EXPECT_EQ(row["ratio_vs_exact_fp32"], 1.0);
    }
    if (row["name"].get<std::string>().starts_with("decomposed")) {
      EXPECT_TRUE(row.contains("ratio_vs_bound"));
    }
  }
  for (const char* name : {"exact int8 (oneDNN u8s8s32)", "gather (scalar int32, any table)", "decomposed K1",
                           "decomposed K2", "decomposed K3", "decomposed truncated:8"})
    EXPECT_TRUE(names.count(name)) << name;
}

TEST(CliBench, BadThreadCountIsOneLineAndExitTwo) {
  const test::CliResult r = test::run_cli("bench --threads 0");
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--threads"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace axtrain
